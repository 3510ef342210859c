//! A corrupt stored token reads as signed out and is removed.

use clanka_codex::{CodexAuthError, SignInReason};

use super::common::Harness;

#[tokio::test]
async fn corrupt_token_file_signs_out_cleanly() {
    let h = Harness::start().await;
    let file = h.dir.path().join("store").join("k-codex.auth%2Ftoken");
    std::fs::write(&file, "{\"access\": \"at_secret\", \"refresh\":").unwrap();
    let err = h.auth(false).get().await.unwrap_err();
    assert!(matches!(
        err,
        CodexAuthError::SignInRequired {
            reason: SignInReason::SignedOut
        }
    ));
    assert!(!file.exists());
    assert!(!h.store.has("codex.auth/token").await.unwrap());

    // Not even valid UTF-8.
    std::fs::write(&file, [0xff, 0xfe, 0x00]).unwrap();
    assert_eq!(h.tokens().load().await.unwrap(), None);
    assert!(!file.exists());
}
