//! Audio channels to `wss://` consumers behind a TLS terminator with a self-signed certificate:
//! trusted through `AudioChannelConfig::tls`, refused with a typed connect error otherwise.

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
use das::tls::TlsOptions;
use das::twilio::{TwilioError, TwilioMode};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use uuid::Uuid;

const API_KEY: &str = "tls-channel-key";
const WAIT: Duration = Duration::from_secs(10);

/// Terminates TLS for `localhost` with a fresh self-signed certificate and forwards the
/// plaintext to `backend`, as a load balancer in front of a consumer would. Returns the TLS
/// port and the certificate's PEM.
async fn tls_terminator(backend: SocketAddr) -> (u16, String) {
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
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
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
    (port, certified.cert.pem())
}

/// An AudioHook server behind the terminator; the config points at its `wss://` URL.
async fn audiohook_over_wss() -> (AudioChannelConfig, Incoming, String) {
    let secret = ClientSecret::from_bytes(*b"tls channel secret");
    let (addr, incoming, _) = AudioHookServer::bind(
        ServerConfig::with_key(API_KEY, secret.clone()),
        "127.0.0.1:0".parse().unwrap(),
        "/audiohook/ws",
    )
    .await
    .unwrap();
    let (port, pem) = tls_terminator(addr).await;
    let protocol = ProtocolConfig::AudioHook {
        organization_id: Uuid::new_v4(),
        api_key: API_KEY.into(),
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
    let ChannelError::AudioHook(ClientError::Connect(message)) = &error else {
        panic!("expected a connect error, got {error:?}");
    };
    assert!(message.contains("certificate"), "{message}");
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
    let ChannelError::Twilio(TwilioError::Connect(message)) = &error else {
        panic!("expected a connect error, got {error:?}");
    };
    assert!(message.contains("certificate"), "{message}");

    config.tls = TlsOptions::default().trust_pem(pem);
    let error = AudioChannel::open(&config, "trusted").await.unwrap_err();
    // Past TLS, the AudioHook endpoint refuses an upgrade without AudioHook headers.
    assert!(
        matches!(error, ChannelError::Twilio(TwilioError::Rejected(400))),
        "{error:?}"
    );
}
