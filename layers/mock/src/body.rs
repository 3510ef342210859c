//! Decoding of request bodies: zstd, JSON, forms, text.

use std::collections::BTreeMap;

use http::HeaderMap;
use serde_json::Value;

/// A request body decoded once by the recording middleware.
#[derive(Debug, Clone)]
pub(crate) struct Decoded(pub(crate) Result<Value, String>);

/// Decompresses (zstd) and parses a body according to its headers.
pub(crate) fn decode(headers: &HeaderMap, raw: &[u8]) -> Result<Value, String> {
    let encoding = header(headers, http::header::CONTENT_ENCODING).to_ascii_lowercase();
    let bytes = if encoding.contains("zstd") {
        zstd::decode_all(raw).map_err(|e| format!("could not decode zstd body: {e}"))?
    } else {
        raw.to_vec()
    };
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    let kind = header(headers, http::header::CONTENT_TYPE).to_ascii_lowercase();
    if kind.starts_with("application/x-www-form-urlencoded") {
        let form: BTreeMap<String, String> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| format!("could not parse form body: {e}"))?;
        return Ok(form
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect());
    }
    match serde_json::from_slice(&bytes) {
        Ok(value) => Ok(value),
        Err(e) if kind.contains("json") => Err(format!(
            "We could not parse the JSON body of your request: {e}"
        )),
        Err(_) => Ok(Value::String(String::from_utf8_lossy(&bytes).into_owned())),
    }
}

fn header(headers: &HeaderMap, name: http::header::HeaderName) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_zstd_json_and_forms() {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "application/json".parse().unwrap());
        headers.insert("content-encoding", "zstd".parse().unwrap());
        let raw = zstd::encode_all(&br#"{"a":1}"#[..], 3).unwrap();
        assert_eq!(decode(&headers, &raw), Ok(serde_json::json!({"a": 1})));
        let mut form = HeaderMap::new();
        form.insert(
            "content-type",
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        assert_eq!(
            decode(&form, b"a=b%20c"),
            Ok(serde_json::json!({"a": "b c"}))
        );
    }
}
