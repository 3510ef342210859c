//! The pieces every response is built from: its identifiers, the numbered event list,
//! and word deltas. Imports no other part of the responses, so they import it.

use serde_json::{Value, json};

/// Per-response identifiers and counts.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub(crate) id: String,
    pub(crate) model: String,
    pub(crate) seed: u64,
    pub(crate) input_tokens: u64,
}

/// The events of one response and the items it outputs.
#[derive(Debug, Clone)]
pub(crate) struct Built {
    pub(crate) id: String,
    pub(crate) events: Vec<Value>,
    pub(crate) output: Vec<Value>,
}

/// Collects events, numbering them.
pub(crate) struct Emitter {
    events: Vec<Value>,
}

impl Emitter {
    /// Starts a response: `response.created`, then `response.in_progress`.
    pub(crate) fn start(ctx: &Ctx) -> Self {
        let mut out = Self { events: Vec::new() };
        let response = json!({"response": response_object(ctx, "in_progress", &[])});
        out.push("response.created", response.clone());
        out.push("response.in_progress", response);
        out
    }

    /// Ends the response with `response.completed` carrying `output` and `usage`.
    pub(crate) fn finish(mut self, ctx: &Ctx, output: Vec<Value>, usage: Value) -> Built {
        let mut response = response_object(ctx, "completed", &output);
        response["usage"] = usage;
        self.push("response.completed", json!({"response": response}));
        Built {
            id: ctx.id.clone(),
            events: self.events,
            output,
        }
    }

    pub(crate) fn push(&mut self, kind: &str, fields: Value) {
        let mut event = json!({"type": kind, "sequence_number": self.events.len()});
        if let (Some(event), Value::Object(fields)) = (event.as_object_mut(), fields) {
            event.extend(fields);
        }
        self.events.push(event);
    }
}

pub(crate) fn response_object(ctx: &Ctx, status: &str, output: &[Value]) -> Value {
    json!({
        "id": ctx.id, "object": "response", "created_at": crate::common::now_secs(),
        "status": status, "model": ctx.model, "output": output,
        "store": false, "error": null, "incomplete_details": null,
    })
}

/// Splits text into word deltas, keeping whitespace attached to the preceding word.
pub(crate) fn split_words(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut in_space = false;
    for ch in text.chars() {
        if !ch.is_whitespace() && in_space {
            parts.push(std::mem::take(&mut current));
        }
        in_space = ch.is_whitespace();
        current.push(ch);
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_keeps_spaces() {
        assert_eq!(
            split_words("Hello  big world"),
            vec!["Hello  ", "big ", "world"]
        );
        assert_eq!(split_words(""), Vec::<String>::new());
    }
}
