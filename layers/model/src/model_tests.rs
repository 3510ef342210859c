use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use pretty_assertions::assert_eq;
use tower::{ServiceBuilder, service_fn};

use super::*;
use crate::{AssistantItem, FinishReason, StreamPart, ToolCall, Usage};

type Recorded = Arc<Mutex<Vec<Prompt>>>;

/// A fake provider that records prompts and answers each with `script()`.
fn fake(script: fn() -> Vec<Result<StreamPart, AiError>>) -> (LanguageModel, Recorded) {
    let recorded = Recorded::default();
    let seen = recorded.clone();
    let service = service_fn(move |prompt: Prompt| {
        seen.lock().unwrap().push(prompt);
        async move { Ok::<_, AiError>(PartStream::from_parts(script())) }
    });
    (LanguageModel::new(service), recorded)
}

fn tool_turn() -> Vec<Result<StreamPart, AiError>> {
    vec![
        Ok(StreamPart::ResponseStarted {
            id: "resp_1".into(),
            model: None,
        }),
        Ok(StreamPart::ToolCall(ToolCall {
            id: "call_1".into(),
            item_id: None,
            name: "shell".into(),
            arguments: "{}".into(),
            kind: crate::ToolCallKind::Function,
        })),
        Ok(StreamPart::Usage(Usage {
            input_tokens: 5,
            total_tokens: 5,
            ..Usage::default()
        })),
        Ok(StreamPart::Finish {
            reason: FinishReason::ToolCalls,
            response_id: None,
        }),
    ]
}

fn broken_turn() -> Vec<Result<StreamPart, AiError>> {
    vec![
        Ok(StreamPart::TextDelta {
            id: "msg_1".into(),
            delta: "half".into(),
        }),
        Err(AiError::IdleTimeout {
            after: std::time::Duration::from_secs(300),
        }),
    ]
}

#[tokio::test]
async fn generate_collects_the_stream_and_sends_the_prompt() {
    let (model, recorded) = fake(tool_turn);
    let prompt = Prompt::new().system("sys").user("run ls");
    let response = model.generate(prompt.clone()).await.unwrap();
    assert_eq!(response.id.as_deref(), Some("resp_1"));
    assert_eq!(
        response.items,
        [AssistantItem::tool_call("call_1", "shell", "{}")]
    );
    assert_eq!(response.usage.input_tokens, 5);
    assert_eq!(*recorded.lock().unwrap(), [prompt]);
}

#[tokio::test]
async fn stream_yields_parts_then_the_terminal_error() {
    let (model, _) = fake(broken_turn);
    let items: Vec<_> = model.stream(Prompt::new()).await.unwrap().collect().await;
    assert_eq!(items.len(), 2);
    assert!(matches!(items[1], Err(AiError::IdleTimeout { .. })));

    let err = model.generate(Prompt::new()).await.unwrap_err();
    assert!(matches!(err, AiError::IdleTimeout { .. }), "{err:?}");
}

#[tokio::test]
async fn request_errors_come_back_from_stream() {
    let model = LanguageModel::new(service_fn(|_: Prompt| async {
        Err::<PartStream, _>(AiError::Unauthorized {
            message: "sign in again".into(),
        })
    }));
    let err = model.stream(Prompt::new()).await.unwrap_err();
    assert_eq!(err.to_string(), "unauthorized: sign in again");
}

#[tokio::test]
async fn the_handle_is_a_service_that_layers_can_wrap() {
    let (model, recorded) = fake(tool_turn);
    let layered = LanguageModel::new(
        ServiceBuilder::new()
            .map_request(|prompt: Prompt| prompt.system("injected"))
            .service(model.clone()),
    );
    layered.generate(Prompt::new()).await.unwrap();
    model.generate(Prompt::new()).await.unwrap();
    let systems: Vec<_> = recorded
        .lock()
        .unwrap()
        .iter()
        .map(|prompt| prompt.system.clone())
        .collect();
    assert_eq!(systems, [Some("injected".to_owned()), None]);
}

#[test]
fn names_display_their_text() {
    let provider = ProviderName::from("openai".to_owned());
    assert_eq!(provider.to_string(), "openai");
    assert_eq!(ModelName::new("gpt-5-codex").as_str(), "gpt-5-codex");
    assert_eq!(
        serde_json::to_string(&ModelName::new("m")).unwrap(),
        r#""m""#
    );
}
