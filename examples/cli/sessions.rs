//! `sessions` (a table of the store's sessions), `sessions rm ID`, and which session
//! `resume` continues.

use std::path::Path;
use std::time::Duration;

use clanka::config::Config;
use clanka::render::shorten;
use clanka::session::{SessionInfo, SessionStore};

use super::{DONE, FAILED, duration, error_chain};

/// The sessions in the configured store (the one every command uses).
pub(crate) async fn store(config: &Config) -> Result<SessionStore, String> {
    let sessions = clanka::session::layer_kv().provide(&super::store_layer(config));
    let runtime = sessions
        .build()
        .await
        .map_err(|e| format!("the store cannot be opened: {}", error_chain(&e)))?;
    runtime.get().map_err(|e| e.to_string())
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
        // Cut one short of the column: the `…` takes the last place.
        shorten(&info.directory.display().to_string(), 29),
        shorten(info.first_prompt.lines().next().unwrap_or(""), 49)
    )
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
