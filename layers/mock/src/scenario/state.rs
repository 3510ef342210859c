//! Per-conversation cursors over a scenario.

use std::collections::HashMap;

use super::{Scenario, ScriptedResponse};

/// A scenario plus how far each conversation has got in each list.
#[derive(Debug, Default)]
pub(crate) struct ScenarioState {
    scenario: Scenario,
    cursors: HashMap<(List, String), usize>,
}

/// Which list of the scenario a cursor walks.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum List {
    Conversation,
    Model(String),
    Shared,
}

impl ScenarioState {
    pub(crate) fn new(scenario: Scenario) -> Self {
        Self {
            scenario,
            cursors: HashMap::new(),
        }
    }

    /// Replaces the scenario and resets every cursor.
    pub(crate) fn set(&mut self, scenario: Scenario) {
        *self = Self::new(scenario);
    }

    /// Appends a response to the shared list.
    pub(crate) fn push(&mut self, response: ScriptedResponse) {
        self.scenario.responses.push(response);
    }

    /// The next response of conversation `key`, or `None` for the default behaviour:
    /// from its own list, else from the list of the request's `model`, else from the
    /// shared list. Each conversation has a cursor per list, so a conversation that
    /// changes models starts the other model's list at its beginning.
    pub(crate) fn next(&mut self, key: &str, model: Option<&str>) -> Option<ScriptedResponse> {
        let scenario = &self.scenario;
        let by_model =
            model.and_then(|m| Some((List::Model(m.to_owned()), scenario.models.get(m)?)));
        let (list, responses) = match scenario.conversations.get(key) {
            Some(own) => (List::Conversation, own),
            None => by_model.unwrap_or((List::Shared, &scenario.responses)),
        };
        let cursor = self.cursors.entry((list, key.to_owned())).or_insert(0);
        let found = responses.get(*cursor).cloned();
        if found.is_some() {
            *cursor += 1;
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl ScenarioState {
        fn next_for(&mut self, key: &str) -> Option<ScriptedResponse> {
            self.next(key, None)
        }
    }

    #[test]
    fn model_lists_apply_to_every_conversation_of_that_model() {
        let scenario = Scenario::new()
            .respond(ScriptedResponse::new().message("shared"))
            .model("gpt-small", vec![ScriptedResponse::new().message("small")]);
        let mut state = ScenarioState::new(scenario);
        assert_eq!(
            state.next("a", Some("gpt-small")),
            Some(ScriptedResponse::new().message("small"))
        );
        assert_eq!(
            state.next("b", Some("gpt-small")),
            Some(ScriptedResponse::new().message("small"))
        );
        assert_eq!(
            state.next("c", Some("gpt-big")),
            Some(ScriptedResponse::new().message("shared"))
        );
    }

    #[test]
    fn a_conversation_that_changes_models_starts_each_list_at_its_beginning() {
        let scenario = Scenario::new()
            .model("m1", vec![ScriptedResponse::new().message("m1-a")])
            .model("m2", vec![ScriptedResponse::new().message("m2-a")]);
        let mut state = ScenarioState::new(scenario);
        assert_eq!(
            state.next("default", Some("m1")),
            Some(ScriptedResponse::new().message("m1-a"))
        );
        assert_eq!(
            state.next("default", Some("m2")),
            Some(ScriptedResponse::new().message("m2-a"))
        );
        assert_eq!(state.next("default", Some("m1")), None);
    }

    #[test]
    fn cursors_are_per_conversation() {
        let scenario = Scenario::new()
            .respond(ScriptedResponse::new().message("one"))
            .respond(ScriptedResponse::new().message("two"))
            .conversation("special", vec![ScriptedResponse::new().message("s")]);
        let mut state = ScenarioState::new(scenario);
        assert_eq!(
            state.next_for("a"),
            Some(ScriptedResponse::new().message("one"))
        );
        assert_eq!(
            state.next_for("b"),
            Some(ScriptedResponse::new().message("one"))
        );
        assert_eq!(
            state.next_for("a"),
            Some(ScriptedResponse::new().message("two"))
        );
        assert_eq!(state.next_for("a"), None);
        assert_eq!(
            state.next_for("special"),
            Some(ScriptedResponse::new().message("s"))
        );
        assert_eq!(state.next_for("special"), None);
    }
}
