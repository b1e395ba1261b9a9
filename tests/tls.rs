//! TLS with a self-signed certificate (as the emulator serves it): trusted through
//! `TlsOptions::trust_pem`, refused otherwise, for both the Socket.IO client and the token provider.

use std::sync::Arc;
use std::time::Duration;

use das::auth::{AuthError, TokenProvider};
use das::socketio::{Client, ConnectOptions, Reconnection, SocketIoError};
use das::tls::TlsOptions;
use futures_util::{SinkExt, StreamExt};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(10);

/// A TLS listener for `localhost` with a fresh self-signed certificate; returns it and the PEM.
async fn tls_listener() -> (TcpListener, TlsAcceptor, String) {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let config = rustls::ServerConfig::builder_with_provider(das::tls::provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    (
        listener,
        TlsAcceptor::from(Arc::new(config)),
        certified.cert.pem(),
    )
}

/// Serves Socket.IO handshakes over TLS for every incoming connection.
async fn wss_server() -> (u16, String) {
    let (listener, acceptor, pem) = tls_listener().await;
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut ws = tokio_tungstenite::accept_async(tls).await.unwrap();
                let open = r#"0{"sid":"tls","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;
                ws.send(Message::text(open)).await.unwrap();
                while let Some(Ok(message)) = ws.next().await {
                    if message.to_text().unwrap_or_default() == "40" {
                        ws.send(Message::text(r#"40{"sid":"s"}"#)).await.unwrap();
                    }
                }
            });
        }
    });
    (port, pem)
}

#[tokio::test]
async fn socketio_over_wss_trusts_an_extra_pem_root_only_when_told() {
    let (port, pem) = wss_server().await;
    let url = format!("https://localhost:{port}/socket.io");
    let options = || {
        ConnectOptions::new(&url)
            .reconnection(Reconnection::disabled())
            .connect_timeout(WAIT)
    };

    let (client, _events) = Client::connect(options().tls(TlsOptions::default().trust_pem(pem)))
        .await
        .unwrap();
    assert_eq!(client.sid().as_deref(), Some("tls"));
    client.disconnect().await;

    match Client::connect(options()).await {
        Err(SocketIoError::Transport(message)) => {
            assert!(message.contains("certificate"), "{message}")
        }
        other => panic!("an untrusted certificate must fail: {other:?}"),
    }
}

#[tokio::test]
async fn token_endpoint_over_https_with_a_self_signed_certificate() {
    let (listener, acceptor, pem) = tls_listener().await;
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let Ok(mut tls) = acceptor.accept(tcp).await else {
                continue;
            };
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            // Headers, then the small form body (the whole request fits in a few reads).
            while !String::from_utf8_lossy(&request).contains("grant_type=client_credentials") {
                let n = tls.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
            }
            let body = r#"{"token_type":"Bearer","access_token":"over-tls"}"#;
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            tls.write_all(reply.as_bytes()).await.unwrap();
            tls.shutdown().await.ok();
        }
    });
    let url = format!("https://localhost:{port}/token");
    let trusted = TokenProvider::client_credentials(&url, "id", "secret")
        .tls(TlsOptions::default().trust_pem(pem))
        .build()
        .unwrap();
    assert_eq!(trusted.authorization().await.unwrap(), "Bearer over-tls");

    let untrusted = TokenProvider::client_credentials(&url, "id", "secret")
        .max_attempts(1)
        .build()
        .unwrap();
    assert!(matches!(
        untrusted.authorization().await,
        Err(AuthError::Unreachable { .. })
    ));
}
