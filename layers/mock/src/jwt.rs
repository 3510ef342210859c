//! Unsigned JWTs as issued by the mock: `base64url(header).base64url(payload).sig`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// Encodes `claims` as an unsigned JWT with a non-empty dummy signature segment.
pub(crate) fn encode(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.sig")
}

#[cfg(test)]
/// Decodes the payload of a JWT without checking anything but its shape.
pub(crate) fn decode_payload(token: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (_, payload, sig) = (parts.next()?, parts.next()?, parts.next()?);
    if sig.is_empty() || parts.next().is_some() {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let claims = serde_json::json!({"exp": 5, "sub": "x"});
        let token = encode(&claims);
        assert_eq!(token.split('.').count(), 3);
        assert_eq!(decode_payload(&token), Some(claims));
        assert_eq!(decode_payload("a.b"), None);
    }
}
