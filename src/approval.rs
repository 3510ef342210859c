//! Recipes that provide the [`Approver`] an agent asks before acting (see
//! [`clanka_tools::approval`] for when it asks).
//!
//! # Example
//!
//! ```
//! use clanka::approval;
//! use clanka_tools::{Action, Approver, Decision};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! // An app's own rule: commands yes, file changes no.
//! let recipe = approval::layer(Approver::from_fn(|request: clanka_tools::ApprovalRequest| async move {
//!     match request.action {
//!         Action::Command { .. } => Decision::Approve,
//!         _ => Decision::deny("this app does not let the agent change files"),
//!     }
//! }));
//! let runtime = recipe.build().await.unwrap();
//! assert!(runtime.get::<Approver>().is_ok());
//! # });
//! ```

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::sync::Arc;

pub use clanka_tools::approval::*;

use crate::runtime::Layer;

/// A recipe providing `approver`.
pub fn layer(approver: Approver) -> Layer {
    Layer::succeed(approver)
}

/// A recipe providing an approver that denies everything with `reason`: for runs no
/// one watches.
pub fn layer_deny(reason: impl Into<String>) -> Layer {
    layer(Approver::deny(reason))
}

/// A recipe providing [`console`].
pub fn layer_console() -> Layer {
    Layer::effect("approval::layer_console", |(): ()| async {
        Ok::<_, std::convert::Infallible>(console())
    })
}

/// An approver that asks on the terminal: the question on stderr, the answer (`y`es,
/// `n`o, `a`lways for this session) from stdin. When stdin is not a terminal it
/// denies, saying so. One question at a time.
pub fn console() -> Approver {
    let turn = Arc::new(tokio::sync::Mutex::new(()));
    Approver::from_fn(move |request: ApprovalRequest| {
        let turn = Arc::clone(&turn);
        async move {
            if !std::io::stdin().is_terminal() {
                return Decision::deny(
                    "no one can answer: the input is not a terminal (choose another approval policy or sandbox)",
                );
            }
            let _turn = turn.lock().await;
            let question = question(&request);
            tokio::task::spawn_blocking(move || ask(&question))
                .await
                .unwrap_or_else(|_| Decision::deny("the question could not be asked"))
        }
    })
}

/// The question, with control characters of the model's text made visible (so a
/// command cannot rewrite the terminal).
fn question(request: &ApprovalRequest) -> String {
    let sandbox = match request.sandbox {
        clanka_tools::SandboxMode::DangerFullAccess => "without a sandbox".to_owned(),
        mode => format!("in the {mode} sandbox"),
    };
    let mut text = format!(
        "\n{} wants to {} ({sandbox})\n  because {}",
        request.tool, request.action, request.reason
    );
    if let clanka_tools::ApprovalReason::SandboxDenied { output } = &request.reason {
        text.push_str("\n  it printed:\n");
        text.push_str(output);
    }
    crate::render::visible(&text).into_owned()
}

fn ask(question: &str) -> Decision {
    let mut stderr = std::io::stderr().lock();
    let _ = write!(
        stderr,
        "{question}\nAllow? [y]es / [n]o / [a]lways this session: "
    );
    let _ = stderr.flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return Decision::deny("the answer could not be read");
    }
    match answer.trim().to_lowercase().as_str() {
        "y" | "yes" => Decision::Approve,
        "a" | "always" => Decision::ApproveForSession,
        "" => Decision::deny("the user gave no answer"),
        _ => Decision::deny("the user said no"),
    }
}
