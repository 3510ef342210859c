use pretty_assertions::assert_eq;

use super::*;

fn every_variant() -> Vec<(AiError, bool)> {
    let m = || "m".to_owned();
    vec![
        (AiError::ContextWindowExceeded { message: m() }, false),
        (AiError::QuotaExceeded { message: m() }, false),
        (
            AiError::UsageLimitReached {
                message: m(),
                plan_type: Some("plus".into()),
                resets_at: Some(1_738_888_888),
                rate_limits: None,
            },
            false,
        ),
        (AiError::UsageNotIncluded { message: m() }, false),
        (
            AiError::RateLimited {
                message: m(),
                retry_after: None,
            },
            true,
        ),
        (AiError::ServerOverloaded { message: m() }, true),
        (AiError::ContentPolicy { message: m() }, false),
        (AiError::InvalidRequest { message: m() }, false),
        (AiError::Unauthorized { message: m() }, false),
        (
            AiError::Unsupported {
                option: "temperature".into(),
            },
            false,
        ),
        (AiError::StreamDisconnected { message: m() }, true),
        (
            AiError::IdleTimeout {
                after: Duration::from_secs(300),
            },
            true,
        ),
        (
            AiError::Server {
                status: 500,
                message: m(),
            },
            true,
        ),
        (
            AiError::ResponseFailed {
                code: None,
                message: m(),
            },
            true,
        ),
        (AiError::InvalidResponse { message: m() }, true),
        (AiError::transport("connection reset"), true),
        (AiError::Local("read-only file system".into()), false),
    ]
}

#[test]
fn retryability_follows_the_protocol() {
    for (err, retryable) in every_variant() {
        assert_eq!(err.is_retryable(), retryable, "{err:?}");
    }
}

#[test]
fn only_rate_limits_carry_a_delay() {
    let err = AiError::RateLimited {
        message: "slow down".into(),
        retry_after: Some(Duration::from_millis(28)),
    };
    assert_eq!(err.retry_after(), Some(Duration::from_millis(28)));
    for (err, _) in every_variant() {
        assert_eq!(err.retry_after(), None, "{err:?}");
    }
}

#[test]
fn messages_are_lowercase_and_keep_the_source() {
    let err = AiError::Unsupported {
        option: "temperature".into(),
    };
    assert_eq!(err.to_string(), "unsupported option `temperature`");
    let err = AiError::transport("connection reset");
    assert_eq!(err.to_string(), "transport failed");
    let source = std::error::Error::source(&err).map(ToString::to_string);
    assert_eq!(source.as_deref(), Some("connection reset"));
    let err = AiError::Server {
        status: 502,
        message: "bad gateway".into(),
    };
    assert_eq!(err.to_string(), "server returned status 502: bad gateway");
}

#[test]
fn a_tower_timeout_is_a_timeout_of_unknown_length() {
    let error = AiError::from_box(Box::new(tower::timeout::error::Elapsed::new()));
    assert!(
        matches!(error, AiError::Timeout { after: None }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "the response took longer than its time limit"
    );
    let error = AiError::from_box("something else".into());
    assert!(matches!(error, AiError::Local(_)), "{error:?}");
}
