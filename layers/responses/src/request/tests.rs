use clanka_model::{
    AssistantItem, Message, Prompt, ProviderOptions, ReasoningEffort, ReasoningSummary,
    ResponseFormat, Tool, ToolChoice, UserPart, Verbosity,
};
use serde_json::json;

use super::ResponsesRequest;
use crate::ResponsesConfig;

fn config() -> ResponsesConfig {
    ResponsesConfig::new("gpt-5.5")
}

fn reasoning(id: &str, encrypted: Option<&str>) -> AssistantItem {
    AssistantItem::Reasoning {
        id: Some(id.to_owned()),
        summary: vec!["thinking".to_owned()],
        encrypted_content: encrypted.map(str::to_owned),
    }
}

#[test]
fn a_minimal_prompt_gets_the_backend_defaults() {
    let request = ResponsesRequest::build(&Prompt::new().user("hi"), &config(), "conv-0").unwrap();
    insta::assert_snapshot!(serde_json::to_string_pretty(&request).unwrap());
}

#[test]
fn a_full_conversation_maps_every_item_kind() {
    let options = ProviderOptions::default()
        .reasoning_effort(ReasoningEffort::Low)
        .reasoning_summary(ReasoningSummary::Concise)
        .verbosity(Verbosity::High)
        .service_tier("priority")
        .parallel_tool_calls(false)
        .conversation_id("conv-1");
    let prompt = Prompt::new()
        .system("You are a coding agent.")
        .developer("Prefer small patches.")
        .user_parts([
            UserPart::text("what is this?"),
            UserPart::image("data:image/png;base64,AAAA"),
        ])
        .message(Message::Assistant {
            items: vec![
                reasoning("rs_1", Some("enc-1")),
                AssistantItem::Text {
                    id: Some("msg_1".into()),
                    text: "Let me look.".into(),
                },
                reasoning("rs_2", Some("enc-2")),
                AssistantItem::ToolCall(clanka_model::ToolCall {
                    id: "call_1".into(),
                    item_id: Some("fc_1".into()),
                    name: "shell".into(),
                    arguments: r#"{"command":"ls"}"#.into(),
                    kind: clanka_model::ToolCallKind::Function,
                }),
            ],
        })
        .message(Message::tool_result("call_1", "README.md"))
        .tool(Tool::new("shell", "Runs a command.", json!({"type": "object"})).strict(true))
        .tool_choice(ToolChoice::Tool("shell".into()))
        .response_format(ResponseFormat::json_schema(
            "answer",
            json!({"type": "object"}),
        ))
        .options(options);
    let request = ResponsesRequest::build(&prompt, &config(), "unused").unwrap();
    insta::assert_snapshot!(serde_json::to_string_pretty(&request).unwrap());
}

#[test]
fn reasoning_is_replayed_only_with_encrypted_content_and_a_following_item() {
    let prompt = Prompt::new().user("q").message(Message::Assistant {
        items: vec![
            reasoning("rs_1", None),
            AssistantItem::text("a"),
            reasoning("rs_2", Some("enc")),
            AssistantItem::text("b"),
            reasoning("rs_3", Some("enc")),
        ],
    });
    let request = ResponsesRequest::build(&prompt, &config(), "c").unwrap();
    let values = request.input.values();
    let types: Vec<&str> = values.iter().map(|i| i["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["message", "message", "reasoning", "message"]);
    assert_eq!(request.input.values()[2]["id"], json!("rs_2"));
}

#[test]
fn ids_without_a_server_prefix_are_not_sent() {
    let prompt = Prompt::new().message(Message::Assistant {
        items: vec![AssistantItem::Text {
            id: Some("local-7".into()),
            text: "x".into(),
        }],
    });
    let request = ResponsesRequest::build(&prompt, &config(), "c").unwrap();
    assert!(request.input.values()[0].get("id").is_none());
}

#[test]
fn settings_compare_everything_but_the_input() {
    let base = ResponsesRequest::build(&Prompt::new().user("a"), &config(), "c").unwrap();
    let longer =
        ResponsesRequest::build(&Prompt::new().user("a").user("b"), &config(), "c").unwrap();
    assert!(base.same_settings(&longer));
    let with_tool = Prompt::new().user("a").tool(Tool::new("t", "d", json!({})));
    let other = ResponsesRequest::build(&with_tool, &config(), "c").unwrap();
    assert!(!base.same_settings(&other));
}

#[test]
fn a_blank_system_prompt_is_replaced_and_store_true_refused() {
    let request = ResponsesRequest::build(&Prompt::new().system("  "), &config(), "c").unwrap();
    assert_eq!(
        request.instructions.as_deref(),
        Some(crate::DEFAULT_INSTRUCTIONS)
    );
    let store = Prompt::new().options(ProviderOptions::default().extra("store", true));
    let error = ResponsesRequest::build(&store, &config(), "c").unwrap_err();
    assert_eq!(error.to_string(), "unsupported option `store`");
}

#[test]
fn developer_placement_sends_the_system_prompt_as_the_first_input_item() {
    let options = ProviderOptions::default()
        .system_placement(clanka_model::SystemPlacement::Developer)
        .conversation_id("conv-2");
    let prompt = Prompt::new()
        .system("You are a coding agent.")
        .developer("# AGENTS.md\n\nRun the tests.")
        .user("hi")
        .options(options);
    let request = ResponsesRequest::build(&prompt, &config(), "conv-0").unwrap();
    assert_eq!(request.instructions, None);
    insta::assert_snapshot!(serde_json::to_string_pretty(&request).unwrap());
}

#[test]
fn a_compaction_is_replayed_and_a_trigger_ends_the_input() {
    let compacted = Prompt::new().user("first").message(Message::Assistant {
        items: vec![AssistantItem::Compaction {
            id: Some("cmp_1".into()),
            encrypted_content: "opaque".into(),
        }],
    });
    let request = ResponsesRequest::build(&compacted, &config(), "conv").unwrap();
    assert_eq!(
        request.input.values()[1],
        json!({"type": "compaction", "id": "cmp_1", "encrypted_content": "opaque"})
    );
    assert_eq!(request.turn_metadata, None);
    let trigger = compacted.compact(clanka_model::Compact::Trigger);
    let request = ResponsesRequest::build(&trigger, &config(), "conv").unwrap();
    assert_eq!(
        request.input.values().last(),
        Some(&json!({"type": "compaction_trigger"}))
    );
    assert!(
        request
            .turn_metadata
            .unwrap()
            .contains(r#""request_kind":"compaction""#)
    );
}
