//! What one agent (or sub-agent) runs with: its model, tools, policies, session and
//! history, shared by the modules of the agent loop.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use clanka_model::{LanguageModel, Message, ModelProfile};
use clanka_tools::{Approvals, ExecPolicy, Toolkit, Workspace};
use futures_util::future::BoxFuture;
use tokio::sync::{Notify, watch};

use super::config::AgentConfig;
use super::emit::Emitter;
use super::output::AgentError;
use super::subagent::SubagentModel;
use crate::session::{Recorder, SessionStore};

/// Runs a sub-agent on a task with a history of its own, returning its summary and
/// that history. The agent loop hands it to the tools that start sub-agents, so they
/// need not know the loop.
pub(crate) type RunSubagent = for<'a> fn(
    &'a Inner,
    String,
    &'a Emitter,
) -> BoxFuture<'a, (Result<String, AgentError>, History)>;

/// A conversation's messages, shared with the prompts built from them.
pub(crate) type History = Vec<Arc<Message>>;

/// Everything one agent (or sub-agent) runs with.
pub(crate) struct Inner {
    pub(crate) model: LanguageModel,
    pub(crate) model_name: String,
    /// The model's catalogue entry, when its provider has one.
    pub(crate) profile: Option<ModelProfile>,
    pub(crate) subagent: Option<SubagentModel>,
    pub(crate) workspace: Workspace,
    pub(crate) config: AgentConfig,
    pub(crate) depth: u32,
    /// The tools offered besides the agent's own (`delegate`, `task_complete`).
    pub(crate) toolkit: Toolkit,
    /// How the tools' commands run.
    pub(crate) exec: Arc<ExecPolicy>,
    /// Who approves what the policy asks; shared with sub-agents, so an action
    /// approved for the session is approved for all of them.
    pub(crate) approvals: Approvals,
    /// Where sessions are recorded, when anywhere.
    pub(crate) sessions: Option<SessionStore>,
    /// This agent's session, from its first send (or its resume) on.
    pub(crate) session: Arc<tokio::sync::Mutex<Option<Recorder>>>,
    pub(crate) conversation: String,
    pub(crate) history: Arc<tokio::sync::Mutex<History>>,
    pub(crate) steering: Steering,
    pub(crate) cancel: watch::Sender<u64>,
}

/// Messages waiting to be given to the model at its next opportunity.
#[derive(Debug, Default)]
pub(crate) struct Steering {
    queue: Mutex<VecDeque<String>>,
    pub(crate) notify: Notify,
}

impl Steering {
    pub(crate) fn push(&self, message: String) {
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_back(message);
        self.notify.notify_one();
    }

    /// Takes every waiting message.
    pub(crate) fn drain(&self) -> Vec<String> {
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain(..)
            .collect()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
    }
}

impl Inner {
    pub(crate) fn new(
        model: LanguageModel,
        model_name: String,
        workspace: Workspace,
        config: AgentConfig,
        depth: u32,
    ) -> Self {
        Self {
            model,
            model_name,
            profile: None,
            subagent: None,
            workspace,
            config,
            depth,
            toolkit: Toolkit::codex(),
            exec: Arc::default(),
            approvals: Approvals::default(),
            sessions: None,
            session: Arc::default(),
            conversation: uuid::Uuid::new_v4().to_string(),
            history: Arc::default(),
            steering: Steering::default(),
            cancel: watch::Sender::new(0),
        }
    }

    /// A fresh sub-agent one level down: own history and plan, same directory.
    pub(crate) fn child(
        &self,
        model: LanguageModel,
        model_name: String,
        profile: Option<ModelProfile>,
    ) -> Self {
        let mut child = Self::new(
            model,
            model_name,
            self.workspace.clone(),
            self.config.clone(),
            self.depth + 1,
        );
        child.profile = profile;
        child.toolkit = self.toolkit.clone();
        child.exec = self.exec.clone();
        child.approvals = self.approvals.clone();
        child
    }
    /// A new agent with `shared`'s settings and an empty history.
    pub(crate) fn settings_of(shared: &Self) -> Self {
        let mut fresh = Self::new(
            shared.model.clone(),
            shared.model_name.clone(),
            shared.workspace.clone(),
            shared.config.clone(),
            shared.depth,
        );
        fresh.subagent = shared.subagent.clone();
        fresh.profile = shared.profile.clone();
        fresh.toolkit = shared.toolkit.clone();
        fresh.exec = shared.exec.clone();
        fresh.approvals = shared.approvals.clone();
        fresh.sessions = shared.sessions.clone();
        fresh
    }
}
