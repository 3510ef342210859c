//! How commands run: the environment they get (allow-listed, secrets never), whether
//! their shell reads the user's profile, their sandbox, and when to ask first.

use std::collections::BTreeMap;

use crate::{ApprovalPolicy, SandboxPolicy};

/// Settings of every command a tool starts.
///
/// # Example
///
/// ```
/// use clanka_tools::{EnvPolicy, ExecPolicy};
///
/// let policy = ExecPolicy::default().with_env(EnvPolicy::default().set("HOME", "/tmp/home"));
/// let env = policy.env.resolve([("PATH", "/usr/bin"), ("OPENAI_API_KEY", "sk-…"), ("EDITOR", "vi")]);
/// assert_eq!(env.get("PATH").map(String::as_str), Some("/usr/bin"));
/// assert_eq!(env.get("HOME").map(String::as_str), Some("/tmp/home"));
/// assert!(!env.contains_key("OPENAI_API_KEY"));
/// assert!(!env.contains_key("EDITOR"), "not on the allow list");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecPolicy {
    /// The environment of commands.
    pub env: EnvPolicy,
    /// Whether `exec_command` starts a login shell (`bash -lc`, reading the profile)
    /// when the model does not say (the official default: yes).
    pub login_shell: bool,
    /// The sandbox of commands (default: `workspace-write`, no network).
    pub sandbox: SandboxPolicy,
    /// When to ask the approver first (default: `on-request`).
    pub approval: ApprovalPolicy,
}

impl Default for ExecPolicy {
    fn default() -> Self {
        Self {
            env: EnvPolicy::default(),
            login_shell: true,
            sandbox: SandboxPolicy::default(),
            approval: ApprovalPolicy::default(),
        }
    }
}

impl ExecPolicy {
    /// Sets [`env`](Self::env).
    #[must_use]
    pub fn with_env(mut self, env: EnvPolicy) -> Self {
        self.env = env;
        self
    }

    /// Sets [`sandbox`](Self::sandbox).
    #[must_use]
    pub fn with_sandbox(mut self, sandbox: SandboxPolicy) -> Self {
        self.sandbox = sandbox;
        self
    }

    /// Sets [`approval`](Self::approval).
    #[must_use]
    pub fn with_approval(mut self, approval: ApprovalPolicy) -> Self {
        self.approval = approval;
        self
    }

    /// Sets [`login_shell`](Self::login_shell).
    #[must_use]
    pub fn with_login_shell(mut self, login: bool) -> Self {
        self.login_shell = login;
        self
    }
}

/// Which environment variables a command gets.
///
/// A variable is passed on when its name is on the allow list ([`DEFAULT_ALLOW`] plus
/// [`allow`](Self::allow)) and matches no deny pattern ([`DEFAULT_DENY`] plus
/// [`deny`](Self::deny): `OPENAI_API_KEY`, `CLANKA_*`, and names ending in `_TOKEN`,
/// `_KEY`, `_SECRET`, `_PASSWORD` and the like); the deny rule wins. Variables set
/// with [`set`](Self::set) are added last, whatever the rules say. A pattern is a name,
/// or a name with `*` at its start or end.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EnvPolicy {
    /// Patterns passed on besides [`DEFAULT_ALLOW`].
    pub allow: Vec<String>,
    /// Patterns never passed on besides [`DEFAULT_DENY`].
    pub deny: Vec<String>,
    /// Variables set for every command.
    pub set: BTreeMap<String, String>,
}

/// Variables commands get by default: what programs need to run, not who runs them.
pub const DEFAULT_ALLOW: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "LANG",
    "LANGUAGE",
    "LC_*",
    "TERM",
    "TZ",
    "TMPDIR",
    "PWD",
    "COLORTERM",
    "NO_COLOR",
    "CARGO_HOME",
    "RUSTUP_HOME",
    "GOPATH",
    "JAVA_HOME",
    "PYENV_ROOT",
    "VIRTUAL_ENV",
    "NODE_PATH",
    "XDG_*",
];

/// Variables commands never get: credentials, and clanka's own settings.
pub const DEFAULT_DENY: &[&str] = &[
    "OPENAI_API_KEY",
    "OPENAI_*",
    "CLANKA_*",
    "CODEX_*",
    "*_TOKEN",
    "*_TOKENS",
    "*_KEY",
    "*_KEYS",
    "*_SECRET",
    "*_SECRETS",
    "*_PASSWORD",
    "*_PASSWD",
    "*_CREDENTIALS",
    "*_AUTH",
    "AWS_*",
    "GITHUB_*",
    "GH_*",
    "SSH_AUTH_SOCK",
];

impl EnvPolicy {
    /// Passes variables matching `pattern` on too (deny patterns still win).
    #[must_use]
    pub fn allow(mut self, pattern: impl Into<String>) -> Self {
        self.allow.push(pattern.into());
        self
    }

    /// Never passes variables matching `pattern` on.
    #[must_use]
    pub fn deny(mut self, pattern: impl Into<String>) -> Self {
        self.deny.push(pattern.into());
        self
    }

    /// Sets `name` to `value` for every command.
    #[must_use]
    pub fn set(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.set.insert(name.into(), value.into());
        self
    }

    /// Whether a variable called `name` from the parent is passed on.
    pub fn passes(&self, name: &str) -> bool {
        let denied = DEFAULT_DENY
            .iter()
            .copied()
            .chain(self.deny.iter().map(String::as_str))
            .any(|pattern| matches(pattern, name));
        let allowed = DEFAULT_ALLOW
            .iter()
            .copied()
            .chain(self.allow.iter().map(String::as_str))
            .any(|pattern| matches(pattern, name));
        allowed && !denied
    }

    /// The environment of a command started from a parent with `parent`'s variables.
    pub fn resolve<K, V>(
        &self,
        parent: impl IntoIterator<Item = (K, V)>,
    ) -> BTreeMap<String, String>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut env: BTreeMap<String, String> = parent
            .into_iter()
            .filter(|(name, _)| self.passes(name.as_ref()))
            .map(|(name, value)| (name.as_ref().to_owned(), value.as_ref().to_owned()))
            .collect();
        env.extend(self.set.iter().map(|(k, v)| (k.clone(), v.clone())));
        env
    }

    /// The environment of a command started from this process.
    pub fn from_process(&self) -> BTreeMap<String, String> {
        self.resolve(std::env::vars_os().filter_map(|(name, value)| {
            Some((name.into_string().ok()?, value.into_string().ok()?))
        }))
    }
}

/// Whether `name` matches `pattern` (`*` at the start or end matches anything).
fn matches(pattern: &str, name: &str) -> bool {
    match (pattern.strip_prefix('*'), pattern.strip_suffix('*')) {
        (Some(suffix), _) => name.ends_with(suffix),
        (None, Some(prefix)) => name.starts_with(prefix),
        (None, None) => name == pattern,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_refused_even_when_allowed() {
        let policy = EnvPolicy::default().allow("*").allow("MY_API_KEY");
        for secret in [
            "OPENAI_API_KEY",
            "CLANKA_AUTH__API_KEY",
            "MY_API_KEY",
            "GITHUB_TOKEN",
            "DB_PASSWORD",
            "AWS_SECRET_ACCESS_KEY",
        ] {
            assert!(!policy.passes(secret), "{secret}");
        }
        assert!(policy.passes("EDITOR"), "allowed by `*`");
        assert!(EnvPolicy::default().passes("LC_ALL"));
        assert!(!EnvPolicy::default().passes("EDITOR"));
    }
}
