//! PKCE (RFC 7636, S256) and the `state` value of a browser login.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::{CodexAuthError, Secret};

/// A code verifier and its S256 challenge.
pub(crate) struct Pkce {
    /// 64 random bytes, base64url without padding; sent only in the code exchange.
    pub(crate) verifier: Secret,
    /// `base64url(SHA-256(verifier))`, sent in the authorize URL.
    pub(crate) challenge: String,
}

impl Pkce {
    /// A fresh verifier from the system's random source.
    pub(crate) fn new() -> Result<Self, CodexAuthError> {
        let verifier = random_token(64)?;
        let challenge = challenge(&verifier);
        Ok(Self {
            verifier: Secret::new(verifier),
            challenge,
        })
    }
}

/// The S256 challenge of `verifier`.
pub(crate) fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// `bytes` random bytes, base64url without padding (the `state` takes 32).
pub(crate) fn random_token(bytes: usize) -> Result<String, CodexAuthError> {
    let mut buf = vec![0_u8; bytes];
    getrandom::fill(&mut buf).map_err(|_| {
        CodexAuthError::BrowserLoginFailed("the system has no source of randomness".into())
    })?;
    Ok(URL_SAFE_NO_PAD.encode(buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_is_base64url_sha256() {
        // `printf abc | sha256sum | xxd -r -p | base64 | tr '+/' '-_' | tr -d =`
        assert_eq!(
            challenge("abc"),
            "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
        );
    }

    #[test]
    fn verifiers_are_long_random_and_url_safe() {
        let a = Pkce::new().unwrap();
        let b = Pkce::new().unwrap();
        assert_eq!(a.verifier.expose().len(), 86);
        assert_ne!(a.verifier, b.verifier);
        assert_eq!(a.challenge, challenge(a.verifier.expose()));
        let state = random_token(32).unwrap();
        assert_eq!(state.len(), 43);
        assert!(
            state
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
    }
}
