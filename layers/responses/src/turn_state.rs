//! The sticky-routing token of a turn (`x-codex-turn-state`): taken from the first
//! response of the turn that carries one (a response header, or a `response.metadata`
//! event), and sent back on every later request of that turn, as the official client
//! does. Later values do not replace it.

use std::sync::{Arc, Mutex, PoisonError};

use crate::lru::Lru;

/// Turns whose tokens are kept; older ones are forgotten first.
const KEEP: usize = 1024;

/// The header (and `client_metadata` key) carrying the token.
pub(crate) const TURN_STATE: &str = "x-codex-turn-state";

/// The tokens of recent turns, by turn id.
#[derive(Debug)]
pub(crate) struct TurnStates {
    tokens: Mutex<Lru<String>>,
}

impl Default for TurnStates {
    fn default() -> Self {
        Self {
            tokens: Mutex::new(Lru::new(KEEP)),
        }
    }
}

impl TurnStates {
    /// The token of `turn`, if a response of it carried one.
    pub(crate) fn get(&self, turn: &str) -> Option<String> {
        self.lock().get(turn).cloned()
    }

    fn offer(&self, turn: &str, token: &str) {
        let mut tokens = self.lock();
        if tokens.get(turn).is_none() {
            tokens.insert(turn, token.to_owned(), |_| true);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Lru<String>> {
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner)
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
