//! Structured output against clanka-mock: `generate_object` round-trips a typed
//! object, quotes an invalid reply, and a loose schema is refused in the backend's
//! words; the CLI's `--output-schema` prints the final object alone, or exits 1.

use clanka::codex;
use clanka_mock::{MockOptions, MockServer, Scenario, ScriptedResponse};
use clanka_model::{AiError, LanguageModel, ObjectError, Prompt, ProviderOptions};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use super::common::{cli, output, text, token_store};

#[derive(Debug, Deserialize, JsonSchema, PartialEq)]
struct Verdict {
    /// Whether it passes.
    ok: bool,
    /// Why.
    reason: String,
    /// A score, when one applies.
    score: Option<u32>,
}

async fn model(scenario: Scenario) -> (MockServer, tempfile::TempDir, LanguageModel) {
    let server = MockServer::start(MockOptions::default().with_scenario(scenario))
        .await
        .unwrap();
    let store = tempfile::tempdir().unwrap();
    token_store(&server, store.path(), false).await;
    let recipe = codex::model("gpt-5.5", ProviderOptions::default())
        .provide(&super::common::client(&server, store.path()));
    let runtime = recipe.build().await.unwrap();
    let model: LanguageModel = runtime.get().unwrap();
    (server, store, model)
}

#[tokio::test]
async fn generate_object_round_trips_and_quotes_an_invalid_reply() {
    let scenario = Scenario::new()
        .respond(
            ScriptedResponse::new().json(&json!({"ok": true, "reason": "fine", "score": null})),
        )
        .respond(ScriptedResponse::new().message(r#"{"ok": "yes", "reason": "fine", "score": 1}"#));
    let (server, _store, model) = model(scenario).await;

    let verdict: Verdict = model
        .generate_object(Prompt::new().user("judge"))
        .await
        .unwrap();
    assert_eq!(
        verdict,
        Verdict {
            ok: true,
            reason: "fine".into(),
            score: None
        }
    );
    let format = &server.response_requests()[0].body["text"]["format"];
    assert_eq!(format["type"], "json_schema");
    assert_eq!(format["name"], "Verdict");
    assert_eq!(format["strict"], true);
    assert_eq!(
        format["schema"]["required"],
        json!(["ok", "reason", "score"])
    );

    let invalid = model
        .generate_object::<Verdict>(Prompt::new().user("judge again"))
        .await
        .unwrap_err();
    let ObjectError::Invalid { excerpt, .. } = &invalid else {
        panic!("{invalid:?}")
    };
    assert!(excerpt.contains("\"yes\""), "{excerpt}");
    assert!(invalid.to_string().contains("Verdict"), "{invalid}");
}

#[tokio::test]
async fn a_loose_schema_is_refused_as_the_backend_refuses_it() {
    let (_server, _store, model) = model(Scenario::new()).await;
    let loose =
        json!({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]});
    let error = model
        .generate(Prompt::new().user("x").output_schema("loose", loose))
        .await
        .unwrap_err();
    assert!(matches!(error, AiError::InvalidRequest { .. }), "{error:?}");
    assert!(
        error.to_string().contains("additionalProperties"),
        "{error}"
    );
}

/// The CLI with `--output-schema` on a mock answering `answer`.
async fn cli_answering(answer: ScriptedResponse) -> (std::process::Output, MockServer) {
    let server =
        MockServer::start(MockOptions::default().with_scenario(Scenario::new().respond(answer)))
            .await
            .unwrap();
    let (dir, store, home) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let schema = dir.path().join("schema.json");
    let strict = json!({"type": "object", "additionalProperties": false,
        "properties": {"files": {"type": "array", "items": {"type": "string"}}, "count": {"type": "integer"}},
        "required": ["files", "count"]});
    std::fs::write(&schema, strict.to_string()).unwrap();
    let mut command = cli();
    command
        .args(["list the files", "--http", "--output-schema"])
        .arg(&schema)
        .arg("-C")
        .arg(dir.path())
        .env("CLANKA_AUTH__API_KEY", "sk-mock")
        .env("CLANKA_CODEX__BASE_URL", server.codex_base_url())
        .env("CLANKA_STORE__DIR", store.path())
        .env("HOME", home.path());
    (output(command).await, server)
}

#[tokio::test]
async fn output_schema_prints_only_the_valid_object() {
    let result = json!({"files": ["schema.json"], "count": 1});
    let done = ScriptedResponse::new().function_call(
        "task_complete",
        json!({"summary": "listed", "result": result}),
    );
    let (out, server) = cli_answering(done).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!("{result}\n"),
        "stdout holds the object alone"
    );
    assert!(text(&out.stderr).contains("done"), "the run went to stderr");
    let request = &server.response_requests()[0];
    assert_eq!(request.body["text"]["format"]["strict"], true);
    let tools = request.body["tools"].as_array().unwrap();
    let complete = tools.iter().find(|t| t["name"] == "task_complete").unwrap();
    assert_eq!(
        complete["parameters"]["required"],
        json!(["summary", "result"])
    );

    let (out, _) =
        cli_answering(ScriptedResponse::new().json(&json!({"files": ["a"], "count": 1}))).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "{\"count\":1,\"files\":[\"a\"]}\n",
        "an answer in text counts too"
    );
}

#[tokio::test]
async fn output_schema_fails_when_the_answer_does_not_validate() {
    let (out, _) =
        cli_answering(ScriptedResponse::new().json(&json!({"files": "a", "count": 1}))).await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "", "nothing invalid reaches stdout");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("does not match the output schema") && stderr.contains("/files"),
        "{stderr}"
    );

    let (out, _) = cli_answering(ScriptedResponse::new().message("Here are the files: a, b")).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("not a JSON object"),
        "{}",
        text(&out.stderr)
    );
}
