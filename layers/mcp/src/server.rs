//! One server: its connection (a contained child over stdio, or streamable HTTP),
//! its current tools, calls with a timeout, and one restart after a crash.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use clanka_tools::sandbox::{Contained, spawn_contained};
use clanka_tools::{ExecPolicy, SandboxMode, SandboxPolicy, ToolService};
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, Implementation,
    JsonObject,
};
use rmcp::service::{NotificationContext, RunningService, ServiceError};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{ClientHandler, RoleClient, ServiceExt as _};
use tokio::io::AsyncBufReadExt as _;

use crate::{McpError, McpServerConfig, Transport, tools};

/// The client side of a connection: notices tool list changes.
#[derive(Debug, Clone)]
struct Handler {
    server: std::sync::Weak<Server>,
}

impl ClientHandler for Handler {
    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        if let Some(server) = self.server.upgrade() {
            tokio::spawn(async move { server.refresh().await });
        }
    }

    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("clanka", env!("CARGO_PKG_VERSION")),
        )
    }
}

type Client = RunningService<RoleClient, Handler>;

/// A live connection and what keeps its process contained.
struct Connection {
    client: Client,
    _contained: Option<Contained>,
}

/// How a server is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerState {
    /// Connected.
    Running,
    /// Its connection broke; the next call starts it again (once).
    Crashed,
    /// It did not start, or broke again after its restart.
    Down(String),
}

/// One configured server.
pub struct Server {
    pub(crate) config: McpServerConfig,
    exec: Arc<ExecPolicy>,
    workspace: PathBuf,
    connection: tokio::sync::Mutex<Option<Connection>>,
    state: Mutex<ServerState>,
    /// Whether the one restart was spent; held while restarting, so concurrent
    /// calls after a crash wait for that restart instead of spending another.
    restarted: tokio::sync::Mutex<bool>,
    tools: Mutex<Vec<ToolService>>,
    me: std::sync::Weak<Server>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("name", &self.config.name)
            .field("state", &self.state())
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Starts `config`'s server and lists its tools.
    pub(crate) async fn start(
        config: McpServerConfig,
        exec: Arc<ExecPolicy>,
        workspace: PathBuf,
    ) -> Result<Arc<Self>, McpError> {
        let server = Arc::new_cyclic(|me| Self {
            config,
            exec,
            workspace,
            connection: tokio::sync::Mutex::new(None),
            state: Mutex::new(ServerState::Down("not started".to_owned())),
            restarted: tokio::sync::Mutex::new(false),
            tools: Mutex::new(Vec::new()),
            me: me.clone(),
        });
        server.connect().await?;
        Ok(server)
    }

    /// The server's name.
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// How it is doing.
    pub fn state(&self) -> ServerState {
        lock(&self.state).clone()
    }

    /// Its tools, as the agent offers them.
    pub fn tools(&self) -> Vec<ToolService> {
        lock(&self.tools).clone()
    }

    /// Connects (again) and lists the tools, within the startup timeout.
    async fn connect(&self) -> Result<(), McpError> {
        let name = self.config.name.clone();
        let handler = Handler {
            server: self.me.clone(),
        };
        let connecting = async {
            let (client, contained) = match self.config.transport()? {
                Transport::Stdio { command, args } => {
                    let (transport, contained) = self.spawn(command, args).await?;
                    let client = handler
                        .serve(transport)
                        .await
                        .map_err(|e| start_error(&name, &e))?;
                    (client, Some(contained))
                }
                Transport::Http { url } => {
                    let mut config = StreamableHttpClientTransportConfig::with_uri(url);
                    if let Some(variable) = &self.config.bearer_token_env_var {
                        let token = std::env::var(variable).map_err(|_| McpError::Config {
                            server: name.clone(),
                            message: format!("the bearer token variable `{variable}` is not set"),
                        })?;
                        config = config.auth_header(token);
                    }
                    let transport =
                        StreamableHttpClientTransport::with_client(reqwest::Client::new(), config);
                    let client = handler
                        .serve(transport)
                        .await
                        .map_err(|e| start_error(&name, &e))?;
                    (client, None)
                }
            };
            let listed = client
                .peer()
                .list_all_tools()
                .await
                .map_err(|e| start_error(&name, &e))?;
            Ok::<_, McpError>((client, contained, listed))
        };
        let (client, contained, listed) =
            match tokio::time::timeout(self.config.startup_timeout(), connecting).await {
                Ok(result) => result?,
                Err(_) => {
                    return Err(McpError::Start {
                        server: name,
                        message: format!(
                            "it did not start within {:.0} s",
                            self.config.startup_timeout().as_secs_f64()
                        ),
                    });
                }
            };
        self.install(&listed);
        *self.connection.lock().await = Some(Connection {
            client,
            _contained: contained,
        });
        *lock(&self.state) = ServerState::Running;
        tracing::info!(server = %name, tools = listed.len(), "MCP server started");
        Ok(())
    }

    /// Starts the stdio child: contained, in the commands' sandbox unless the
    /// configuration says not, with the scrubbed environment plus its own.
    async fn spawn(
        &self,
        command: String,
        args: Vec<String>,
    ) -> Result<(TokioChildProcess, Contained), McpError> {
        let sandbox = if self.config.sandboxed.unwrap_or(true) {
            self.exec.sandbox.clone()
        } else {
            SandboxPolicy::default().with_mode(SandboxMode::DangerFullAccess)
        };
        let mut env = self.exec.env.from_process();
        env.extend(self.config.env.clone());
        let cwd = self
            .config
            .cwd
            .clone()
            .unwrap_or_else(|| self.workspace.clone());
        let argv: Vec<String> = std::iter::once(command).chain(args).collect();
        let name = self.config.name.clone();
        let spawned = spawn_contained(sandbox, self.workspace.clone(), argv, move |argv| {
            let mut command = tokio::process::Command::new(&argv[0]);
            command
                .args(&argv[1..])
                .env_clear()
                .envs(env)
                .current_dir(cwd)
                .process_group(0)
                .kill_on_drop(true);
            TokioChildProcess::builder(command)
                .stderr(Stdio::piped())
                .spawn()
        })
        .await
        .map_err(|e| McpError::Start {
            server: name.clone(),
            message: e.to_string(),
        })?;
        let ((transport, stderr), contained) = spawned;
        if let Some(stderr) = stderr {
            // A server's stderr is its log: kept out of the agent's output, read so
            // that a chatty server never blocks on a full pipe.
            tokio::spawn(async move {
                let mut lines = tokio::io::BufReader::new(stderr).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    tracing::debug!(server = %name, "{line}");
                }
            });
        }
        Ok((transport, contained))
    }

    /// Lists the tools again (the server said they changed).
    async fn refresh(&self) {
        let guard = self.connection.lock().await;
        let Some(connection) = guard.as_ref() else {
            return;
        };
        match connection.client.peer().list_all_tools().await {
            Ok(listed) => self.install(&listed),
            Err(error) => {
                tracing::warn!(server = %self.config.name, %error, "relisting the tools failed")
            }
        }
    }

    fn install(&self, listed: &[rmcp::model::Tool]) {
        let offered = listed
            .iter()
            .filter(|tool| self.config.offers(&tool.name))
            .map(|tool| tools::service(self.me.clone(), &self.config.name, tool))
            .collect();
        *lock(&self.tools) = offered;
    }

    /// Calls `tool` with `arguments`, within the tool timeout. A broken connection
    /// marks the server crashed; the next call starts it again, once.
    pub(crate) async fn call(
        &self,
        tool: &str,
        arguments: Option<JsonObject>,
    ) -> Result<CallToolResult, String> {
        self.ensure_running().await?;
        let mut params = CallToolRequestParams::new(tool.to_owned());
        if let Some(arguments) = arguments {
            params = params.with_arguments(arguments);
        }
        let timeout = self.config.tool_timeout();
        let guard = self.connection.lock().await;
        let Some(connection) = guard.as_ref() else {
            return Err(format!(
                "the MCP server `{}` is not running",
                self.config.name
            ));
        };
        let peer = connection.client.peer().clone();
        drop(guard);
        match tokio::time::timeout(timeout, peer.call_tool(params)).await {
            Err(_) => Err(format!(
                "the MCP tool `{tool}` did not answer within {:.0} s",
                timeout.as_secs_f64()
            )),
            Ok(Ok(result)) => Ok(result),
            Ok(Err(error)) => {
                if is_broken(&error) {
                    self.crashed().await;
                    Err(format!(
                        "the MCP server `{}` stopped during the call ({error}); it is started again on the next call",
                        self.config.name
                    ))
                } else {
                    Err(format!(
                        "the MCP server `{}` answered with an error: {error}",
                        self.config.name
                    ))
                }
            }
        }
    }

    async fn crashed(&self) {
        let old = self.connection.lock().await.take();
        *lock(&self.state) = ServerState::Crashed;
        tracing::warn!(server = %self.config.name, "MCP server connection broke");
        if let Some(old) = old {
            tokio::spawn(async move {
                let _ = old.client.cancel().await;
            });
        }
    }

    async fn ensure_running(&self) -> Result<(), String> {
        if self.state() == ServerState::Crashed {
            let mut restarted = self.restarted.lock().await;
            // Another call may have restarted it (or given up) while this one waited.
            if self.state() == ServerState::Crashed {
                if *restarted {
                    let why = "it stopped again after a restart".to_owned();
                    *lock(&self.state) = ServerState::Down(why);
                } else {
                    *restarted = true;
                    if let Err(error) = self.connect().await {
                        *lock(&self.state) = ServerState::Down(error.to_string());
                    }
                }
            }
        }
        match self.state() {
            ServerState::Running => Ok(()),
            ServerState::Down(why) => Err(format!(
                "the MCP server `{}` is down: {why}",
                self.config.name
            )),
            ServerState::Crashed => Err(format!(
                "the MCP server `{}` stopped; it is started again on the next call",
                self.config.name
            )),
        }
    }

    /// Stops the server (its process tree with it).
    pub(crate) async fn stop(&self) {
        if let Some(connection) = self.connection.lock().await.take() {
            // A server that does not exit when its stdin closes is killed with its
            // process tree when the containment guard drops, right after.
            let _ = tokio::time::timeout(STOP_TIMEOUT, connection.client.cancel()).await;
        }
        *lock(&self.state) = ServerState::Down("stopped".to_owned());
    }
}

/// Whether `error` means the connection is gone.
fn is_broken(error: &ServiceError) -> bool {
    matches!(
        error,
        ServiceError::TransportClosed | ServiceError::TransportSend(_)
    )
}

fn start_error(server: &str, error: &dyn std::fmt::Display) -> McpError {
    McpError::Start {
        server: server.to_owned(),
        message: error.to_string(),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// How long stopping a server may take before its process is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(2);
