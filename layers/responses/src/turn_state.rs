//! The sticky-routing token of a turn (`x-codex-turn-state`): taken from the first
//! response of the turn that carries one (a response header, or a `response.metadata`
//! event), and sent back on every later request of that turn, as the official client
//! does. Later values do not replace it.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

/// Turns whose tokens are kept; older ones are forgotten first.
const KEEP: usize = 1024;

/// The header (and `client_metadata` key) carrying the token.
pub(crate) const TURN_STATE: &str = "x-codex-turn-state";

/// The tokens of recent turns, by turn id.
#[derive(Debug, Default)]
pub(crate) struct TurnStates {
    inner: Mutex<Known>,
}

#[derive(Debug, Default)]
struct Known {
    tokens: HashMap<String, String>,
    order: VecDeque<String>,
}

impl TurnStates {
    /// The token of `turn`, if a response of it carried one.
    pub(crate) fn get(&self, turn: &str) -> Option<String> {
        self.lock().tokens.get(turn).cloned()
    }

    fn offer(&self, turn: &str, token: &str) {
        let mut known = self.lock();
        if known.tokens.contains_key(turn) {
            return;
        }
        if known.order.len() >= KEEP
            && let Some(oldest) = known.order.pop_front()
        {
            known.tokens.remove(&oldest);
        }
        known.order.push_back(turn.to_owned());
        known.tokens.insert(turn.to_owned(), token.to_owned());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Known> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Where one attempt reports the token it saw.
#[derive(Debug, Clone)]
pub(crate) struct TurnSlot {
    states: Arc<TurnStates>,
    turn: String,
}

impl TurnSlot {
    pub(crate) fn new(states: Arc<TurnStates>, turn: String) -> Self {
        Self { states, turn }
    }

    /// The turn's id.
    pub(crate) fn id(&self) -> &str {
        &self.turn
    }

    /// Keeps `token` for the turn unless it already has one.
    pub(crate) fn offer(&self, token: &str) {
        if !token.is_empty() {
            self.states.offer(&self.turn, token);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_token_of_a_turn_wins_and_old_turns_are_forgotten() {
        let states = Arc::new(TurnStates::default());
        let slot = TurnSlot::new(states.clone(), "turn-1".into());
        slot.offer("ts-1");
        slot.offer("ts-2");
        assert_eq!(states.get("turn-1").as_deref(), Some("ts-1"));
        for n in 0..KEEP {
            TurnSlot::new(states.clone(), format!("t{n}")).offer("x");
        }
        assert_eq!(states.get("turn-1"), None);
        assert_eq!(states.get(&format!("t{}", KEEP - 1)).as_deref(), Some("x"));
    }
}
