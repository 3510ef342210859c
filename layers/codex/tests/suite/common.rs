//! Helpers: a mock server, a file store in a temp dir, auth services and requests.

use std::time::Duration;

use clanka_codex::{
    CodexAuth, CodexAuthConfig, DeviceCodeHandlerService, RecordingDeviceCodeHandler, Token,
    TokenStore,
};
use clanka_http::{HttpClient, HttpConfig, HttpError};
use clanka_kv::KeyValueStore;
use clanka_mock::{IssuedTokens, MockOptions, MockServer, RecordedRequest};
use serde_json::{Value, json};
use tempfile::TempDir;

pub(super) struct Harness {
    pub(super) server: MockServer,
    pub(super) dir: TempDir,
    pub(super) store: KeyValueStore,
    pub(super) http: HttpClient,
    pub(super) prompts: RecordingDeviceCodeHandler,
}

impl Harness {
    pub(super) async fn start() -> Self {
        Self::with(MockOptions::default()).await
    }

    pub(super) async fn with(options: MockOptions) -> Self {
        let server = MockServer::start(options).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = KeyValueStore::file_system(dir.path().join("store")).unwrap();
        Self {
            server,
            dir,
            store,
            http: HttpClient::new(HttpConfig::default()).unwrap(),
            prompts: RecordingDeviceCodeHandler::default(),
        }
    }

    pub(super) fn config(&self, interactive: bool) -> CodexAuthConfig {
        config(&self.server.issuer_url(), interactive)
    }

    pub(super) fn auth(&self, interactive: bool) -> CodexAuth {
        self.auth_with(self.config(interactive))
    }

    pub(super) fn auth_with(&self, config: CodexAuthConfig) -> CodexAuth {
        CodexAuth::new(
            self.http.clone(),
            &self.store,
            DeviceCodeHandlerService::new(self.prompts.clone()),
            config,
        )
    }

    pub(super) fn tokens(&self) -> TokenStore {
        TokenStore::new(&self.store)
    }

    /// Stores a freshly issued token set marked as expired; returns what was issued.
    pub(super) async fn seed_expired(&self) -> IssuedTokens {
        let issued = self.server.issue_tokens();
        self.tokens().save(&expired(&issued)).await.unwrap();
        issued
    }

    pub(super) fn count(&self, what: fn(&RecordedRequest) -> bool) -> usize {
        self.server.requests().iter().filter(|r| what(r)).count()
    }

    pub(super) async fn post_responses(
        &self,
        client: &HttpClient,
    ) -> Result<reqwest::Response, HttpError> {
        let url = format!("{}/responses", self.server.codex_base_url());
        client
            .send(
                client
                    .request(reqwest::Method::POST, url)
                    .json(&responses_body()),
            )
            .await
    }
}

pub(super) fn config(issuer: &str, interactive: bool) -> CodexAuthConfig {
    CodexAuthConfig::new()
        .with_issuer(issuer)
        .with_interactive(interactive)
        .with_poll_safety_margin(Duration::ZERO)
        .with_device_timeout(Duration::from_secs(20))
}

pub(super) fn expired(issued: &IssuedTokens) -> Token {
    Token {
        access: issued.access_token.as_str().into(),
        refresh: issued.refresh_token.as_str().into(),
        expires_at_ms: 1_000,
        account_id: Some(issued.account_id.clone()),
    }
}

pub(super) fn is_refresh(r: &RecordedRequest) -> bool {
    r.path == "/oauth/token" && r.field("grant_type") == Some(&json!("refresh_token"))
}

/// A form-encoded body, as the code exchange must be.
pub(super) fn is_form(r: &RecordedRequest) -> bool {
    r.header("content-type")
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"))
}

pub(super) fn is_usercode(r: &RecordedRequest) -> bool {
    r.path == "/api/accounts/deviceauth/usercode"
}

pub(super) fn is_responses(r: &RecordedRequest) -> bool {
    r.is_responses()
}

pub(super) fn responses_body() -> Value {
    json!({
        "model": "gpt-5.5", "instructions": "be brief", "tools": [],
        "input": [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}],
        "tool_choice": "auto", "parallel_tool_calls": false, "store": false, "stream": true,
        "include": ["reasoning.encrypted_content"], "prompt_cache_key": "conv-1",
    })
}
