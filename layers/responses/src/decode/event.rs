//! The fields of a Responses event the decoder reads, borrowed from the payload where
//! possible: text deltas, by far the most frequent events, allocate only their delta.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::Value;

/// One event; fields an event type lacks stay `None`, unknown fields are skipped.
#[derive(Debug, Deserialize)]
pub(super) struct Event<'a> {
    #[serde(rename = "type", borrow)]
    pub(super) kind: Cow<'a, str>,
    #[serde(default, borrow)]
    pub(super) delta: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub(super) item_id: Option<Cow<'a, str>>,
    #[serde(default)]
    pub(super) summary_index: Option<u64>,
    #[serde(default)]
    pub(super) item: Option<Value>,
    #[serde(default)]
    pub(super) response: Option<Value>,
    #[serde(default)]
    pub(super) headers: Option<Value>,
}
