//! [`Agent`]: the handle users hold, and its recipe [`Agent::layer_local`].

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clanka_model::{LanguageModel, Message, ModelName, ModelProfile};
use clanka_tools::{Approvals, Approver, ExecPolicy, Toolkit, Workspace};
use tokio::sync::mpsc;

use super::config::{AgentConfig, SendOptions};
use super::emit::Emitter;
use super::output::AgentError;
use super::run;
use super::state::Inner;
use super::stream::AgentStream;
use super::subagent::SubagentModel;
use crate::runtime::{Context, Layer, ServiceId};
use crate::session::{Recorder, SessionStore};

/// A coding agent working in one directory. Cheap to clone; clones share the
/// conversation.
///
/// [`send`](Self::send) runs a task and streams [`Output`](super::Output) events; the
/// history is kept across sends, and one send runs at a time.
#[derive(Clone)]
pub struct Agent {
    inner: Arc<Inner>,
}

impl Agent {
    /// An agent on `model` in `directory` (which must exist).
    pub fn new(
        model: LanguageModel,
        model_name: impl Into<String>,
        directory: impl AsRef<Path>,
    ) -> std::io::Result<Self> {
        Ok(Self::from_inner(Inner::new(
            model,
            model_name.into(),
            Workspace::new(directory)?,
            AgentConfig::default(),
            0,
        )))
    }

    fn from_inner(inner: Inner) -> Self {
        Self {
            inner: Arc::new(inner),
        }
    }

    /// Changes this agent's settings; an agent that is shared (cloned) is not changed
    /// under its other holders: the result is a new agent with an empty history.
    fn map_inner(self, change: impl FnOnce(&mut Inner)) -> Self {
        let mut inner =
            Arc::try_unwrap(self.inner).unwrap_or_else(|shared| Inner::settings_of(&shared));
        change(&mut inner);
        Self::from_inner(inner)
    }

    /// This agent with `config` (a new agent with an empty history if it was cloned).
    pub fn with_config(self, config: AgentConfig) -> Self {
        self.map_inner(|inner| inner.config = config)
    }

    /// This agent knowing its model's catalogue entry (context window, tool output
    /// limit, trained tools); a new agent with an empty history if it was cloned.
    pub fn with_profile(self, profile: ModelProfile) -> Self {
        self.map_inner(|inner| inner.profile = Some(profile))
    }

    /// This agent with `toolkit` (besides its own `delegate` and `task_complete`);
    /// sub-agents get the same. A new agent with an empty history if it was cloned.
    pub fn with_toolkit(self, toolkit: Toolkit) -> Self {
        self.map_inner(|inner| inner.toolkit = toolkit)
    }

    /// This agent with `policy` for the commands its tools run (environment, login
    /// shell, sandbox, approval policy). A new agent with an empty history if it was
    /// cloned.
    pub fn with_exec_policy(self, policy: ExecPolicy) -> Self {
        self.map_inner(|inner| inner.exec = Arc::new(policy))
    }

    /// This agent asking `approver` what its approval policy asks (by default, no one
    /// is asked and it is denied); sub-agents ask the same. A new agent with an empty
    /// history if it was cloned.
    pub fn with_approver(self, approver: Approver) -> Self {
        self.map_inner(|inner| inner.approvals = Approvals::new(approver))
    }

    /// This agent recording its session into `store` from its next send on (a new
    /// agent with an empty history if it was cloned).
    pub fn with_sessions(self, store: SessionStore) -> Self {
        self.map_inner(|inner| inner.sessions = Some(store))
    }

    /// This agent continuing session `id` from its store: its history (compacted as
    /// it was last), recorded into the same session from the next send on. The
    /// agent keeps its own model, tools and directory.
    pub async fn resume(self, id: &str) -> Result<Self, AgentError> {
        let Some(store) = self.inner.sessions.clone() else {
            return Err(crate::session::SessionError::NotFound(format!(
                "{id} (this agent has no session store)"
            ))
            .into());
        };
        let (recorder, history) = Recorder::resume(&store, id).await?;
        let id = id.to_owned();
        Ok(self.map_inner(move |inner| {
            inner.conversation = id;
            let history = history.into_iter().map(Arc::new).collect();
            inner.history = Arc::new(tokio::sync::Mutex::new(history));
            inner.session = Arc::new(tokio::sync::Mutex::new(Some(recorder)));
        }))
    }

    /// The store this agent records its session in, if any.
    pub fn sessions(&self) -> Option<&SessionStore> {
        self.inner.sessions.as_ref()
    }

    /// The id of this agent's conversation: its session id, when it records one.
    pub fn session_id(&self) -> &str {
        &self.inner.conversation
    }

    /// This agent with sub-agents on `model` (a new agent with an empty history if it
    /// was cloned).
    pub fn with_subagent_model(self, model: SubagentModel) -> Self {
        self.map_inner(|inner| inner.subagent = Some(model))
    }

    /// The directory the agent works in.
    pub fn directory(&self) -> &Path {
        self.inner.workspace.root()
    }

    /// The conversation so far (empty while a send is running).
    pub fn history(&self) -> Vec<Message> {
        self.inner
            .history
            .try_lock()
            .map(|h| h.iter().map(|m| Message::clone(m)).collect())
            .unwrap_or_default()
    }

    /// Runs `prompt`, with `system` added to the agent's instructions for this send.
    ///
    /// Nothing happens until the stream is polled; dropping it stops the run.
    pub fn send(&self, prompt: impl Into<String>, system: Option<String>) -> AgentStream {
        self.send_with(
            prompt,
            SendOptions {
                system,
                ..SendOptions::default()
            },
        )
    }

    /// Runs `prompt` with `options` (instructions for this send, an output schema
    /// for the final answer).
    ///
    /// Nothing happens until the stream is polled; dropping it stops the run.
    pub fn send_with(&self, prompt: impl Into<String>, options: SendOptions) -> AgentStream {
        let Ok(mut history) = self.inner.history.clone().try_lock_owned() else {
            return AgentStream::failed(AgentError::Busy);
        };
        let (tx, rx) = mpsc::unbounded_channel();
        let inner = self.inner.clone();
        let mut cancelled = inner.cancel.subscribe();
        cancelled.mark_unchanged();
        let prompt = prompt.into();
        let driver = async move {
            let emitter = Emitter::new(tx);
            tokio::select! {
                result = run::run(&inner, &mut history, prompt, &options, &emitter) => result.map(drop),
                _ = cancelled.changed() => Err(AgentError::Cancelled),
            }
        };
        AgentStream::new(Box::pin(driver), rx)
    }

    /// Queues `message` for the model: it is given at the next point the model can
    /// take it, interrupting a text or reasoning section in progress.
    pub fn steer(&self, message: impl Into<String>) {
        self.inner.steering.push(message.into());
    }

    /// Stops the running send: the model request ends and running commands are killed.
    pub fn cancel(&self) {
        self.inner.cancel.send_modify(|generation| *generation += 1);
    }

    /// A recipe providing an [`Agent`] in `directory`.
    ///
    /// Requires a [`LanguageModel`]; reads [`ModelName`], [`ModelProfile`],
    /// [`Toolkit`] (default [`Toolkit::codex`]), the tools of
    /// [`McpServers`](clanka_mcp::McpServers), [`ExecPolicy`], [`Approver`],
    /// [`SessionStore`], [`SubagentModel`] and [`AgentConfig`] when the graph has them (without a sub-agent model, `delegate`
    /// runs on the agent's own model).
    pub fn layer_local(directory: impl Into<PathBuf>) -> Layer {
        let directory = directory.into();
        Layer::from_context(
            "agent::layer_local",
            vec![ServiceId::of::<LanguageModel>()],
            vec![ServiceId::of::<Agent>()],
            move |ctx, _| {
                let directory = directory.clone();
                async move {
                    let model: LanguageModel = ctx.get()?;
                    let name = ctx
                        .get::<ModelName>()
                        .map(|n| n.to_string())
                        .unwrap_or_else(|_| "model".to_owned());
                    let mut agent = Agent::new(model, name, &directory)?;
                    if let Ok(config) = ctx.get::<AgentConfig>() {
                        agent = agent.with_config(config);
                    }
                    if let Ok(profile) = ctx.get::<ModelProfile>() {
                        agent = agent.with_profile(profile);
                    }
                    let toolkit = ctx.get::<Toolkit>().unwrap_or_else(|_| Toolkit::codex());
                    #[cfg(feature = "mcp")]
                    let toolkit = match ctx.get::<clanka_mcp::McpServers>() {
                        Ok(servers) => toolkit.with_source(servers.source()),
                        Err(_) => toolkit,
                    };
                    agent = agent.with_toolkit(toolkit);
                    if let Ok(policy) = ctx.get::<ExecPolicy>() {
                        agent = agent.with_exec_policy(policy);
                    }
                    if let Ok(store) = ctx.get::<SessionStore>() {
                        agent = agent.with_sessions(store);
                    }
                    if let Ok(approver) = ctx.get::<Approver>() {
                        agent = agent.with_approver(approver);
                    }
                    if let Ok(sub) = ctx.get::<SubagentModel>() {
                        agent = agent.with_subagent_model(sub);
                    }
                    Ok(Context::empty().add(agent))
                }
            },
        )
        .reads(vec![
            ServiceId::of::<ModelName>(),
            ServiceId::of::<ModelProfile>(),
            ServiceId::of::<Toolkit>(),
            ServiceId::of::<ExecPolicy>(),
            ServiceId::of::<Approver>(),
            ServiceId::of::<SessionStore>(),
            ServiceId::of::<SubagentModel>(),
            ServiceId::of::<AgentConfig>(),
            #[cfg(feature = "mcp")]
            ServiceId::of::<clanka_mcp::McpServers>(),
        ])
    }
}

impl std::fmt::Debug for Agent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agent")
            .field("model", &self.inner.model_name)
            .field("directory", &self.inner.workspace.root())
            .finish_non_exhaustive()
    }
}
