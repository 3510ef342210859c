//! The client's settings reach its requests: compression switched off, the socket
//! pool sized.

use clanka_codex::ClientSettings;
use clanka_mock::MockOptions;
use clanka_model::{Prompt, ProviderOptions};

use super::catalog::{client, signed_in};

#[tokio::test]
async fn compression_is_on_with_chatgpt_unless_switched_off() {
    let h = signed_in(MockOptions::default()).await;
    for (settings, encoding) in [
        (ClientSettings::default(), Some("zstd")),
        (
            ClientSettings::default().with_compress_requests(false),
            None,
        ),
    ] {
        h.server.clear_requests();
        let (model, _) = client(&h, settings)
            .model("gpt-5.5".into(), ProviderOptions::default(), false)
            .await
            .unwrap();
        let reply = model
            .language_model()
            .generate(Prompt::new().user("hi"))
            .await
            .unwrap();
        assert_eq!(reply.text(), "You said: \"hi\"");
        let request = h
            .server
            .requests()
            .into_iter()
            .find(|r| r.path.ends_with("/responses"))
            .unwrap();
        assert_eq!(request.header("content-encoding"), encoding);
    }
}

#[test]
fn the_socket_pool_is_sized_by_the_settings() {
    let h = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(signed_in(MockOptions::default()));
    let options = ProviderOptions::default();
    let default = client(&h, ClientSettings::default()).responses_config("gpt-5.5", &options);
    assert_eq!(default.max_conversations, 256);
    let sized = client(&h, ClientSettings::default().with_max_conversations(4096))
        .responses_config("gpt-5.5", &options);
    assert_eq!(sized.max_conversations, 4096);
}
