//! The device-code flow: user code, polling, code exchange.

use std::time::Duration;

use clanka_http::HttpClient;
use http::StatusCode;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::handler::{DeviceCodeHandler, DeviceCodePrompt};
use crate::oauth::{exchange_code, read_json};
use crate::{CodexAuthConfig, CodexAuthError, Token};

/// Interval assumed when the server sends none or an unparsable one.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);

#[derive(Deserialize)]
struct UserCode {
    device_auth_id: String,
    #[serde(alias = "usercode")]
    user_code: String,
    /// A string of seconds (`"5"`) per the protocol; a number is tolerated.
    #[serde(default)]
    interval: Option<Value>,
}

#[derive(Deserialize)]
struct Approval {
    authorization_code: String,
    code_verifier: String,
}

/// Runs a device login to the end and returns the new token set.
pub(crate) async fn device_login(
    http: &HttpClient,
    config: &CodexAuthConfig,
    handler: &dyn DeviceCodeHandler,
) -> Result<Token, CodexAuthError> {
    let code = request_user_code(http, config).await?;
    handler.show(&DeviceCodePrompt {
        verification_url: config.url("/codex/device"),
        user_code: code.user_code.clone(),
        expires_in: config.device_timeout,
    });
    tracing::info!("waiting for device code approval");
    let result = async {
        let approval = poll(http, config, handler, &code).await?;
        let redirect_uri = config.url("/deviceauth/callback");
        let code = approval.authorization_code;
        exchange_code(http, config, &code, &approval.code_verifier, &redirect_uri).await
    }
    .await;
    handler.finished(result.is_ok());
    result
}

async fn request_user_code(
    http: &HttpClient,
    config: &CodexAuthConfig,
) -> Result<UserCode, CodexAuthError> {
    let request = http
        .request(
            Method::POST,
            config.url("/api/accounts/deviceauth/usercode"),
        )
        .json(&json!({"client_id": config.client_id}));
    let response = http.send(request).await?;
    match response.status() {
        StatusCode::NOT_FOUND => Err(CodexAuthError::DeviceFlowNotEnabled),
        s if !s.is_success() => Err(CodexAuthError::DeviceFlowFailed { status: Some(s) }),
        _ => read_json(response, "device user code").await,
    }
}

fn interval(code: &UserCode) -> Duration {
    let secs = match &code.interval {
        Some(Value::String(s)) => s.trim().parse().ok(),
        Some(Value::Number(n)) => n.as_u64(),
        _ => None,
    };
    secs.map_or(DEFAULT_INTERVAL, Duration::from_secs)
}

async fn poll(
    http: &HttpClient,
    config: &CodexAuthConfig,
    handler: &dyn DeviceCodeHandler,
    code: &UserCode,
) -> Result<Approval, CodexAuthError> {
    let start = Instant::now();
    let deadline = start + config.device_timeout;
    let wait = interval(code) + config.poll_safety_margin;
    let body = json!({"device_auth_id": code.device_auth_id, "user_code": code.user_code});
    loop {
        let request = http
            .request(Method::POST, config.url("/api/accounts/deviceauth/token"))
            .json(&body);
        let response = http.send(request).await?;
        match response.status() {
            s if s.is_success() => return read_json(response, "device token").await,
            StatusCode::FORBIDDEN | StatusCode::NOT_FOUND => {}
            s => return Err(CodexAuthError::DeviceFlowFailed { status: Some(s) }),
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(CodexAuthError::DeviceFlowTimedOut(config.device_timeout));
        }
        sleep_with_ticks(handler, start, (now + wait).min(deadline)).await;
    }
}

/// Sleeps until `until`, telling the handler the elapsed time about once a second.
async fn sleep_with_ticks(handler: &dyn DeviceCodeHandler, start: Instant, until: Instant) {
    loop {
        let now = Instant::now();
        handler.waiting(now - start);
        if now >= until {
            return;
        }
        tokio::time::sleep_until(until.min(now + Duration::from_secs(1))).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(interval: Option<Value>) -> UserCode {
        UserCode {
            device_auth_id: "d".into(),
            user_code: "u".into(),
            interval,
        }
    }

    #[test]
    fn interval_is_a_string_of_seconds() {
        assert_eq!(interval(&code(Some(json!("7")))), Duration::from_secs(7));
        assert_eq!(interval(&code(Some(json!(2)))), Duration::from_secs(2));
        assert_eq!(interval(&code(Some(json!("soon")))), DEFAULT_INTERVAL);
        assert_eq!(interval(&code(None)), DEFAULT_INTERVAL);
        let parsed: UserCode =
            serde_json::from_str(r#"{"device_auth_id":"d","usercode":"U-1","interval":"0"}"#)
                .unwrap();
        assert_eq!(
            (parsed.user_code.as_str(), interval(&parsed)),
            ("U-1", Duration::ZERO)
        );
    }
}
