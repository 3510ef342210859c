//! Reading claims from a JWT payload (no signature check), as the official client reads them.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

const AUTH_CLAIM: &str = "https://api.openai.com/auth";

/// The decoded payload of a JWT, or `None` when it is not a well-formed JWT.
pub(crate) fn claims(jwt: &str) -> Option<Value> {
    let mut parts = jwt.split('.');
    let (Some(_), Some(payload), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    if jwt.starts_with('.') || payload.is_empty() || sig.is_empty() {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice::<Value>(&bytes)
        .ok()
        .filter(Value::is_object)
}

/// The account id in one token's claims: root `chatgpt_account_id`, then
/// `https://api.openai.com/auth.chatgpt_account_id`, then `organizations[0].id`.
fn account_id_of(jwt: &str) -> Option<String> {
    let claims = claims(jwt)?;
    let non_empty = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    non_empty(claims.get("chatgpt_account_id"))
        .or_else(|| {
            non_empty(
                claims
                    .get(AUTH_CLAIM)
                    .and_then(|a| a.get("chatgpt_account_id")),
            )
        })
        .or_else(|| {
            let first = claims.get("organizations")?.as_array()?.first()?;
            non_empty(first.get("id"))
        })
}

/// The account id from the id token first, then the access token.
pub(crate) fn account_id(id_token: Option<&str>, access_token: &str) -> Option<String> {
    id_token
        .and_then(account_id_of)
        .or_else(|| account_id_of(access_token))
}

/// The `exp` claim (seconds since the epoch) of a JWT.
pub(crate) fn expiry_secs(jwt: &str) -> Option<u64> {
    claims(jwt)?.get("exp")?.as_u64()
}

#[cfg(test)]
pub(crate) fn encode(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.sig")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn account_id_order_within_one_token() {
        let root = encode(&json!({"chatgpt_account_id": "root",
            AUTH_CLAIM: {"chatgpt_account_id": "nested"}, "organizations": [{"id": "org"}]}));
        let nested = encode(&json!({AUTH_CLAIM: {"chatgpt_account_id": "nested"},
            "organizations": [{"id": "org"}]}));
        let org = encode(&json!({"organizations": [{"id": "org"}, {"id": "second"}]}));
        let none = encode(&json!({"sub": "x"}));
        assert_eq!(account_id(None, &root).as_deref(), Some("root"));
        assert_eq!(account_id(None, &nested).as_deref(), Some("nested"));
        assert_eq!(account_id(None, &org).as_deref(), Some("org"));
        assert_eq!(account_id(None, &none), None);
    }

    #[test]
    fn id_token_wins_then_access_token() {
        let id = encode(&json!({AUTH_CLAIM: {"chatgpt_account_id": "from_id"}}));
        let access = encode(&json!({"chatgpt_account_id": "from_access"}));
        let empty = encode(&json!({}));
        assert_eq!(account_id(Some(&id), &access).as_deref(), Some("from_id"));
        assert_eq!(
            account_id(Some(&empty), &access).as_deref(),
            Some("from_access")
        );
        assert_eq!(
            account_id(Some("garbage"), &access).as_deref(),
            Some("from_access")
        );
    }

    #[test]
    fn malformed_jwts_have_no_claims() {
        for bad in [
            "",
            "abc",
            "a.b",
            "a..c",
            ".b.c",
            "a.b.",
            "a.!!!.c",
            "a.b.c.d",
            "a.bm90IGpzb24.c",
        ] {
            assert_eq!(claims(bad), None, "{bad}");
            assert_eq!(account_id(Some(bad), bad), None, "{bad}");
        }
    }

    #[test]
    fn reads_exp() {
        assert_eq!(expiry_secs(&encode(&json!({"exp": 1234}))), Some(1234));
        assert_eq!(expiry_secs(&encode(&json!({"exp": "soon"}))), None);
        assert_eq!(expiry_secs("nope"), None);
    }
}
