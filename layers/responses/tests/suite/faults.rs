//! Each fault of the mock, and the exact typed outcome (§3.4, §5, §9).

use std::time::Duration;

use clanka_mock::{HttpError, Scenario, ScriptedResponse};
use clanka_model::{AiError, Prompt, StreamPart};

use super::common::{config, parts, server, sse_model, text};

fn ok() -> ScriptedResponse {
    ScriptedResponse::new().message_deltas(["all ", "good"])
}

async fn run(scenario: Scenario) -> (Vec<StreamPart>, Option<AiError>, usize) {
    let server = server(scenario).await;
    let model = sse_model(config(&server)).language_model();
    let (parts, error) = parts(&model, Prompt::new().user("go")).await;
    (parts, error, server.response_requests().len())
}

#[tokio::test]
async fn a_drop_before_the_first_event_is_retried() {
    let scenario = Scenario::new().respond(ok().drop_after(0)).respond(ok());
    let (parts, error, posts) = run(scenario).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(text(&parts), "all good");
    assert_eq!(posts, 2);
}

#[tokio::test]
async fn a_drop_mid_stream_is_a_retryable_error_without_duplicates() {
    let scenario = Scenario::new()
        .respond(
            ScriptedResponse::new()
                .message_deltas(["a", "b", "c", "d"])
                .drop_after(5),
        )
        .respond(ok());
    let (parts, error, posts) = run(scenario).await;
    let error = error.expect("the stream must fail");
    assert!(
        matches!(error, AiError::StreamDisconnected { .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
    assert_eq!(posts, 1, "output was delivered, so no transparent retry");
    let deltas = text(&parts);
    assert!(
        "abcd".starts_with(&deltas) && !deltas.is_empty(),
        "{deltas}"
    );
    let starts = parts
        .iter()
        .filter(|p| matches!(p, StreamPart::ResponseStarted { .. }))
        .count();
    assert_eq!(starts, 1);
}

#[tokio::test]
async fn a_rate_limit_waits_the_delay_then_succeeds() {
    let scenario = Scenario::new()
        .respond(ScriptedResponse::new().http_error(HttpError::rate_limited(0.3)))
        .respond(ok());
    let started = tokio::time::Instant::now();
    let (parts, error, posts) = run(scenario).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(text(&parts), "all good");
    assert_eq!(posts, 2);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn a_usage_limit_is_fatal_and_carries_resets_at() {
    let scenario = Scenario::new()
        .respond(ScriptedResponse::new().http_error(HttpError::usage_limit(1_900_000_000)))
        .respond(ok());
    let (parts, error, posts) = run(scenario).await;
    let Some(AiError::UsageLimitReached {
        resets_at,
        plan_type,
        rate_limits,
        ..
    }) = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(*resets_at, Some(1_900_000_000));
    assert_eq!(plan_type.as_deref(), Some("pro"));
    assert_eq!(
        rate_limits
            .as_ref()
            .and_then(|r| r.primary)
            .map(|w| w.used_percent),
        Some(100.0)
    );
    assert!(!error.as_ref().unwrap().is_retryable());
    assert!(parts.is_empty());
    assert_eq!(posts, 1);
}

#[tokio::test]
async fn server_errors_twice_then_success() {
    let scenario = Scenario::new()
        .respond(ScriptedResponse::new().http_error(HttpError::ServerError))
        .respond(ScriptedResponse::new().http_error(HttpError::ServerError))
        .respond(ok());
    let (parts, error, posts) = run(scenario).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(text(&parts), "all good");
    assert_eq!(posts, 3);
}

#[tokio::test]
async fn an_overloaded_server_is_fatal_after_the_transport_retries() {
    // §5.1: the HTTP client retries 5xx (1 + 4 attempts); §3.4: then it is fatal.
    let overloaded = ScriptedResponse::new().http_error(HttpError::Overloaded);
    let scenario = (0..6).fold(Scenario::new(), |s, _| s.respond(overloaded.clone()));
    let (_, error, posts) = run(scenario).await;
    assert!(
        matches!(error, Some(AiError::ServerOverloaded { .. })),
        "{error:?}"
    );
    assert_eq!(posts, 5);
}

#[tokio::test]
async fn a_malformed_event_is_skipped() {
    let scenario = Scenario::new().respond(
        ScriptedResponse::new()
            .message_deltas(["x", "y", "z"])
            .malformed_event(4),
    );
    let (parts, error, posts) = run(scenario).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(posts, 1);
    assert!(matches!(parts.last(), Some(StreamPart::Finish { .. })));
    assert_eq!(
        text(&parts).len(),
        2,
        "one delta was malformed: {:?}",
        text(&parts)
    );
}

#[tokio::test]
async fn response_failed_codes_map_to_typed_errors() {
    type Check = fn(&AiError) -> bool;
    let cases: [(&str, Check); 5] = [
        ("context_length_exceeded", |e| {
            matches!(e, AiError::ContextWindowExceeded { .. })
        }),
        ("insufficient_quota", |e| {
            matches!(e, AiError::QuotaExceeded { .. })
        }),
        ("usage_not_included", |e| {
            matches!(e, AiError::UsageNotIncluded { .. })
        }),
        ("server_is_overloaded", |e| {
            matches!(e, AiError::ServerOverloaded { .. })
        }),
        ("invalid_prompt", |e| {
            matches!(e, AiError::InvalidRequest { .. })
        }),
    ];
    for (code, expected) in cases {
        let failing = ScriptedResponse::new().failed(code, "nope");
        let (_, error, posts) = run(Scenario::new().respond(failing).respond(ok())).await;
        let error = error.unwrap_or_else(|| panic!("{code}: no error"));
        assert!(expected(&error), "{code}: {error:?}");
        assert_eq!(posts, 1, "{code} is fatal: no retry");
    }
}

#[tokio::test]
async fn a_retryable_failure_is_retried_until_it_succeeds() {
    let scenario = Scenario::new()
        .respond(ScriptedResponse::new().failed("server_error", "try later"))
        .respond(ok());
    let (parts, error, posts) = run(scenario).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(text(&parts), "all good");
    assert_eq!(posts, 2);
}

#[tokio::test]
async fn a_stream_without_completed_is_an_error() {
    let scenario = Scenario::new()
        .respond(ScriptedResponse::new().message("cut").no_completed())
        .respond(ok());
    let (parts, error, posts) = run(scenario).await;
    assert!(
        matches!(error, Some(AiError::StreamDisconnected { .. })),
        "{error:?}"
    );
    assert_eq!(text(&parts), "cut");
    assert_eq!(posts, 1);
}

#[tokio::test]
async fn an_idle_stream_times_out() {
    let scenario = Scenario::new().respond(ok().delay(Duration::from_millis(800)));
    let server = server(scenario).await;
    let config = config(&server)
        .idle_timeout(Duration::from_millis(100))
        .max_retries(0);
    let model = sse_model(config).language_model();
    let (_, error) = parts(&model, Prompt::new().user("go")).await;
    assert!(
        matches!(error, Some(AiError::IdleTimeout { after }) if after == Duration::from_millis(100)),
        "{error:?}"
    );
}
