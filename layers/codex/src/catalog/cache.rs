//! Fetching the catalogue, and keeping it in the key-value store with its ETag so a
//! run does not fetch it each time.

use std::time::Duration;

use clanka_http::HttpClient;
use clanka_kv::{KeyValueStore, TypedStore};
use reqwest::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{CatalogSource, ModelCatalog};
use crate::token::now_ms;

/// The response header by which the backend says its catalogue changed.
pub(crate) const ETAG_HEADER: &str = "x-models-etag";

/// The key of the cached catalogue.
const CACHE_KEY: &str = "codex.models/catalog";

/// The longest wait for the backend's catalogue before the cached or built-in one is
/// used (the official client waits 5 s too).
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// What the store keeps.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Cached {
    fetched_at_ms: u64,
    etag: Option<String>,
    client_version: String,
    base_url: String,
    models: Vec<Value>,
}

/// The catalogue of one backend, cached in a store.
#[derive(Debug, Clone)]
pub(crate) struct CatalogCache {
    http: HttpClient,
    store: TypedStore<Cached>,
    base_url: String,
    client_version: String,
    ttl: Duration,
}

enum Fetched {
    New {
        models: Vec<Value>,
        etag: Option<String>,
    },
    NotModified,
}

impl CatalogCache {
    pub(crate) fn new(
        http: HttpClient,
        store: &KeyValueStore,
        base_url: String,
        client_version: String,
        ttl: Duration,
    ) -> Self {
        Self {
            http,
            store: store.typed(),
            base_url,
            client_version,
            ttl,
        }
    }

    /// The catalogue: the cached one while it is fresh, else the backend's (asked with
    /// the cached ETag), else the stale cached one, else the built-in one.
    pub(crate) async fn load(&self) -> ModelCatalog {
        let cached = self.read().await;
        if let Some(cached) = cached.as_ref().filter(|c| self.is_fresh(c)) {
            return catalog(cached, CatalogSource::Cached);
        }
        let etag = cached.as_ref().and_then(|c| c.etag.as_deref());
        let fetched = tokio::time::timeout(FETCH_TIMEOUT, self.fetch(etag)).await;
        match (fetched, cached) {
            (Ok(Ok(Fetched::New { models, etag })), _) => {
                let fresh = self.record(models, etag);
                self.write(&fresh).await;
                catalog(&fresh, CatalogSource::Fetched)
            }
            (Ok(Ok(Fetched::NotModified)), Some(mut cached)) => {
                cached.fetched_at_ms = now_ms();
                self.write(&cached).await;
                catalog(&cached, CatalogSource::Cached)
            }
            (outcome, cached) => {
                let why = match outcome {
                    Ok(Err(error)) => error,
                    Err(_) => format!("no answer within {} s", FETCH_TIMEOUT.as_secs()),
                    Ok(Ok(_)) => "304 without a cached catalogue".to_owned(),
                };
                tracing::warn!(reason = %why, "the model catalogue could not be fetched");
                match cached {
                    Some(stale) => catalog(&stale, CatalogSource::Cached),
                    None => ModelCatalog::built_in(),
                }
            }
        }
    }

    /// Marks the cached catalogue stale, so the next load asks the backend.
    pub(crate) async fn invalidate(&self) {
        if let Some(mut cached) = self.read().await {
            cached.fetched_at_ms = 0;
            self.write(&cached).await;
        }
    }

    fn is_fresh(&self, cached: &Cached) -> bool {
        let age = now_ms().saturating_sub(cached.fetched_at_ms);
        u128::from(age) < self.ttl.as_millis()
    }

    fn record(&self, models: Vec<Value>, etag: Option<String>) -> Cached {
        Cached {
            fetched_at_ms: now_ms(),
            etag,
            client_version: self.client_version.clone(),
            base_url: self.base_url.clone(),
            models,
        }
    }

    /// The cached catalogue of this backend and client version, if any.
    async fn read(&self) -> Option<Cached> {
        match self.store.get(CACHE_KEY).await {
            Ok(cached) => cached
                .filter(|c| c.base_url == self.base_url && c.client_version == self.client_version),
            Err(error) => {
                tracing::warn!(%error, "the cached model catalogue is unreadable; fetching it again");
                None
            }
        }
    }

    async fn write(&self, cached: &Cached) {
        if let Err(error) = self.store.set(CACHE_KEY, cached).await {
            tracing::warn!(%error, "the model catalogue could not be cached");
        }
    }

    async fn fetch(&self, etag: Option<&str>) -> Result<Fetched, String> {
        let mut url = reqwest::Url::parse(&format!("{}/models", self.base_url))
            .map_err(|e| format!("bad base url: {e}"))?;
        url.query_pairs_mut()
            .append_pair("client_version", &self.client_version);
        let mut request = self.http.request(Method::GET, url);
        if let Some(etag) = etag {
            request = request.header(reqwest::header::IF_NONE_MATCH, etag);
        }
        let response =
            (self.http.send(request).await).map_err(|e| clanka_model::error_chain(&e))?;
        match response.status() {
            StatusCode::NOT_MODIFIED => return Ok(Fetched::NotModified),
            status if !status.is_success() => return Err(format!("status {status}")),
            _ => {}
        }
        let header_etag = response
            .headers()
            .get(reqwest::header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body: Value = response.json().await.map_err(|e| e.to_string())?;
        let Some(models) = body.get("models").and_then(Value::as_array) else {
            return Err("the answer has no `models` list".to_owned());
        };
        let body_etag = body.get("etag").and_then(Value::as_str).map(str::to_owned);
        Ok(Fetched::New {
            models: models.clone(),
            etag: header_etag.or(body_etag),
        })
    }
}

fn catalog(cached: &Cached, source: CatalogSource) -> ModelCatalog {
    ModelCatalog::from_entries(&cached.models, source, cached.etag.clone())
}
