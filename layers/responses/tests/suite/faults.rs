//! Each fault of the mock, its exact typed outcome, and who retries it: the HTTP
//! client owns request-level failures, the model owns stream-level ones.

use std::time::Duration;

use clanka_mock::{HttpError, Scenario, ScriptedResponse};
use clanka_model::{AiError, Prompt, StreamPart};
use clanka_responses::{ResponsesConfig, ResponsesModel};

use super::common::{config, http, http_without_retries, kept, parts, retries, server, text};

fn ok() -> ScriptedResponse {
    ScriptedResponse::new().message_deltas(["all ", "good"])
}

fn times(response: &ScriptedResponse, n: usize) -> Scenario {
    (0..n).fold(Scenario::new(), |s, _| s.respond(response.clone()))
}

/// Runs one request; returns the parts, the error ending them, and the POSTs seen.
async fn run_with(
    scenario: Scenario,
    build: fn(ResponsesConfig) -> ResponsesModel,
) -> (Vec<StreamPart>, Option<AiError>, usize) {
    let server = server(scenario).await;
    let model = build(config(&server)).language_model();
    let (parts, error) = parts(&model, Prompt::new().user("go")).await;
    (parts, error, server.response_requests().len())
}

/// Through the usual client, whose HTTP layer retries request-level failures.
async fn run(scenario: Scenario) -> (Vec<StreamPart>, Option<AiError>, usize) {
    run_with(scenario, |config| ResponsesModel::sse(http(), config)).await
}

/// Through a client without HTTP retries: what the model retries on its own.
async fn run_model_only(scenario: Scenario) -> (Vec<StreamPart>, Option<AiError>, usize) {
    run_with(scenario, |config| {
        ResponsesModel::sse(http_without_retries(), config)
    })
    .await
}

#[tokio::test]
async fn a_drop_before_the_first_event_is_retried_by_the_model() {
    let scenario = Scenario::new().respond(ok().drop_after(0)).respond(ok());
    let (parts, error, posts) = run_model_only(scenario).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(kept(&parts).text(), "all good");
    assert_eq!(retries(&parts), vec![Vec::<String>::new()]);
    assert_eq!(posts, 2);
}

#[tokio::test]
async fn a_drop_mid_stream_is_retried_and_the_partial_text_discarded() {
    let scenario = Scenario::new()
        .respond(
            ScriptedResponse::new()
                .message_deltas(["a", "b", "c", "d"])
                .drop_after(5),
        )
        .respond(ok());
    let (parts, error, posts) = run_model_only(scenario).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(posts, 2);
    let discarded = retries(&parts);
    assert_eq!(discarded.len(), 1);
    assert_eq!(discarded[0].len(), 1, "the partial message: {discarded:?}");
    assert!(text(&parts).starts_with('a') && text(&parts).ends_with("all good"));
    assert_eq!(
        kept(&parts).text(),
        "all good",
        "each text once after discards"
    );
}

#[tokio::test]
async fn a_persistent_drop_costs_five_requests() {
    let (parts, error, posts) = run_model_only(times(&ok().drop_after(3), 10)).await;
    assert!(
        matches!(error, Some(AiError::StreamDisconnected { .. })),
        "{error:?}"
    );
    assert_eq!(posts, 5);
    assert_eq!(retries(&parts).len(), 4);
}

#[tokio::test]
async fn a_rate_limit_is_waited_out_by_the_http_client() {
    let scenario = Scenario::new()
        .respond(ScriptedResponse::new().http_error(HttpError::rate_limited(0.3)))
        .respond(ok());
    let started = tokio::time::Instant::now();
    let (parts, error, posts) = run(scenario).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(text(&parts), "all good");
    assert!(retries(&parts).is_empty(), "the model did not retry");
    assert_eq!(posts, 2);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn a_rate_limit_longer_than_a_minute_ends_at_once_and_says_when() {
    let scenario = times(
        &ScriptedResponse::new().http_error(HttpError::rate_limited(3600.0)),
        3,
    );
    let (parts, error, posts) = run(scenario).await;
    let error = error.unwrap();
    assert!(matches!(error, AiError::RateLimited { .. }), "{error:?}");
    assert!(error.to_string().contains("retry in 3600.0 s"), "{error}");
    assert!(parts.is_empty());
    assert_eq!(posts, 1);
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
async fn server_errors_twice_then_success_are_the_http_clients() {
    let scenario = Scenario::new()
        .respond(ScriptedResponse::new().http_error(HttpError::ServerError))
        .respond(ScriptedResponse::new().http_error(HttpError::ServerError))
        .respond(ok());
    let (parts, error, posts) = run(scenario).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(text(&parts), "all good");
    assert!(retries(&parts).is_empty());
    assert_eq!(posts, 3);
}

#[tokio::test]
async fn persistent_5xx_cost_five_requests_in_all() {
    for fault in [HttpError::ServerError, HttpError::Overloaded] {
        let (parts, error, posts) = run(times(
            &ScriptedResponse::new().http_error(fault.clone()),
            30,
        ))
        .await;
        assert!(
            matches!(
                error,
                Some(AiError::Server { status: 500, .. } | AiError::ServerOverloaded { .. })
            ),
            "{error:?}"
        );
        assert!(
            retries(&parts).is_empty(),
            "the model does not retry them again"
        );
        assert_eq!(posts, 5, "{fault:?}");
    }
}

#[tokio::test]
async fn a_request_level_failure_is_not_retried_by_the_model() {
    let scenario = times(
        &ScriptedResponse::new().http_error(HttpError::ServerError),
        3,
    );
    let (_, error, posts) = run_model_only(scenario).await;
    assert!(
        matches!(error, Some(AiError::Server { status: 500, .. })),
        "{error:?}"
    );
    assert_eq!(
        posts, 1,
        "the request layer owns it, and this one does not retry"
    );
}

#[tokio::test]
async fn a_malformed_event_is_retried_never_skipped() {
    let scenario = Scenario::new()
        .respond(
            ScriptedResponse::new()
                .message_deltas(["x", "y", "z"])
                .malformed_event(4),
        )
        .respond(ScriptedResponse::new().message_deltas(["x", "y", "z"]));
    let (parts, error, posts) = run(scenario).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(posts, 2);
    assert_eq!(retries(&parts).len(), 1);
    assert_eq!(kept(&parts).text(), "xyz");
}

#[tokio::test]
async fn response_failed_codes_map_to_typed_errors() {
    type Check = fn(&AiError) -> bool;
    let cases: [(&str, Check); 4] = [
        ("context_length_exceeded", |e| {
            matches!(e, AiError::ContextWindowExceeded { .. })
        }),
        ("insufficient_quota", |e| {
            matches!(e, AiError::QuotaExceeded { .. })
        }),
        ("usage_not_included", |e| {
            matches!(e, AiError::UsageNotIncluded { .. })
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
async fn retryable_failures_are_retried_until_they_succeed() {
    for code in ["server_error", "server_is_overloaded"] {
        let scenario = Scenario::new()
            .respond(ScriptedResponse::new().failed(code, "try later"))
            .respond(ok());
        let (parts, error, posts) = run(scenario).await;
        assert!(error.is_none(), "{code}: {error:?}");
        assert_eq!(kept(&parts).text(), "all good");
        assert_eq!(posts, 2, "{code}");
    }
}

#[tokio::test]
async fn a_stream_without_completed_is_retried() {
    let scenario = Scenario::new()
        .respond(ScriptedResponse::new().message("cut").no_completed())
        .respond(ok());
    let (parts, error, posts) = run(scenario).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(kept(&parts).text(), "all good");
    assert_eq!(retries(&parts).len(), 1);
    assert_eq!(posts, 2);
}

#[tokio::test]
async fn an_idle_stream_times_out() {
    let scenario = Scenario::new().respond(ok().delay(Duration::from_millis(800)));
    let server = server(scenario).await;
    let config = config(&server)
        .idle_timeout(Duration::from_millis(100))
        .max_retries(0);
    let model = ResponsesModel::sse(http(), config).language_model();
    let (_, error) = parts(&model, Prompt::new().user("go")).await;
    assert!(
        matches!(error, Some(AiError::IdleTimeout { after }) if after == Duration::from_millis(100)),
        "{error:?}"
    );
}
