//! Rate-limit snapshots from `x-codex-*` headers and `codex.rate_limits` events.

use clanka_model::{Credits, RateLimitSnapshot, RateLimitWindow};
use http::HeaderMap;
use serde::Deserialize;

/// The `x-codex-*` family of `headers`, if any of it is present.
pub(crate) fn from_headers(headers: &HeaderMap) -> Option<RateLimitSnapshot> {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    from_lookup(&get)
}

/// The same family from a JSON object of header strings (WebSocket error frames).
pub(crate) fn from_json_headers(headers: &serde_json::Value) -> Option<RateLimitSnapshot> {
    let get = |name: &str| headers.get(name).and_then(serde_json::Value::as_str);
    from_lookup(&get)
}

fn from_lookup<'a>(get: &dyn Fn(&str) -> Option<&'a str>) -> Option<RateLimitSnapshot> {
    let window = |which: &str| {
        let used = get(&format!("x-codex-{which}-used-percent"))?
            .trim()
            .parse::<f64>()
            .ok()?;
        Some(RateLimitWindow {
            used_percent: used,
            window_minutes: get(&format!("x-codex-{which}-window-minutes"))
                .and_then(|v| v.trim().parse().ok()),
            resets_at: get(&format!("x-codex-{which}-reset-at"))
                .and_then(|v| v.trim().parse().ok()),
        })
    };
    let flag = |name: &str| get(name).map(|v| matches!(v.trim(), "true" | "1" | "True"));
    let credits = flag("x-codex-credits-has-credits").map(|has_credits| Credits {
        has_credits,
        unlimited: flag("x-codex-credits-unlimited").unwrap_or(false),
        balance: get("x-codex-credits-balance").map(str::to_owned),
    });
    let snapshot = RateLimitSnapshot {
        primary: window("primary"),
        secondary: window("secondary"),
        credits,
        plan_type: get("x-codex-plan-type").map(str::to_owned),
        limit_id: Some(get("x-codex-active-limit").unwrap_or("codex").to_owned()),
    };
    (snapshot.primary.is_some() || snapshot.secondary.is_some() || snapshot.credits.is_some())
        .then_some(snapshot)
}

#[derive(Deserialize)]
struct Event {
    #[serde(default)]
    plan_type: Option<String>,
    #[serde(default)]
    rate_limits: Option<Windows>,
    #[serde(default)]
    credits: Option<Credits>,
    #[serde(default, alias = "metered_limit_name")]
    limit_name: Option<String>,
}

#[derive(Deserialize)]
struct Windows {
    #[serde(default)]
    primary: Option<EventWindow>,
    #[serde(default)]
    secondary: Option<EventWindow>,
}

#[derive(Deserialize)]
struct EventWindow {
    used_percent: f64,
    #[serde(default)]
    window_minutes: Option<u64>,
    #[serde(default, alias = "resets_at")]
    reset_at: Option<i64>,
}

/// A `codex.rate_limits` event payload.
pub(crate) fn from_event(data: &str) -> Option<RateLimitSnapshot> {
    let event: Event = serde_json::from_str(data).ok()?;
    let window = |w: Option<EventWindow>| {
        w.map(|w| RateLimitWindow {
            used_percent: w.used_percent,
            window_minutes: w.window_minutes,
            resets_at: w.reset_at,
        })
    };
    let (primary, secondary) = match event.rate_limits {
        Some(windows) => (window(windows.primary), window(windows.secondary)),
        None => (None, None),
    };
    Some(RateLimitSnapshot {
        primary,
        secondary,
        credits: event.credits,
        plan_type: event.plan_type,
        limit_id: event.limit_name,
    })
}
