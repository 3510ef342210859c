//! WebSocket extras: the `codex.rate_limits` event and forgetting stored responses.

use serde_json::{Value, json};

use super::common::{body, connect, create, next_json, post, response_frames, send, server, user};

fn completed_id(frames: &[Value]) -> String {
    let last = frames.last().unwrap();
    assert_eq!(last["type"], "response.completed", "{last}");
    last["response"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_response_starts_with_rate_limits_matching_the_http_headers() {
    let server = server().await;
    let headers = post(&server, &body(vec![user("over http")])).await;
    let header = |name: &str| headers.headers()[name].to_str().unwrap().to_owned();

    let mut ws = connect(&server, "sk-mock").await;
    for text in ["one", "two"] {
        send(&mut ws, &create(vec![user(text)])).await;
        let frames = response_frames(&mut ws).await;
        assert_eq!(frames[0]["type"], "codex.rate_limits");
        assert_eq!(frames[1]["type"], "response.created");
        completed_id(&frames);
        let event = &frames[0];
        assert_eq!(event["plan_type"], header("x-codex-plan-type").as_str());
        assert_eq!(event["limit_name"], "codex");
        assert_eq!(
            event["credits"],
            json!({"has_credits": false, "unlimited": false})
        );
        for which in ["primary", "secondary"] {
            let window = &event["rate_limits"][which];
            let used: f64 = header(&format!("x-codex-{which}-used-percent"))
                .parse()
                .unwrap();
            assert_eq!(window["used_percent"].as_f64(), Some(used));
            let minutes = header(&format!("x-codex-{which}-window-minutes"));
            assert_eq!(
                window["window_minutes"],
                json!(minutes.parse::<u64>().unwrap())
            );
            let reset: u64 = header(&format!("x-codex-{which}-reset-at"))
                .parse()
                .unwrap();
            assert!(window["reset_at"].as_u64().unwrap().abs_diff(reset) <= 5);
        }
    }
    assert_eq!(
        headers.headers()["x-codex-primary-used-percent"],
        "12.5",
        "the protocol notes' example figure"
    );
}

#[tokio::test]
async fn forgotten_responses_cannot_be_continued() {
    let server = server().await;
    let mut ws = connect(&server, "sk-mock").await;
    send(&mut ws, &create(vec![user("one")])).await;
    let first = completed_id(&response_frames(&mut ws).await);

    server.forget_responses();
    let mut follow = create(vec![user("two")]);
    follow["previous_response_id"] = json!(first);
    send(&mut ws, &follow).await;
    let error = next_json(&mut ws).await.unwrap();
    assert_eq!(error["type"], "error");
    assert_eq!(error["status"], 400);
    assert_eq!(error["error"]["code"], "previous_response_not_found");

    // a full request works, and responses completed after forgetting chain again
    send(&mut ws, &create(vec![user("one again")])).await;
    let second = completed_id(&response_frames(&mut ws).await);
    follow["previous_response_id"] = json!(second);
    send(&mut ws, &follow).await;
    let third = completed_id(&response_frames(&mut ws).await);

    // the control endpoint does the same
    let forgot = reqwest::Client::new()
        .post(format!("{}/__mock/forget", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(forgot.status(), 204);
    follow["previous_response_id"] = json!(third);
    send(&mut ws, &follow).await;
    let error = next_json(&mut ws).await.unwrap();
    assert_eq!(error["error"]["code"], "previous_response_not_found");
}
