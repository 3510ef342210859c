use super::*;

fn render(style: Style, events: &[Output]) -> String {
    let mut out = Vec::new();
    let mut renderer = Renderer::new(&mut out, style);
    for event in events {
        renderer.render(event).unwrap();
    }
    renderer.finish(None).unwrap();
    String::from_utf8(out).unwrap()
}

fn retried_answer() -> Vec<Output> {
    let text = |id: &str, delta: &str| Output::TextDelta {
        id: id.into(),
        delta: delta.into(),
    };
    vec![
        Output::TextStart { id: "msg_1".into() },
        text("msg_1", "partial ans"),
        Output::Retry {
            attempt: 1,
            error: "stream disconnected".into(),
            delay_ms: 200,
            discard: vec!["msg_1".into()],
        },
        Output::TextStart { id: "msg_2".into() },
        text("msg_2", "the whole answer"),
        Output::TextEnd { id: "msg_2".into() },
        Output::Usage {
            context_tokens: 1,
            input_tokens: 1,
            output_tokens: 1,
        },
    ]
}

#[test]
fn plain_text_never_shows_a_discarded_attempt() {
    let shown = render(Style::plain(), &retried_answer());
    assert_eq!(
        shown,
        "↻ retry 1 in 0.2 s: stream disconnected\nthe whole answer\n"
    );
}

#[test]
fn a_terminal_streams_and_marks_what_was_discarded() {
    let shown = render(Style::color(), &retried_answer());
    assert!(shown.contains("partial ans"), "{shown}");
    assert!(shown.contains("cut off and is discarded"), "{shown}");
    assert!(shown.ends_with("the whole answer\n"), "{shown:?}");
}

#[test]
fn json_carries_the_retry_event() {
    let shown = render(Style::json(), &retried_answer());
    let retry = shown
        .lines()
        .find(|line| line.contains("\"retry\""))
        .unwrap();
    assert_eq!(
        retry,
        r#"{"type":"retry","attempt":1,"error":"stream disconnected","delay_ms":200,"discard":["msg_1"]}"#
    );
}

#[test]
fn a_text_answer_is_printed_once() {
    for style in [Style::plain(), Style::color()] {
        let shown = render(
            style,
            &[
                Output::TextStart { id: "msg_1".into() },
                Output::TextDelta {
                    id: "msg_1".into(),
                    delta: "The answer is 42.".into(),
                },
                Output::TextEnd { id: "msg_1".into() },
                Output::AgentFinished {
                    summary: "The answer is 42.".into(),
                    result: None,
                },
            ],
        );
        assert_eq!(shown.matches("The answer is 42.").count(), 1, "{shown}");
        assert!(shown.contains("✓ done"), "{shown}");
    }
}
