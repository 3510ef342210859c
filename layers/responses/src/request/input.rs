//! The `input` of a request: each history message encoded once into its input items,
//! kept as JSON text. A later request of the same conversation reuses the encodings
//! of the messages it shares with the previous one (the same `Arc`), so a turn
//! encodes only its new messages, and the WebSocket continuation check compares
//! pointers.

use std::collections::HashMap;
use std::sync::Arc;

use clanka_model::{AiError, Message};
use serde::ser::{Serialize, SerializeSeq, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

use super::items;

/// The input items of a request, by the message they come from.
#[derive(Debug, Clone, Default)]
pub struct Input {
    messages: Vec<Encoded>,
}

/// One message's input items (none, one, or several), as JSON text.
#[derive(Debug, Clone)]
pub(crate) struct Encoded {
    /// The history message, when the items come from one (not the system prompt
    /// placed first, nor the compaction trigger).
    source: Option<Arc<Message>>,
    items: Arc<[Box<RawValue>]>,
}

impl Encoded {
    /// `values` as the items of `source`.
    pub(crate) fn new(source: Option<Arc<Message>>, values: &[Value]) -> Result<Self, AiError> {
        let items = values
            .iter()
            .map(serde_json::value::to_raw_value)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| AiError::InvalidRequest {
                message: format!("an input item did not serialize: {e}"),
            })?;
        Ok(Self {
            source,
            items: items.into(),
        })
    }

    /// Whether `other` holds the same items: the same message, or equal JSON.
    pub(crate) fn same(&self, other: &Self) -> bool {
        let same_source = match (&self.source, &other.source) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        same_source
            || (self.items.len() == other.items.len()
                && self
                    .items
                    .iter()
                    .zip(other.items.iter())
                    .all(|(a, b)| a.get() == b.get()))
    }

    pub(crate) fn items(&self) -> &[Box<RawValue>] {
        &self.items
    }
}

impl Input {
    /// `head` (the system prompt as a message), then `messages`, then the compaction
    /// trigger when `trigger`; encodings of `previous`'s messages are reused.
    pub(crate) fn encode(
        head: Option<&Message>,
        messages: &[Arc<Message>],
        trigger: bool,
        previous: Option<&Self>,
    ) -> Result<Self, AiError> {
        let freeform = items::check_pairs(messages.iter().map(|m| &**m))?;
        let known: HashMap<usize, &Encoded> = previous
            .map(|p| {
                p.messages
                    .iter()
                    .filter_map(|e| Some((Arc::as_ptr(e.source.as_ref()?) as usize, e)))
                    .collect()
            })
            .unwrap_or_default();
        let mut encoded = Vec::with_capacity(messages.len() + 2);
        if let Some(head) = head {
            encoded.push(Encoded::new(None, &items::message_items(head, &freeform))?);
        }
        for message in messages {
            let reused = known
                .get(&(Arc::as_ptr(message) as usize))
                .map(|e| (*e).clone());
            encoded.push(match reused {
                Some(done) => done,
                None => Encoded::new(
                    Some(message.clone()),
                    &items::message_items(message, &freeform),
                )?,
            });
        }
        if trigger {
            encoded.push(Encoded::new(
                None,
                &[serde_json::json!({"type": "compaction_trigger"})],
            )?);
        }
        Ok(Self { messages: encoded })
    }

    /// How many items.
    pub fn len(&self) -> usize {
        self.messages.iter().map(|m| m.items.len()).sum()
    }

    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The items as JSON values (for inspection; requests send the text).
    pub fn values(&self) -> Vec<Value> {
        self.messages
            .iter()
            .flat_map(|m| m.items.iter())
            .filter_map(|item| serde_json::from_str(item.get()).ok())
            .collect()
    }

    pub(crate) fn messages(&self) -> &[Encoded] {
        &self.messages
    }
}

/// A run of messages' items, serialized as one JSON array.
pub(crate) struct Items<'a>(pub(crate) &'a [Encoded]);

impl Serialize for Items<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let count = self.0.iter().map(|m| m.items.len()).sum();
        let mut seq = serializer.serialize_seq(Some(count))?;
        for item in self.0.iter().flat_map(|m| m.items.iter()) {
            seq.serialize_element(item)?;
        }
        seq.end()
    }
}

impl Serialize for Input {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Items(&self.messages).serialize(serializer)
    }
}
