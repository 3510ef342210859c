//! Rate-limit snapshots reported by providers alongside a response or an error.

use serde::{Deserialize, Serialize};

/// The state of one metered limit when the provider answered.
///
/// Codex reports one snapshot per limit family (`x-codex-*` headers or a
/// `codex.rate_limits` WebSocket event); `limit_id` tells them apart.
///
/// # Example
///
/// ```
/// use clanka_model::{RateLimitSnapshot, RateLimitWindow};
///
/// let snapshot = RateLimitSnapshot {
///     primary: Some(RateLimitWindow {
///         used_percent: 12.5,
///         window_minutes: Some(300),
///         resets_at: Some(1_704_069_000),
///     }),
///     limit_id: Some("codex".into()),
///     ..RateLimitSnapshot::default()
/// };
/// assert_eq!(snapshot.max_used_percent(), Some(12.5));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RateLimitSnapshot {
    /// The short window (Codex: 5 hours).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<RateLimitWindow>,
    /// The long window (Codex: weekly).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secondary: Option<RateLimitWindow>,
    /// Credits the account holds, if the provider reports them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credits: Option<Credits>,
    /// The account's plan (`plus`, `pro`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_type: Option<String>,
    /// Which limit this is (Codex: `codex` for the default family).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit_id: Option<String>,
}

impl RateLimitSnapshot {
    /// The highest `used_percent` of the two windows.
    pub fn max_used_percent(&self) -> Option<f64> {
        [&self.primary, &self.secondary]
            .into_iter()
            .flatten()
            .map(|window| window.used_percent)
            .reduce(f64::max)
    }
}

/// Usage of one rate-limit window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct RateLimitWindow {
    /// Share of the window used, 0 to 100.
    pub used_percent: f64,
    /// Length of the window in minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_minutes: Option<u64>,
    /// When the window resets, in Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resets_at: Option<i64>,
}

/// Credits an account holds beyond its plan's limits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credits {
    /// Whether any credits are left.
    pub has_credits: bool,
    /// Whether credits are unlimited.
    #[serde(default)]
    pub unlimited: bool,
    /// The balance as the provider formats it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<String>,
}
