//! Where a call runs: the workspace, the model that made it, how commands run, who
//! approves, and the state its run keeps between calls (unified exec sessions, for
//! one).

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use clanka_model::ModelProfile;

use crate::{Approvals, ExecPolicy, Workspace};

/// The context of a call. Cheap to clone; clones share the run's state.
#[derive(Clone)]
pub struct ToolContext {
    workspace: Workspace,
    model: Option<Arc<ModelProfile>>,
    exec: Arc<ExecPolicy>,
    approvals: Approvals,
    run: RunState,
}

impl ToolContext {
    /// A context in `workspace` for a run of its own.
    pub fn new(workspace: Workspace) -> Self {
        Self {
            workspace,
            model: None,
            exec: Arc::default(),
            approvals: Approvals::default(),
            run: RunState::default(),
        }
    }

    /// This context with `policy` for the commands its tools start.
    #[must_use]
    pub fn with_exec(mut self, policy: Arc<ExecPolicy>) -> Self {
        self.exec = policy;
        self
    }

    /// How commands run.
    pub fn exec(&self) -> &ExecPolicy {
        &self.exec
    }

    /// This context with `approvals` answering what the policy asks.
    #[must_use]
    pub fn with_approvals(mut self, approvals: Approvals) -> Self {
        self.approvals = approvals;
        self
    }

    /// Who answers what the approval policy asks (by default: no one, so it is
    /// denied).
    pub fn approvals(&self) -> &Approvals {
        &self.approvals
    }

    /// This context for calls of `model`.
    #[must_use]
    pub fn with_model(mut self, model: Option<ModelProfile>) -> Self {
        self.model = model.map(Arc::new);
        self
    }

    /// The directory the agent works in.
    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    /// The catalogue entry of the model that made the call, when known.
    pub fn model(&self) -> Option<&ModelProfile> {
        self.model.as_deref()
    }

    /// The state of the run, kept between its calls and dropped when it ends.
    pub fn run(&self) -> &RunState {
        &self.run
    }
}

impl fmt::Debug for ToolContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToolContext")
            .field("workspace", &self.workspace.root())
            .field("model", &self.model.as_ref().map(|m| &m.slug))
            .finish_non_exhaustive()
    }
}

/// State a run keeps between the calls of its tools, one value per type; dropped
/// (with, say, the processes it owns) when the last clone of the run's context is.
#[derive(Clone, Default)]
pub struct RunState {
    values: Arc<Mutex<HashMap<TypeId, Box<dyn Any + Send + Sync>>>>,
}

impl RunState {
    /// The run's value of type `T`, made with `make` the first time.
    pub fn get_or_insert_with<T>(&self, make: impl FnOnce() -> T) -> T
    where
        T: Any + Clone + Send + Sync,
    {
        let mut values = self.values.lock().unwrap_or_else(PoisonError::into_inner);
        let id = TypeId::of::<T>();
        if let Some(value) = values.get(&id).and_then(|v| v.downcast_ref::<T>()) {
            return value.clone();
        }
        let value = make();
        values.insert(id, Box::new(value.clone()));
        value
    }
}

impl fmt::Debug for RunState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RunState")
    }
}
