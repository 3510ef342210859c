//! HTTPS and WSS with the CA made at start, from the library and the binary.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;

use clanka_mock::{MockOptions, MockServer};
use tokio_rustls::rustls::pki_types::{CertificateDer, pem::PemObject as _};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};
use tokio_tungstenite::Connector;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

use super::common::{body, create, events, response_frames, send, user};

fn https_client(ca_pem: &str) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(ca_pem.as_bytes()).unwrap();
    reqwest::Client::builder()
        .tls_certs_only([ca])
        .build()
        .unwrap()
}

fn rustls_config(ca_pem: &str) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}

#[tokio::test]
async fn https_and_wss_with_the_generated_ca() {
    let server = MockServer::start(MockOptions::default().with_tls(true))
        .await
        .unwrap();
    assert!(server.url().starts_with("https://127.0.0.1:"));
    let ca_pem = server.ca_pem().unwrap().to_owned();
    assert!(ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let client = https_client(&ca_pem);
    for host in ["127.0.0.1", "localhost"] {
        let url = format!(
            "https://{host}:{}/backend-api/codex/responses",
            server.addr().port()
        );
        let response = client
            .post(url)
            .bearer_auth("sk-mock")
            .json(&body(vec![user("over tls")]))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            events(response).await.last().unwrap()["type"],
            "response.completed"
        );
    }
    // a client that does not trust the CA fails the handshake
    assert!(reqwest::get(server.url()).await.is_err());

    let url = format!(
        "{}/responses",
        server.codex_base_url().replace("https://", "wss://")
    );
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("authorization", "Bearer sk-mock".parse().unwrap());
    let connector = Connector::Rustls(rustls_config(&ca_pem));
    let (mut ws, _) =
        tokio_tungstenite::connect_async_tls_with_config(request, None, false, Some(connector))
            .await
            .unwrap();
    send(&mut ws, &create(vec![user("over wss")])).await;
    let frames = response_frames(&mut ws).await;
    assert_eq!(frames.last().unwrap()["type"], "response.completed");
}

#[tokio::test]
async fn the_binary_prints_the_ca_file_next_to_the_listening_line() {
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    let mut child = Command::new(env!("CARGO_BIN_EXE_clanka-mock"))
        .args(["--tls", "--ca-file"])
        .arg(&ca_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(words[..2], ["listening", "on"]);
    assert!(words[2].starts_with("https://127.0.0.1:"), "{line}");
    assert_eq!(words[3..], ["ca-file", ca_file.to_str().unwrap()]);
    let pem = std::fs::read_to_string(&ca_file).unwrap();
    let status = https_client(&pem)
        .get(format!("{}/backend-api/codex/models", words[2]))
        .bearer_auth("sk-mock")
        .send()
        .await
        .unwrap()
        .status();
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(status, 200);
}
