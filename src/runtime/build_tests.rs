use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use pretty_assertions::assert_eq;

use super::*;
use crate::runtime::{BoxError, ServiceId};

type Log = Arc<Mutex<Vec<String>>>;

#[derive(Clone, Debug, PartialEq)]
struct Config(&'static str);

/// A service whose instances are told apart by a serial number.
#[derive(Clone, Debug)]
struct Client {
    serial: usize,
}

#[derive(Clone, Debug)]
struct Primary(Client);

#[derive(Clone, Debug)]
struct Secondary(Client);

/// A client recipe that counts its builds and logs build and release.
fn client_layer(builds: &Arc<AtomicUsize>, log: &Log) -> Layer {
    let builds = builds.clone();
    let log = log.clone();
    Layer::scoped("client", move |(_config,): (Config,), scope: Scope| {
        let serial = builds.fetch_add(1, Ordering::SeqCst);
        let log = log.clone();
        async move {
            log.lock().unwrap().push(format!("build client {serial}"));
            scope.on_close("client", move || {
                log.lock().unwrap().push(format!("release client {serial}"))
            });
            Ok::<_, BoxError>(Client { serial })
        }
    })
}

fn logged<T: Clone + Send + Sync + 'static>(
    name: &'static str,
    log: &Log,
    make: fn(Client) -> T,
) -> Layer {
    let log = log.clone();
    Layer::scoped(name, move |(client,): (Client,), scope: Scope| {
        let log = log.clone();
        async move {
            log.lock().unwrap().push(format!("build {name}"));
            scope.on_close(name, move || {
                log.lock().unwrap().push(format!("release {name}"))
            });
            Ok::<_, BoxError>(make(client))
        }
    })
}

fn fixture() -> (Arc<AtomicUsize>, Log, Layer) {
    let builds = Arc::new(AtomicUsize::new(0));
    let log: Log = Arc::default();
    let client = client_layer(&builds, &log);
    (builds, log, client)
}

#[tokio::test]
async fn succeed_and_effect_compose_with_provide() {
    let config = Layer::succeed(Config("cfg"));
    let (_, _, client) = fixture();
    let runtime = client.provide(&config).build().await.unwrap();
    assert_eq!(runtime.get::<Client>().unwrap().serial, 0);
    // `provide` hides the dependency's services from the result.
    assert!(runtime.get::<Config>().is_err());
}

#[tokio::test]
async fn provide_merge_keeps_both_outputs() {
    let config = Layer::succeed(Config("cfg"));
    let (_, _, client) = fixture();
    let runtime = client.provide_merge(&config).build().await.unwrap();
    assert_eq!(runtime.get::<Config>().unwrap(), Config("cfg"));
    assert!(runtime.get::<Client>().is_ok());
}

#[tokio::test]
async fn merge_builds_both_from_the_same_input() {
    let (_, log, client) = fixture();
    let primary = logged("primary", &log, Primary);
    let secondary = logged("secondary", &log, Secondary);
    let graph = primary
        .merge(&secondary)
        .provide(&client)
        .provide(&Layer::succeed(Config("c")));
    let runtime = graph.build().await.unwrap();
    assert!(runtime.get::<Primary>().is_ok() && runtime.get::<Secondary>().is_ok());
    assert!(runtime.get::<Client>().is_err());
}

#[tokio::test]
async fn one_recipe_value_used_twice_builds_once() {
    let (builds, log, client) = fixture();
    let config = Layer::succeed(Config("c"));
    // Two "models", each given the same client recipe separately.
    let primary = logged("primary", &log, Primary).provide(&client);
    let secondary = logged("secondary", &log, Secondary).provide(&client);
    let runtime = primary
        .merge(&secondary)
        .provide(&config)
        .build()
        .await
        .unwrap();
    assert_eq!(builds.load(Ordering::SeqCst), 1);
    let (p, s) = (
        runtime.get::<Primary>().unwrap(),
        runtime.get::<Secondary>().unwrap(),
    );
    assert_eq!((p.0.serial, s.0.serial), (0, 0));
}

#[tokio::test]
async fn memoization_is_per_build() {
    let (builds, _, client) = fixture();
    let graph = client.provide(&Layer::succeed(Config("c")));
    let first = graph.build().await.unwrap();
    let second = graph.build().await.unwrap();
    assert_eq!(builds.load(Ordering::SeqCst), 2);
    assert_ne!(
        first.get::<Client>().unwrap().serial,
        second.get::<Client>().unwrap().serial
    );
}

#[tokio::test]
async fn fresh_builds_a_second_instance() {
    let (builds, log, client) = fixture();
    let primary = logged("primary", &log, Primary).provide(&client);
    let secondary = logged("secondary", &log, Secondary).provide(&client.fresh());
    let runtime = primary
        .merge(&secondary)
        .provide(&Layer::succeed(Config("c")))
        .build()
        .await
        .unwrap();
    assert_eq!(builds.load(Ordering::SeqCst), 2);
    let (p, s) = (
        runtime.get::<Primary>().unwrap(),
        runtime.get::<Secondary>().unwrap(),
    );
    assert_ne!(p.0.serial, s.0.serial);
}

#[tokio::test]
async fn missing_service_fails_before_anything_is_built() {
    let (builds, log, client) = fixture();
    // `primary` builds first and would log; the client lacks its Config.
    let graph = logged("primary", &log, Primary).provide_merge(&client);
    let err = graph.build().await.unwrap_err();
    match &err {
        BuildError::MissingService { service, recipe } => {
            assert_eq!(*service, ServiceId::of::<Config>());
            assert_eq!(recipe, "client");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("build::tests::Config"), "{err}");
    assert_eq!(builds.load(Ordering::SeqCst), 0);
    assert!(log.lock().unwrap().is_empty());
}

#[tokio::test]
async fn requirements_and_provisions_are_declared() {
    let (_, log, client) = fixture();
    let primary = logged("primary", &log, Primary);
    let graph = primary.provide_merge(&client);
    assert_eq!(graph.requires(), vec![ServiceId::of::<Config>()]);
    assert_eq!(
        graph.provides(),
        vec![ServiceId::of::<Client>(), ServiceId::of::<Primary>()]
    );
    assert_eq!(
        primary.provide(&client).provides(),
        vec![ServiceId::of::<Primary>()]
    );
}

#[tokio::test]
async fn build_with_uses_the_given_context() {
    let (_, _, client) = fixture();
    let ctx = Context::empty().add(Config("outside"));
    let runtime = client.build_with(&ctx).await.unwrap();
    assert_eq!(runtime.get::<Config>().unwrap(), Config("outside"));
    assert!(runtime.get::<Client>().is_ok());
}

#[tokio::test]
async fn shutdown_releases_in_reverse_build_order() {
    let (_, log, client) = fixture();
    let graph = logged("primary", &log, Primary)
        .merge(&logged("secondary", &log, Secondary))
        .provide(&client)
        .provide(&Layer::succeed(Config("c")));
    graph.build().await.unwrap().shutdown().await;
    assert_eq!(
        *log.lock().unwrap(),
        [
            "build client 0",
            "build primary",
            "build secondary",
            "release secondary",
            "release primary",
            "release client 0",
        ]
    );
}

#[tokio::test]
async fn dropping_the_runtime_releases_too() {
    let (_, log, client) = fixture();
    let runtime = client
        .provide(&Layer::succeed(Config("c")))
        .build()
        .await
        .unwrap();
    let scope = runtime.scope().clone();
    drop(runtime);
    assert!(scope.is_closed());
    // The finalizers run in a task spawned on this runtime.
    for _ in 0..100 {
        if log.lock().unwrap().len() == 2 {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(*log.lock().unwrap(), ["build client 0", "release client 0"]);
}

#[tokio::test]
async fn failed_build_releases_what_it_built() {
    let (_, log, client) = fixture();
    let failing = Layer::effect("failing", |(_client,): (Client,)| async {
        Err::<Primary, _>(std::io::Error::other("boom"))
    });
    let err = failing
        .provide_merge(&client)
        .provide(&Layer::succeed(Config("c")))
        .build()
        .await
        .unwrap_err();
    assert_eq!(err.recipe(), "failing");
    assert!(matches!(err, BuildError::Failed { .. }));
    assert_eq!(std::error::Error::source(&err).unwrap().to_string(), "boom");
    assert_eq!(*log.lock().unwrap(), ["build client 0", "release client 0"]);
}

#[tokio::test]
async fn a_recipe_must_provide_what_it_declares() {
    let liar = Layer::from_context(
        "liar",
        Vec::new(),
        vec![ServiceId::of::<Config>()],
        |_, _| async { Ok(Context::empty()) },
    );
    let err = liar.build().await.unwrap_err();
    assert!(matches!(err, BuildError::NotProvided { .. }), "{err:?}");
}

#[tokio::test]
async fn from_context_sees_the_whole_input_but_exports_only_its_declarations() {
    let capture = Layer::from_context(
        "capture",
        vec![ServiceId::of::<Config>()],
        vec![ServiceId::of::<Primary>()],
        |ctx: Context, _| async move {
            let names = ctx.services().len();
            Ok(ctx.add(Primary(Client { serial: names })))
        },
    );
    let runtime = capture
        .provide(&Layer::succeed(Config("c")))
        .build()
        .await
        .unwrap();
    assert_eq!(runtime.get::<Primary>().unwrap().0.serial, 1);
    assert!(runtime.get::<Config>().is_err());
}
