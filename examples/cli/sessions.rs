//! `sessions` (a table of the store's sessions), `sessions rm ID`, and which session
//! `resume` continues.

use std::path::Path;
use std::time::Duration;

use clanka::config::Config;
use clanka::session::{SessionInfo, SessionStore};
use clanka_kv::KeyValueStore;

use super::{DONE, FAILED, duration, error_chain};

/// The sessions in the configured store (Redis when `store.url` is set).
pub(crate) async fn store(config: &Config) -> Result<SessionStore, String> {
    let kv = match &config.store.url {
        Some(url) => clanka_kv::RedisStore::connect_with(url.expose(), config.redis_options())
            .await
            .map(KeyValueStore::new),
        None => KeyValueStore::file_system(&config.store.dir),
    }
    .map_err(|e| format!("the store cannot be opened: {}", error_chain(&e)))?;
    Ok(SessionStore::new(&kv))
}

/// `sessions`: id, age, directory, first prompt, tokens; newest first.
pub(crate) async fn list(config: &Config) -> u8 {
    let store = match store(config).await {
        Ok(store) => store,
        Err(message) => {
            eprintln!("error: {message}");
            return FAILED;
        }
    };
    let sessions = match store.list().await {
        Ok(sessions) => sessions,
        Err(error) => {
            eprintln!("error: {}", error_chain(&error));
            return FAILED;
        }
    };
    if sessions.is_empty() {
        println!("no sessions yet");
        return DONE;
    }
    let now = clanka::session::now_ms();
    println!(
        "{:<36}  {:>8}  {:>9}  {:<30}  first prompt",
        "id", "age", "tokens", "directory"
    );
    for listed in sessions {
        match listed {
            Ok(info) => println!("{}", row(&info, now)),
            Err(error) => println!("{}", error_chain(&error)),
        }
    }
    DONE
}

fn row(info: &SessionInfo, now_ms: u64) -> String {
    let age = duration(Duration::from_millis(
        now_ms.saturating_sub(info.updated_ms),
    ));
    let tokens = info.usage.input_tokens + info.usage.output_tokens;
    format!(
        "{:<36}  {:>8}  {:>9}  {:<30}  {}",
        info.id,
        age,
        tokens,
        shorten(&info.directory.display().to_string(), 30),
        shorten(info.first_prompt.lines().next().unwrap_or(""), 50)
    )
}

/// `text` cut to `width` characters, its start kept.
fn shorten(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let kept: String = text.chars().take(width.saturating_sub(1)).collect();
    format!("{kept}…")
}

/// `sessions rm ID`.
pub(crate) async fn remove(config: &Config, id: &str) -> u8 {
    let result = match store(config).await {
        Ok(store) => store.remove(id).await.map_err(|e| error_chain(&e)),
        Err(message) => Err(message),
    };
    match result {
        Ok(()) => {
            println!("removed session {id}");
            DONE
        }
        Err(message) => {
            eprintln!("error: {message}");
            FAILED
        }
    }
}

/// The id `resume` continues: the newest session in `directory` with `--last`,
/// else the given one.
pub(crate) async fn target(
    store: &SessionStore,
    last: bool,
    id: Option<&str>,
    directory: &Path,
) -> Result<String, String> {
    if let Some(id) = id.filter(|_| !last) {
        return Ok(id.to_owned());
    }
    match store.latest_in(directory).await {
        Ok(Some(info)) => Ok(info.id),
        Ok(None) => Err(format!(
            "no session was recorded in {}; `sessions` lists them all",
            directory.display()
        )),
        Err(error) => Err(error_chain(&error)),
    }
}
