//! Responses over WebSocket: turns, prewarm, previous_response_id, errors, pings, limits.

use std::time::Duration;

use clanka_mock::{HttpError, MockOptions, RecordKind, Scenario, ScriptedResponse};
use futures_util::StreamExt as _;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::common::{
    connect, create, next_json, response_frames, send, server, server_with, types, user,
};

fn completed_id(frames: &[Value]) -> String {
    let last = frames.last().unwrap();
    assert_eq!(last["type"], "response.completed", "{last}");
    last["response"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn prewarm_then_incremental_turn() {
    let server = server().await;
    let mut ws = connect(&server, "sk-mock").await;
    let mut prewarm = create(vec![
        json!({"type": "message", "role": "developer", "content": "be nice"}),
    ]);
    prewarm["generate"] = json!(false);
    send(&mut ws, &prewarm).await;
    let frames = response_frames(&mut ws).await;
    assert_eq!(
        types(&frames),
        [
            "codex.rate_limits",
            "response.created",
            "response.in_progress",
            "response.completed"
        ]
    );
    let prewarm_id = completed_id(&frames);

    let mut turn = create(vec![user("over the socket")]);
    turn["previous_response_id"] = json!(prewarm_id);
    send(&mut ws, &turn).await;
    let frames = response_frames(&mut ws).await;
    let text: String = frames
        .iter()
        .filter(|f| f["type"] == "response.output_text.delta")
        .map(|f| f["delta"].as_str().unwrap())
        .collect();
    assert_eq!(text, "You said: \"over the socket\"");
    let id = completed_id(&frames);
    assert_ne!(id, prewarm_id);

    // the prewarm id is no longer the most recent response
    let mut stale = create(vec![user("again")]);
    stale["previous_response_id"] = json!(prewarm_id);
    send(&mut ws, &stale).await;
    let error = next_json(&mut ws).await.unwrap();
    assert_eq!(error["type"], "error");
    assert_eq!(error["status"], 400);
    assert_eq!(error["error"]["code"], "previous_response_not_found");

    let recorded = server.requests();
    assert_eq!(recorded[0].kind, RecordKind::WebSocketHandshake);
    assert_eq!(
        recorded[0].header("openai-beta"),
        Some("responses_websockets=2026-02-06")
    );
    let messages: Vec<_> = recorded
        .iter()
        .filter(|r| r.kind == RecordKind::WebSocketMessage)
        .collect();
    assert_eq!(messages.len(), 3);
    assert_eq!(
        messages[1].body["previous_response_id"],
        prewarm_id.as_str()
    );
    assert!(
        messages
            .iter()
            .all(|m| m.connection == recorded[0].connection)
    );
}

#[tokio::test]
async fn tool_output_via_previous_response_id() {
    let scenario = Scenario::new()
        .respond(ScriptedResponse::new().function_call("shell", json!({"command": "ls"})))
        .respond(ScriptedResponse::new().message("listed"));
    let server = server_with(MockOptions::default().with_scenario(scenario)).await;
    let mut ws = connect(&server, "sk-mock").await;
    send(&mut ws, &create(vec![user("ls please")])).await;
    let frames = response_frames(&mut ws).await;
    let id = completed_id(&frames);
    let call = frames
        .iter()
        .find(|f| f["type"] == "response.output_item.done")
        .unwrap()["item"]
        .clone();
    assert_eq!(call["type"], "function_call");

    // only the output, chained to the call's response: valid because the call is in that response
    let output =
        json!({"type": "function_call_output", "call_id": call["call_id"], "output": "a.txt"});
    let mut follow = create(vec![output.clone()]);
    follow["previous_response_id"] = json!(id);
    send(&mut ws, &follow).await;
    let frames = response_frames(&mut ws).await;
    completed_id(&frames);

    // the same output without previous_response_id lacks its call
    send(&mut ws, &create(vec![output])).await;
    let error = next_json(&mut ws).await.unwrap();
    assert_eq!(error["type"], "error");
    assert_eq!(error["status"], 400);
}

#[tokio::test]
async fn one_response_in_flight() {
    let script = ScriptedResponse::new()
        .message("slow reply here")
        .delay(Duration::from_millis(30));
    let server =
        server_with(MockOptions::default().with_scenario(Scenario::new().respond(script))).await;
    let mut ws = connect(&server, "sk-mock").await;
    send(&mut ws, &create(vec![user("a")])).await;
    send(&mut ws, &create(vec![user("b")])).await;
    let mut saw_error = false;
    let mut completed = 0;
    while completed < 1 {
        let frame = next_json(&mut ws).await.unwrap();
        if frame["type"] == "error" {
            assert_eq!(frame["error"]["code"], "response_in_progress");
            saw_error = true;
        }
        if frame["type"] == "response.completed" {
            completed += 1;
        }
    }
    assert!(saw_error);
}

#[tokio::test]
async fn http_errors_are_wrapped_frames_and_socket_stays_open() {
    let scenario = Scenario::new()
        .respond(ScriptedResponse::new().http_error(HttpError::usage_limit(1_900_000_000)));
    let server = server_with(MockOptions::default().with_scenario(scenario)).await;
    let mut ws = connect(&server, "sk-mock").await;
    send(&mut ws, &create(vec![user("a")])).await;
    let error = next_json(&mut ws).await.unwrap();
    assert_eq!(error["type"], "error");
    assert_eq!(error["status"], 429);
    assert_eq!(error["error"]["type"], "usage_limit_reached");
    assert_eq!(error["headers"]["x-codex-primary-used-percent"], "100.0");
    send(&mut ws, &create(vec![user("b")])).await;
    completed_id(&response_frames(&mut ws).await);

    let mut bad = create(vec![user("c")]);
    bad["temperature"] = json!(1);
    send(&mut ws, &bad).await;
    let error = next_json(&mut ws).await.unwrap();
    assert_eq!(
        (error["status"].clone(), error["error"]["code"].clone()),
        (json!(400), json!("unsupported_parameter"))
    );
}

#[tokio::test]
async fn server_pings() {
    let options =
        MockOptions::default().with_websocket_ping_interval(Some(Duration::from_millis(50)));
    let server = server_with(options).await;
    let mut ws = connect(&server, "sk-mock").await;
    let message = tokio::time::timeout(Duration::from_secs(2), ws.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(matches!(message, Message::Ping(_)), "{message:?}");
}

#[tokio::test]
async fn upgrade_refused_with_426_and_unauthorized_with_401() {
    let server = server().await;
    server.set_websocket_upgrade_refused(true);
    let url = format!(
        "{}/responses",
        server.codex_base_url().replace("http://", "ws://")
    );
    let mut request = url.clone().into_client_request().unwrap();
    request
        .headers_mut()
        .insert("authorization", "Bearer sk-mock".parse().unwrap());
    let error = tokio_tungstenite::connect_async(request).await.unwrap_err();
    let tokio_tungstenite::tungstenite::Error::Http(response) = error else {
        panic!("{error:?}")
    };
    assert_eq!(response.status(), 426);

    server.set_websocket_upgrade_refused(false);
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("authorization", "Bearer nope".parse().unwrap());
    let error = tokio_tungstenite::connect_async(request).await.unwrap_err();
    let tokio_tungstenite::tungstenite::Error::Http(response) = error else {
        panic!("{error:?}")
    };
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn max_age_closes_with_connection_limit() {
    let server = server().await;
    server.set_websocket_max_age(Some(Duration::from_millis(100)));
    let mut ws = connect(&server, "sk-mock").await;
    let error = next_json(&mut ws).await.unwrap();
    assert_eq!(error["type"], "error");
    assert_eq!(error["error"]["code"], "websocket_connection_limit_reached");
    let next = tokio::time::timeout(Duration::from_secs(2), ws.next())
        .await
        .unwrap();
    assert!(
        matches!(next, Some(Ok(Message::Close(_))) | None),
        "{next:?}"
    );
}

#[tokio::test]
async fn close_after_n_events_and_drop() {
    let scenario = Scenario::new()
        .respond(ScriptedResponse::new().message("x").ws_close_after(2))
        .respond(ScriptedResponse::new().message("y").drop_after(1));
    let server = server_with(MockOptions::default().with_scenario(scenario)).await;
    let mut ws = connect(&server, "sk-mock").await;
    send(&mut ws, &create(vec![user("a")])).await;
    assert_eq!(
        next_json(&mut ws).await.unwrap()["type"],
        "codex.rate_limits"
    );
    assert_eq!(
        next_json(&mut ws).await.unwrap()["type"],
        "response.created"
    );
    assert_eq!(
        next_json(&mut ws).await.unwrap()["type"],
        "response.in_progress"
    );
    let close = tokio::time::timeout(Duration::from_secs(2), ws.next())
        .await
        .unwrap();
    assert!(
        matches!(close, Some(Ok(Message::Close(Some(_))))),
        "{close:?}"
    );

    let mut ws = connect(&server, "sk-mock").await;
    send(&mut ws, &create(vec![user("a")])).await;
    assert_eq!(
        next_json(&mut ws).await.unwrap()["type"],
        "codex.rate_limits"
    );
    assert_eq!(
        next_json(&mut ws).await.unwrap()["type"],
        "response.created"
    );
    let end = tokio::time::timeout(Duration::from_secs(2), ws.next())
        .await
        .unwrap();
    assert!(
        !matches!(
            end,
            Some(Ok(Message::Close(_))) | Some(Ok(Message::Text(_)))
        ),
        "{end:?}"
    );
}

#[tokio::test]
async fn failed_and_malformed_over_ws() {
    let scenario = Scenario::new()
        .respond(
            ScriptedResponse::new()
                .message("x")
                .failed("context_length_exceeded", "too long"),
        )
        .respond(
            ScriptedResponse::new()
                .message("y")
                .malformed_event(0)
                .no_completed(),
        );
    let server = server_with(MockOptions::default().with_scenario(scenario)).await;
    let mut ws = connect(&server, "sk-mock").await;
    send(&mut ws, &create(vec![user("a")])).await;
    let frames = response_frames(&mut ws).await;
    assert_eq!(frames.last().unwrap()["type"], "response.failed");
    assert_eq!(
        frames.last().unwrap()["response"]["error"]["code"],
        "context_length_exceeded"
    );
    send(&mut ws, &create(vec![user("b")])).await;
    assert_eq!(
        next_json(&mut ws).await.unwrap()["type"],
        "codex.rate_limits"
    );
    let first = tokio::time::timeout(Duration::from_secs(2), ws.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let Message::Text(text) = first else {
        panic!("{first:?}")
    };
    assert!(serde_json::from_str::<Value>(text.as_str()).is_err());
    // Without `response.completed` the socket closes rather than going silent.
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(2), ws.next())
            .await
            .expect("the socket must not go silent");
        match frame {
            Some(Ok(Message::Close(_))) | None => break,
            Some(Ok(Message::Text(_))) => continue,
            other => panic!("{other:?}"),
        }
    }
}
