use std::time::Duration;

use clanka_model::AiError;

use super::RetryPolicy;
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
