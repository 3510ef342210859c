use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use clanka_model::{FinishReason, StreamPart};
use futures_util::{StreamExt as _, stream};

use super::*;

fn policy() -> RetryPolicy {
    RetryPolicy {
        backoff: Backoff::default().with_base(Duration::ZERO),
        classify: std::convert::identity,
    }
}

fn disconnected() -> AiError {
    AiError::StreamDisconnected {
        message: "x".into(),
    }
}

/// Opens attempts that each deliver `parts`, then fail with `failure()`; counts them.
fn opens(count: &Arc<AtomicU32>, parts: Vec<StreamPart>, failure: fn() -> Failure) -> Open {
    let count = Arc::clone(count);
    Box::new(move || {
        count.fetch_add(1, Ordering::SeqCst);
        let items: Vec<Result<StreamPart, Failure>> = parts
            .iter()
            .cloned()
            .map(Ok)
            .chain([Err(failure())])
            .collect();
        let attempt: Attempt = Box::pin(stream::iter(items));
        Box::pin(async move { Ok(attempt) })
    })
}

async fn drain(mut parts: PartStream) -> (Vec<StreamPart>, Option<AiError>) {
    let mut seen = Vec::new();
    while let Some(item) = parts.next().await {
        match item {
            Ok(part) => seen.push(part),
            Err(error) => return (seen, Some(error)),
        }
    }
    (seen, None)
}

fn retries(parts: &[StreamPart]) -> Vec<Vec<String>> {
    parts
        .iter()
        .filter_map(|part| match part {
            StreamPart::Retry { discard, .. } => Some(discard.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn stream_failures_are_retried_four_times_and_discard_what_was_shown() {
    let count = Arc::new(AtomicU32::new(0));
    let shown = vec![
        StreamPart::TextStart { id: "msg_1".into() },
        StreamPart::TextDelta {
            id: "msg_1".into(),
            delta: "Hel".into(),
        },
    ];
    let open = opens(&count, shown, || Failure::stream(disconnected()));
    let (parts, error) = drain(retrying(policy(), open)).await;
    assert!(matches!(error, Some(AiError::StreamDisconnected { .. })));
    assert_eq!(
        count.load(Ordering::SeqCst),
        5,
        "the first attempt and 4 retries"
    );
    assert_eq!(retries(&parts), vec![vec!["msg_1".to_owned()]; 4]);
}

#[tokio::test]
async fn spent_and_fatal_failures_are_passed_on_at_once() {
    let count = Arc::new(AtomicU32::new(0));
    let open = opens(&count, Vec::new(), || {
        Failure::spent(AiError::Server {
            status: 500,
            message: "boom".into(),
        })
    });
    let (parts, error) = drain(retrying(policy(), open)).await;
    assert!(matches!(error, Some(AiError::Server { status: 500, .. })));
    assert!(parts.is_empty());
    assert_eq!(count.load(Ordering::SeqCst), 1);

    let count = Arc::new(AtomicU32::new(0));
    let fatal = RetryPolicy {
        classify: |error| match error {
            AiError::StreamDisconnected { message } => AiError::Unauthorized { message },
            other => other,
        },
        ..policy()
    };
    let open = opens(&count, Vec::new(), || Failure::stream(disconnected()));
    let (_, error) = drain(retrying(fatal, open)).await;
    assert!(
        matches!(error, Some(AiError::Unauthorized { .. })),
        "the classifier decides first"
    );
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_server_delay_above_the_cap_ends_the_stream() {
    let count = Arc::new(AtomicU32::new(0));
    let open = opens(&count, Vec::new(), || {
        Failure::stream(AiError::RateLimited {
            message: "slow down".into(),
            retry_after: Some(Duration::from_secs(3600)),
        })
    });
    let (_, error) = drain(retrying(policy(), open)).await;
    let error = error.unwrap();
    assert!(error.to_string().contains("retry in 3600.0 s"), "{error}");
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_retry_that_succeeds_ends_like_any_response() {
    let count = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&count);
    let open: Open = Box::new(move || {
        let first = counter.fetch_add(1, Ordering::SeqCst) == 0;
        let items: Vec<Result<StreamPart, Failure>> = if first {
            vec![Err(Failure::stream(disconnected()))]
        } else {
            vec![Ok(StreamPart::Finish {
                reason: FinishReason::Stop,
                response_id: None,
            })]
        };
        let attempt: Attempt = Box::pin(stream::iter(items));
        Box::pin(async move { Ok(attempt) })
    });
    let (parts, error) = drain(retrying(policy(), open)).await;
    assert!(error.is_none());
    assert_eq!(retries(&parts), vec![Vec::<String>::new()]);
    assert!(matches!(parts.last(), Some(StreamPart::Finish { .. })));
}
