//! Graphs built from the real recipes.

use clanka::runtime::{BuildError, Layer, ServiceId};
use clanka::{http, kv, socket};
use clanka_http::{HttpClient, HttpConfig};
use clanka_kv::KeyValueStore;
use clanka_socket::{SocketConfig, WebSocketConstructor};

/// A consumer of the store, standing in for a model or the auth service.
#[derive(Clone)]
struct Primary(KeyValueStore);
#[derive(Clone)]
struct Secondary(KeyValueStore);

fn primary() -> Layer {
    Layer::effect("primary", |(store,): (KeyValueStore,)| async move {
        Ok::<_, BuildError>(Primary(store))
    })
}

fn secondary() -> Layer {
    Layer::effect("secondary", |(store,): (KeyValueStore,)| async move {
        Ok::<_, BuildError>(Secondary(store))
    })
}

#[tokio::test]
async fn consumers_of_one_store_recipe_share_one_store() {
    let store = kv::layer_memory();
    let graph = primary()
        .provide(&store)
        .merge(&secondary().provide(&store));
    let runtime = graph.build().await.unwrap();
    let (Primary(a), Secondary(b)) = (runtime.get().unwrap(), runtime.get().unwrap());
    a.set("token", "shared").await.unwrap();
    assert_eq!(
        b.get_string("token").await.unwrap().as_deref(),
        Some("shared")
    );
}

#[tokio::test]
async fn fresh_gives_a_consumer_its_own_store() {
    let store = kv::layer_memory();
    let graph = primary()
        .provide(&store)
        .merge(&secondary().provide(&store.fresh()));
    let runtime = graph.build().await.unwrap();
    let (Primary(a), Secondary(b)) = (runtime.get().unwrap(), runtime.get().unwrap());
    a.set("token", "mine").await.unwrap();
    assert_eq!(b.get("token").await.unwrap(), None);
}

#[tokio::test]
async fn file_store_persists_across_builds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state");
    let store = kv::layer_file_system(&path);

    let first = store.build().await.unwrap();
    let kv: KeyValueStore = first.get().unwrap();
    kv.prefixed("codex.auth/")
        .set("token", "{\"v\":1}")
        .await
        .unwrap();
    first.shutdown().await;

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }

    let second = kv::layer_file_system(&path).build().await.unwrap();
    let kv: KeyValueStore = second.get().unwrap();
    assert_eq!(kv.keys().await.unwrap(), ["codex.auth/token"]);
}

#[tokio::test]
async fn a_file_store_that_cannot_open_fails_the_build_with_the_recipe_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let err = kv::layer_file_system(&file).build().await.unwrap_err();
    assert_eq!(err.recipe(), "kv::layer_file_system");
    assert!(matches!(err, BuildError::Failed { .. }), "{err:?}");
}

#[tokio::test]
async fn base_services_build_together() {
    let graph = Layer::merge_all([
        kv::layer_memory(),
        http::layer_reqwest(HttpConfig::default()),
        socket::layer_tungstenite(SocketConfig::default()),
    ]);
    assert!(graph.requires().is_empty());
    assert_eq!(
        graph.provides(),
        [
            ServiceId::of::<KeyValueStore>(),
            ServiceId::of::<HttpClient>(),
            ServiceId::of::<WebSocketConstructor>(),
        ]
    );
    let runtime = graph.build().await.unwrap();
    assert_eq!(runtime.context().len(), 3);
}

#[tokio::test]
async fn a_consumer_without_its_store_is_refused_before_building() {
    let err = primary()
        .merge(&http::layer_reqwest(HttpConfig::default()))
        .build()
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("KeyValueStore") && message.contains("`primary`"),
        "{message}"
    );
}

#[test]
fn check_reports_every_missing_service_and_a_misplaced_optional_one() {
    use clanka::agent::{Agent, AgentConfig};
    use clanka::runtime::{GraphProblem, Layer};

    // Nothing provides the model, nor the HTTP client the Codex client needs.
    let incomplete =
        Agent::layer_local(".").provide(&clanka::codex::layer_client(Default::default()));
    let problems = incomplete.check().unwrap_err().problems;
    let missing = problems
        .iter()
        .filter(|p| matches!(p, GraphProblem::Missing { .. }))
        .count();
    assert!(
        missing >= 2,
        "every missing service, not the first: {problems:?}"
    );

    // An AgentConfig merged next to the agent instead of provided to it is ignored.
    let model = Layer::succeed(clanka::model::LanguageModel::new(tower::service_fn(
        |_: clanka::model::Prompt| async { Ok(clanka::model::PartStream::from_parts([])) },
    )));
    let misplaced = Agent::layer_local(".")
        .provide(&model)
        .merge(&Layer::succeed(AgentConfig::default()));
    let problems = misplaced.check().unwrap_err().problems;
    assert!(
        matches!(&problems[..], [GraphProblem::Unreachable { recipe, .. }] if recipe == "agent::layer_local"),
        "{problems:?}"
    );
    let placed =
        Agent::layer_local(".").provide(&model.merge(&Layer::succeed(AgentConfig::default())));
    assert!(placed.check().is_ok());
}
