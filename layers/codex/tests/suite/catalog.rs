//! The model catalogue: fetched once and cached with its ETag, asked again when it
//! expires or the backend says it changed, built in when the backend is away, and
//! enforced for models and efforts before any request.

use std::time::Duration;

use clanka_codex::{
    CatalogError, CatalogSource, ClientSettings, CodexClient, ModelCatalog, ModelChoice, ModelError,
};
use clanka_mock::{MockOptions, RecordedRequest};
use clanka_model::{Prompt, ProviderOptions, ReasoningEffort};
use clanka_socket::{SocketConfig, WebSocketConstructor};

use super::common::Harness;

fn is_models(r: &RecordedRequest) -> bool {
    r.path.ends_with("/codex/models")
}

/// A client signed in to `h`'s mock, its catalogue cached in `h`'s store.
pub(super) fn client(h: &Harness, settings: ClientSettings) -> CodexClient {
    let config = h.config(false).with_base_url(h.server.codex_base_url());
    let auth = h.auth_with(config);
    let sockets = WebSocketConstructor::tungstenite(SocketConfig::default());
    CodexClient::new(&auth, h.http.clone(), sockets, &h.store, settings)
}

pub(super) async fn signed_in(options: MockOptions) -> Harness {
    let h = Harness::with(options).await;
    let issued = h.server.issue_tokens();
    let mut token = super::common::expired(&issued);
    token.expires_at_ms = u64::MAX / 2;
    h.tokens().save(&token).await.unwrap();
    h
}

#[tokio::test]
async fn a_second_run_reads_the_cache_and_an_expired_one_asks_with_its_etag() {
    let h = signed_in(MockOptions::default()).await;
    let first = client(&h, ClientSettings::default());
    let catalog = first.catalog().await.unwrap();
    assert_eq!(catalog.source(), CatalogSource::Fetched);
    assert_eq!(catalog.etag(), Some(h.server.models_etag().as_str()));
    let fetches = h
        .server
        .requests()
        .into_iter()
        .filter(is_models)
        .collect::<Vec<_>>();
    assert_eq!(fetches.len(), 1);
    assert_eq!(fetches[0].query.as_deref(), Some("client_version=0.169.0"));

    let second = client(&h, ClientSettings::default());
    assert_eq!(
        second.catalog().await.unwrap().source(),
        CatalogSource::Cached
    );
    assert_eq!(h.count(is_models), 1, "a second run does not fetch");

    let expired = client(
        &h,
        ClientSettings::default().with_catalog_ttl(Duration::ZERO),
    );
    assert_eq!(
        expired.catalog().await.unwrap().source(),
        CatalogSource::Cached
    );
    let asked = h.server.requests().into_iter().rfind(is_models).unwrap();
    assert_eq!(h.count(is_models), 2, "an expired cache asks again");
    assert_eq!(
        asked.header("if-none-match"),
        Some(h.server.models_etag().as_str()),
        "with the cached ETag, answered 304"
    );
}

#[tokio::test]
async fn a_changed_catalogue_announced_by_the_backend_is_fetched_next_time() {
    let h = signed_in(MockOptions::default().with_models_etag_header(true)).await;
    let first = client(&h, ClientSettings::default());
    let old_etag = first.catalog().await.unwrap().etag().unwrap().to_owned();

    // The backend drops a model; its next answer announces the new catalogue.
    let mut models = h.server.models();
    models.retain(|m| m["slug"] != "gpt-6-luna");
    h.server.set_models(models);
    let (model, _) = first
        .model("gpt-5.5".into(), ProviderOptions::default(), false)
        .await
        .unwrap();
    model
        .language_model()
        .generate(Prompt::new().user("hi"))
        .await
        .unwrap();
    // The cache is marked stale in the background: wait until it is.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let cached = h.store.get_string("codex.models/catalog").await.unwrap();
        let cached: serde_json::Value = serde_json::from_str(&cached.unwrap()).unwrap();
        if cached["fetched_at_ms"] == 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never marked stale");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let next = client(&h, ClientSettings::default());
    let catalog = next.catalog().await.unwrap();
    assert_eq!(catalog.source(), CatalogSource::Fetched);
    assert_ne!(catalog.etag(), Some(old_etag.as_str()));
    assert!(catalog.get("gpt-6-luna").is_none());
    assert_eq!(h.count(is_models), 2);
}

#[tokio::test]
async fn without_the_backend_the_built_in_catalogue_is_used() {
    let h = signed_in(MockOptions::default()).await;
    let config = h
        .config(false)
        .with_base_url("http://127.0.0.1:9/backend-api/codex");
    let auth = h.auth_with(config);
    let sockets = WebSocketConstructor::tungstenite(SocketConfig::default());
    let offline = CodexClient::new(
        &auth,
        h.http.clone(),
        sockets,
        &h.store,
        ClientSettings::default(),
    );
    let catalog = offline.catalog().await.unwrap();
    assert_eq!(catalog.source(), CatalogSource::BuiltIn);
    assert_eq!(
        offline.resolve(&ModelChoice::Primary).await.unwrap(),
        "gpt-6.1-sol"
    );
}

#[tokio::test]
async fn retired_models_and_unsupported_efforts_are_refused_before_any_request() {
    let h = signed_in(MockOptions::default()).await;
    let client = client(&h, ClientSettings::default());
    let retired = client
        .model("gpt-5.3-codex".into(), ProviderOptions::default(), false)
        .await
        .unwrap_err();
    let ModelError::Catalog(CatalogError::UnknownModel { available, .. }) = &retired else {
        panic!("{retired:?}");
    };
    assert_eq!(available.first().map(String::as_str), Some("gpt-6.1-sol"));
    assert!(retired.to_string().contains("gpt-5.3-codex"));

    let effort = ProviderOptions::default().reasoning_effort(ReasoningEffort::Ultra);
    let too_much = client
        .model("gpt-5.5".into(), effort, false)
        .await
        .unwrap_err();
    assert!(
        matches!(
            too_much,
            ModelError::Catalog(CatalogError::UnsupportedEffort { .. })
        ),
        "{too_much:?}"
    );
    assert!(h.server.response_requests().is_empty());

    // The catalogue's default effort is used when none is given.
    let (_, profile) = client
        .model(ModelChoice::Primary, ProviderOptions::default(), false)
        .await
        .unwrap();
    assert_eq!(profile.slug, "gpt-6.1-sol");
    assert_eq!(profile.default_effort, Some(ReasoningEffort::Low));
}

#[test]
fn the_built_in_catalogue_is_the_mocks() {
    // Two copies of the official client's catalogue (each crate packs its own): they
    // must not drift apart.
    // The catalogue orders by priority; the file by whatever the client wrote.
    let mut ours: Vec<String> = ModelCatalog::built_in()
        .models()
        .iter()
        .map(|m| m.slug.to_string())
        .collect();
    let mut mocks: Vec<String> = clanka_mock::builtin_models()
        .iter()
        .map(|m| m["slug"].as_str().unwrap().to_owned())
        .collect();
    ours.sort();
    mocks.sort();
    assert_eq!(ours, mocks);
}
