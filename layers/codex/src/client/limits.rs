//! The rate limits the backend reported last, kept in the store so they can be shown
//! after the run (`status`): each response's headers or `codex.rate_limits` event,
//! and the snapshot of a reached usage limit.

use std::sync::Arc;

use clanka_kv::{KeyValueStore, TypedStore};
use clanka_model::{AiError, LanguageModel, PartStream, RateLimitSnapshot, StreamPart};
use futures_util::StreamExt as _;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;
use tower::ServiceExt as _;

use crate::token::now_ms;

/// The key of the last snapshots.
const KEY: &str = "codex.rate_limits/last";

/// The last snapshot of each limit, and when the newest arrived.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RateLimits {
    /// When the newest snapshot arrived, in Unix milliseconds.
    pub observed_at_ms: u64,
    /// One snapshot per limit (`limit_id`), the default family first.
    pub snapshots: Vec<RateLimitSnapshot>,
}

impl RateLimits {
    /// Keeps `snapshot` in place of the older one of its limit.
    fn update(&mut self, snapshot: RateLimitSnapshot) {
        self.observed_at_ms = now_ms();
        match self
            .snapshots
            .iter_mut()
            .find(|kept| kept.limit_id == snapshot.limit_id)
        {
            Some(kept) => *kept = snapshot,
            None => self.snapshots.push(snapshot),
        }
    }
}

/// Records snapshots as they pass: kept in memory (read from the store once), each
/// change written through, one write at a time, so concurrent responses of this
/// process never overwrite each other's limits.
#[derive(Debug, Clone)]
pub(crate) struct RateLimitLog {
    store: TypedStore<RateLimits>,
    /// What was last written; `None` until the store is first read.
    kept: Arc<Mutex<Option<RateLimits>>>,
}

impl RateLimitLog {
    pub(crate) fn new(store: &KeyValueStore) -> Self {
        Self {
            store: store.typed(),
            kept: Arc::default(),
        }
    }

    /// The last snapshots; an unreadable record counts as none (it is only a hint).
    pub(crate) async fn last(&self) -> Option<RateLimits> {
        self.store.get(KEY).await.ok().flatten()
    }

    /// Keeps `snapshot`; a store failure only costs the hint, so it is logged.
    async fn record(&self, snapshot: RateLimitSnapshot) {
        let mut kept = self.kept.lock().await;
        if kept.is_none() {
            *kept = Some(self.last().await.unwrap_or_default());
        }
        let limits = kept.get_or_insert_with(RateLimits::default);
        limits.update(snapshot);
        if let Err(error) = self.store.set(KEY, &*limits).await {
            tracing::debug!(%error, "the rate-limit snapshot was not kept");
        }
    }

    /// `model`, with every snapshot of its responses and errors recorded.
    pub(crate) fn watch(&self, model: LanguageModel) -> LanguageModel {
        let log = self.clone();
        LanguageModel::new(
            model.then(move |opened: Result<PartStream, AiError>| async move {
                match opened {
                    Ok(stream) => Ok(log.watch_stream(stream)),
                    Err(error) => {
                        if let Some(snapshot) = error.rate_limits() {
                            log.record(snapshot.clone()).await;
                        }
                        Err(error)
                    }
                }
            }),
        )
    }

    fn watch_stream(&self, stream: PartStream) -> PartStream {
        let log = self.clone();
        PartStream::new(stream.then(move |item| {
            let log = log.clone();
            async move {
                let snapshot = match &item {
                    Ok(StreamPart::RateLimits(snapshot)) => Some(snapshot),
                    Err(error) => error.rate_limits(),
                    Ok(_) => None,
                };
                if let Some(snapshot) = snapshot {
                    log.record(snapshot.clone()).await;
                }
                item
            }
        }))
    }
}
