use clanka_kv::KeyValueStore;
use clanka_model::{AssistantItem, Message, Usage};
use pretty_assertions::assert_eq;

use super::*;

fn exchange(n: usize) -> Vec<Message> {
    vec![
        Message::Assistant {
            items: vec![AssistantItem::tool_call(
                format!("call_{n}"),
                "exec_command",
                "{}",
            )],
        },
        Message::tool_result(format!("call_{n}"), format!("output {n}")),
    ]
}

fn usage(input: u64) -> Usage {
    Usage {
        input_tokens: input,
        ..Usage::default()
    }
}

async fn recorded(store: &SessionStore, id: &str, dir: &Path) -> (Recorder, Vec<Message>) {
    let recorder = store
        .create(NewSession::new(id, dir, "gpt-5.5", "do it"))
        .await
        .unwrap();
    let mut history = vec![Message::user("do it")];
    for n in 0..3 {
        history.extend(exchange(n));
        recorder
            .sync(&history, usage(10 * (n as u64 + 1)))
            .await
            .unwrap();
    }
    (recorder, history)
}

#[tokio::test]
async fn a_file_store_keeps_every_exchange_and_ignores_an_unfinished_one() {
    let dir = tempfile::tempdir().unwrap();
    let kv = KeyValueStore::file_system(dir.path().join("store")).unwrap();
    let store = SessionStore::new(&kv);
    let (_, history) = recorded(&store, "s1", dir.path()).await;
    let session = store.load("s1").await.unwrap();
    assert_eq!(session.history, history);
    assert_eq!(session.info.chunks, 3, "one chunk per exchange");
    assert_eq!(session.info.usage.input_tokens, 60, "added up");
    assert_eq!(session.info.directory, dir.path().canonicalize().unwrap());
    // A chunk written just before a crash, its record never updated: not counted.
    kv.set(
        "sessions/s1/h0/000003",
        serde_json::to_vec(&exchange(9)).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(store.load("s1").await.unwrap().history, history);
}

#[tokio::test]
async fn a_compaction_starts_a_new_generation_and_drops_the_old() {
    let kv = KeyValueStore::memory();
    let store = SessionStore::new(&kv);
    let (recorder, _) = recorded(&store, "s2", Path::new("/tmp")).await;
    let compacted = vec![
        Message::user("do it"),
        Message::Assistant {
            items: vec![AssistantItem::Compaction {
                id: Some("cmp_1".into()),
                encrypted_content: "opaque".into(),
            }],
        },
    ];
    recorder.replace(&compacted, usage(40)).await.unwrap();
    let mut history = compacted.clone();
    history.extend(exchange(7));
    recorder.sync(&history, usage(50)).await.unwrap();
    let session = store.load("s2").await.unwrap();
    assert_eq!(session.history, history);
    assert_eq!(
        (
            session.info.generation,
            session.info.chunks,
            session.info.compactions
        ),
        (1, 2, 1)
    );
    let keys = kv.keys().await.unwrap();
    assert!(keys.iter().all(|k| !k.contains("/h0/")), "{keys:?}");
}

#[tokio::test]
async fn damaged_and_foreign_records_fail_with_the_session_named() {
    let kv = KeyValueStore::memory();
    let store = SessionStore::new(&kv);
    recorded(&store, "good", Path::new("/tmp")).await;
    kv.set("sessions/old/meta", r#"{"format":0,"id":"old"}"#)
        .await
        .unwrap();
    kv.set("sessions/torn/meta", r#"{"format":1,"id":"to"#)
        .await
        .unwrap();
    recorded(&store, "chunky", Path::new("/tmp")).await;
    kv.set("sessions/chunky/h0/000001", "[{\"role\":")
        .await
        .unwrap();

    let old = store.load("old").await.unwrap_err();
    assert!(
        matches!(old, SessionError::Version { found: 0, .. }),
        "{old}"
    );
    assert!(old.to_string().contains("`old`"));
    let torn = store.load("torn").await.unwrap_err();
    assert!(matches!(torn, SessionError::Damaged { .. }), "{torn}");
    let chunky = store.load("chunky").await.unwrap_err().to_string();
    assert!(
        chunky.contains("`chunky`") && chunky.contains("h0/000001"),
        "{chunky}"
    );
    assert!(matches!(
        store.load("none").await,
        Err(SessionError::NotFound(_))
    ));

    let listed = store.list().await.unwrap();
    assert_eq!(listed.len(), 4);
    assert_eq!(
        listed.iter().filter(|l| l.is_err()).count(),
        2,
        "one damaged record hides no other"
    );
}

#[tokio::test]
async fn the_latest_session_of_a_directory_and_removal() {
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let kv = KeyValueStore::memory();
    let store = SessionStore::new(&kv);
    recorded(&store, "a", dirs.0.path()).await;
    recorded(&store, "b", dirs.1.path()).await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let (recorder, mut history) = recorded(&store, "c", dirs.0.path()).await;
    history.extend(exchange(5));
    recorder.sync(&history, usage(1)).await.unwrap();
    assert_eq!(
        store.latest_in(dirs.0.path()).await.unwrap().unwrap().id,
        "c"
    );
    assert_eq!(
        store.latest_in(dirs.1.path()).await.unwrap().unwrap().id,
        "b"
    );
    recorder
        .record_subagent(SubagentRun {
            call_id: "call_d".into(),
            model: "gpt-5.4-mini".into(),
            task: "read".into(),
            history: exchange(1),
        })
        .await
        .unwrap();
    let session = store.load("c").await.unwrap();
    assert_eq!(session.subagents.len(), 1);
    assert_eq!(session.info.models, ["gpt-5.5", "gpt-5.4-mini"]);
    store.remove("c").await.unwrap();
    assert_eq!(
        store.latest_in(dirs.0.path()).await.unwrap().unwrap().id,
        "a"
    );
    assert!(
        kv.keys()
            .await
            .unwrap()
            .iter()
            .all(|k| !k.starts_with("sessions/c/"))
    );
    assert!(matches!(
        store.remove("c").await,
        Err(SessionError::NotFound(_))
    ));
}
