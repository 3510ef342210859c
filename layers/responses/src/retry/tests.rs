use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use clanka_model::AiError;
use futures_util::StreamExt as _;

use super::{Open, RetryPolicy, retrying};
use crate::ResponsesConfig;

fn policy() -> RetryPolicy {
    RetryPolicy::new(&ResponsesConfig::new("m"))
}

fn disconnected() -> AiError {
    AiError::StreamDisconnected {
        message: "x".into(),
    }
}

#[test]
fn backoff_doubles_with_ten_percent_jitter() {
    for (retry, base_ms) in [(1, 200.0), (2, 400.0), (3, 800.0), (4, 1600.0)] {
        let delay = policy()
            .delay(&disconnected(), retry)
            .unwrap()
            .as_secs_f64()
            * 1000.0;
        assert!(
            delay >= base_ms * 0.9 && delay < base_ms * 1.1,
            "{retry}: {delay}"
        );
    }
    assert_eq!(
        policy().delay(&disconnected(), 5),
        None,
        "four retries at most"
    );
}

#[test]
fn server_delays_are_honoured_up_to_the_cap_and_fatal_errors_never_retried() {
    let limited = |secs| AiError::RateLimited {
        message: String::new(),
        retry_after: Some(Duration::from_secs(secs)),
    };
    assert_eq!(policy().delay(&limited(7), 1), Some(Duration::from_secs(7)));
    assert_eq!(policy().delay(&limited(3600), 1), None);
    let fatal = AiError::ContextWindowExceeded {
        message: String::new(),
    };
    assert_eq!(policy().delay(&fatal, 1), None);
}

/// Opens attempts that each fail with `disconnected()`; counts the opens.
fn failing_opens(count: &Arc<AtomicU32>) -> Open {
    let count = Arc::clone(count);
    Box::new(move || {
        count.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Err(disconnected()) })
    })
}

#[tokio::test]
async fn the_classifier_decides_before_the_retry() {
    let fast = ResponsesConfig::new("m").retry_base_delay(Duration::ZERO);
    let opens = Arc::new(AtomicU32::new(0));
    let mut parts = retrying(RetryPolicy::new(&fast), failing_opens(&opens));
    let error = parts.next().await.unwrap().unwrap_err();
    assert!(matches!(error, AiError::StreamDisconnected { .. }));
    assert_eq!(opens.load(Ordering::SeqCst), 5, "four retries");

    let fatal = fast.classify_error(|error| match error {
        AiError::StreamDisconnected { message } => AiError::Unauthorized { message },
        other => other,
    });
    let opens = Arc::new(AtomicU32::new(0));
    let mut parts = retrying(RetryPolicy::new(&fatal), failing_opens(&opens));
    let error = parts.next().await.unwrap().unwrap_err();
    assert!(matches!(error, AiError::Unauthorized { .. }), "{error:?}");
    assert_eq!(opens.load(Ordering::SeqCst), 1, "no retry");
    assert!(parts.next().await.is_none());
}
