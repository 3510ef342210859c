//! The mock's rate limits, the same figures in HTTP headers and in the
//! `codex.rate_limits` event sent over WebSocket before each response.

use axum::http::HeaderMap;
use serde_json::{Value, json};

use crate::common::now_secs;

/// One window: used percent, length in minutes, seconds until it resets.
struct Window {
    used_percent: f64,
    minutes: u64,
    resets_in: u64,
}

const PRIMARY: Window = Window {
    used_percent: 12.5,
    minutes: 300,
    resets_in: 3600,
};

const SECONDARY: Window = Window {
    used_percent: 3.0,
    minutes: 7 * 24 * 60,
    resets_in: 7 * 86400,
};

const PLAN: &str = "pro";

/// Rate-limit and model headers sent with every successful response.
pub(crate) fn success_headers(headers: &mut HeaderMap, model: &str) {
    let now = now_secs();
    for (which, window) in [("primary", &PRIMARY), ("secondary", &SECONDARY)] {
        let prefix = format!("x-codex-{which}");
        let fields = [
            ("used-percent", format!("{:.1}", window.used_percent)),
            ("window-minutes", window.minutes.to_string()),
            ("reset-at", (now + window.resets_in).to_string()),
            ("reset-after-seconds", window.resets_in.to_string()),
        ];
        for (name, value) in fields {
            super::common::insert(headers, &format!("{prefix}-{name}"), &value);
        }
    }
    for (name, value) in [
        ("x-codex-credits-has-credits", "false"),
        ("x-codex-credits-unlimited", "false"),
        ("x-codex-plan-type", PLAN),
        ("openai-model", model),
    ] {
        super::common::insert(headers, name, value);
    }
}

/// The `codex.rate_limits` event.
pub(crate) fn event() -> Value {
    let now = now_secs();
    let window = |w: &Window| json!({"used_percent": w.used_percent, "window_minutes": w.minutes, "reset_at": now + w.resets_in});
    json!({
        "type": "codex.rate_limits",
        "plan_type": PLAN,
        "rate_limits": {"primary": window(&PRIMARY), "secondary": window(&SECONDARY)},
        "credits": {"has_credits": false, "unlimited": false},
        "limit_name": "codex",
    })
}
