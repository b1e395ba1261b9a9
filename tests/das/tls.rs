//! TLS with a self-signed certificate (as the emulator serves it): trusted through
//! `TlsOptions::trust_pem`, refused otherwise, for the Socket.IO client, the token provider and
//! audio channels to `wss://` consumers (behind a TLS terminator, through
//! `AudioChannelConfig::tls`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use das::audio::codec::Codec;
use das::audio::pacing::Pacing;
use das::audio::wav::Wav;
use das::audiohook::client::ClientError;
use das::audiohook::secret::ClientSecret;
use das::audiohook::server::{AudioHookServer, Incoming, ServerConfig, SessionEvent};
use das::channel::{AudioChannel, AudioChannelConfig, ChannelEnd, ChannelError, ProtocolConfig};

use das::auth::{AuthError, TokenProvider};
use das::socketio::{Client, ConnectOptions, Reconnection, SocketIoError};
use das::tls::{TlsError, TlsOptions};
use das::twilio::{TwilioError, TwilioMode};
use futures_util::{SinkExt, StreamExt};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(10);
const AUDIOHOOK_API_KEY: &str = "tls-channel-key";

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
        Err(SocketIoError::Tls(TlsError::UnknownIssuer(unknown))) => {
            assert!(unknown.issuer.contains("rcgen"), "{unknown:?}")
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
        Err(AuthError::Tls(TlsError::UnknownIssuer(_)))
    ));
}

/// Terminates TLS for `localhost` with a fresh self-signed certificate and forwards the
/// plaintext to `backend`, as a load balancer in front of a consumer would. Returns the TLS
/// port and the certificate's PEM.
async fn tls_terminator(backend: SocketAddr) -> (u16, String) {
    let (listener, acceptor, pem) = tls_listener().await;
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut plain = TcpStream::connect(backend).await.unwrap();
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    (port, pem)
}

/// An AudioHook server behind the terminator; the config points at its `wss://` URL.
async fn audiohook_over_wss() -> (AudioChannelConfig, Incoming, String) {
    let secret = ClientSecret::from_bytes(*b"tls channel secret");
    let (addr, incoming, _) = AudioHookServer::bind(
        ServerConfig::with_key(AUDIOHOOK_API_KEY, secret.clone()),
        "127.0.0.1:0".parse().unwrap(),
        "/audiohook/ws",
    )
    .await
    .unwrap();
    let (port, pem) = tls_terminator(addr).await;
    let protocol = ProtocolConfig::AudioHook {
        organization_id: Uuid::new_v4(),
        api_key: AUDIOHOOK_API_KEY.into(),
        client_secret: secret,
        media_offers: None,
    };
    let mut config = AudioChannelConfig::new(
        format!("wss://localhost:{port}/audiohook/ws")
            .parse()
            .unwrap(),
        protocol,
    );
    config.pacing = Pacing::AsFastAsPossible;
    (config, incoming, pem)
}

fn speech() -> Vec<u8> {
    let path = format!("{}/samples/speaker-b.wav", env!("CARGO_MANIFEST_DIR"));
    Wav::read(path).unwrap().to_wire(Codec::Mulaw).unwrap()[..16_000].to_vec()
}

#[tokio::test]
async fn audiohook_over_wss_with_a_trusted_extra_root_delivers_the_audio() {
    let (mut config, mut incoming, pem) = audiohook_over_wss().await;
    config.tls = TlsOptions::default().trust_pem(pem);
    let call_id = Uuid::new_v4().to_string();
    let channel = AudioChannel::open(&config, &call_id).await.unwrap();
    let audio = speech();
    channel.push_wait(&audio).await.unwrap();
    assert_eq!(channel.finish().await.unwrap(), ChannelEnd::Finished);

    let mut session = tokio::time::timeout(WAIT, incoming.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.open.conversation_id.to_string(), call_id);
    let mut samples = 0;
    loop {
        match tokio::time::timeout(WAIT, session.next_event()).await {
            Ok(Some(SessionEvent::Audio(frame))) => samples += frame.samples[0].len(),
            Ok(Some(SessionEvent::Ended(_))) | Ok(None) => break,
            Ok(Some(_)) => {}
            Err(_) => panic!("the AudioHook session did not end within {WAIT:?}"),
        }
    }
    assert_eq!(samples, audio.len());
}

#[tokio::test]
async fn audiohook_over_wss_refuses_an_untrusted_certificate() {
    let (config, _incoming, _pem) = audiohook_over_wss().await;
    let error = AudioChannel::open(&config, &Uuid::new_v4().to_string())
        .await
        .unwrap_err();
    let ChannelError::AudioHook(ClientError::Tls(TlsError::UnknownIssuer(_))) = &error else {
        panic!("expected an unknown issuer, got {error:?}");
    };
}

#[tokio::test]
async fn twilio_over_wss_trusts_the_extra_root_only_when_told() {
    // Any WebSocket consumer will do: the AudioHook server answers the upgrade path, so the
    // Twilio client's TLS handshake and upgrade are what is tested here.
    let (audiohook, _incoming, pem) = audiohook_over_wss().await;
    let mut config = AudioChannelConfig::new(
        audiohook.url.clone(),
        ProtocolConfig::Twilio {
            mode: TwilioMode::Subset,
        },
    );
    let error = AudioChannel::open(&config, "untrusted").await.unwrap_err();
    let ChannelError::Twilio(TwilioError::Tls(TlsError::UnknownIssuer(_))) = &error else {
        panic!("expected an unknown issuer, got {error:?}");
    };
    assert!(error.tls().is_some());

    config.tls = TlsOptions::default().trust_pem(pem);
    let error = AudioChannel::open(&config, "trusted").await.unwrap_err();
    // Past TLS, the AudioHook endpoint refuses an upgrade without AudioHook headers.
    assert!(
        matches!(error, ChannelError::Twilio(TwilioError::Rejected(400))),
        "{error:?}"
    );
}
