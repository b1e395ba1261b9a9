//! Token requests, `initialize` payloads and a Twilio-subset audio sender for tests.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use das::audio::wav::Wav;
use das::session::settings::AudioProtocol;
use das::session::{SessionKind, SessionSettings};
use das_emulator::EmulatorHandle;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

use super::sio::SioClient;

/// Obtains a token the way the documented example does and returns the header value.
pub async fn bearer(emulator: &EmulatorHandle) -> String {
    let response: Value = super::http()
        .post(emulator.token_url())
        .form(&[
            ("client_id", emulator.client_id()),
            ("client_secret", emulator.client_secret()),
            ("grant_type", "client_credentials"),
        ])
        .send()
        .await
        .expect("token request")
        .json()
        .await
        .expect("token json");
    format!(
        "{} {}",
        response["token_type"].as_str().unwrap(),
        response["access_token"].as_str().unwrap()
    )
}

/// Connects an authenticated client to `namespace`.
pub async fn connect(emulator: &EmulatorHandle, namespace: &str) -> SioClient {
    let auth = bearer(emulator).await;
    SioClient::connect(&emulator.base_url(), namespace, Some(&auth))
        .await
        .expect("namespace accepted")
}

/// The documented register payload, as the core sends it, for a Twilio session of µ-law
/// 8 kHz mono audio.
pub fn register_request(call_id: &str, seconds: f64) -> Value {
    request(SessionKind::Register, call_id, seconds, |_| {})
}

/// A verify payload for the same kind of audio.
pub fn verify_request(call_id: &str, seconds: f64, credential: &str) -> Value {
    request(SessionKind::Verify, call_id, seconds, |settings| {
        settings.set_credential(credential).expect("a credential");
    })
}

fn request(
    kind: SessionKind,
    call_id: &str,
    seconds: f64,
    finish: impl FnOnce(&mut SessionSettings),
) -> Value {
    let mut settings = SessionSettings::documented_example(kind);
    settings.set_audio_protocol(AudioProtocol::Twilio);
    settings.set_call_id(call_id);
    settings
        .set_audio_total_duration(seconds)
        .expect("a duration in range");
    finish(&mut settings);
    settings.initialize_payload().expect("complete settings")
}

/// The wire bytes of a sample's data (its own encoding).
pub fn sample_bytes(name: &str) -> Vec<u8> {
    let bytes = std::fs::read(super::sample(name)).expect("sample readable");
    let at = bytes
        .windows(4)
        .position(|w| w == b"data")
        .expect("data chunk")
        + 8;
    let wav = Wav::parse(&bytes).expect("sample parses");
    assert!(!wav.samples.is_empty());
    bytes[at..].to_vec()
}

/// How an audio stream ended from the sender's side.
#[derive(Debug)]
pub struct StreamEnd {
    pub close: Option<CloseFrame>,
}

/// Streams `audio` over the Twilio subset in `chunk`-byte media frames as fast as the
/// server reads, then waits for the server to close.
pub async fn stream_twilio(url: &str, call_id: &str, audio: &[u8], chunk: usize) -> StreamEnd {
    let (mut ws, _) = twilio_connect(url).await;
    let start = json!({"event": "start", "start": {"callSid": call_id}}).to_string();
    if ws.send(Message::text(start)).await.is_err() {
        return StreamEnd { close: None };
    }
    for piece in audio.chunks(chunk) {
        let media = json!({"event": "media", "media": {"payload": STANDARD.encode(piece)}});
        if ws.send(Message::text(media.to_string())).await.is_err() {
            break;
        }
    }
    close_reason(&mut ws).await
}

/// Reads until the server's close frame.
pub async fn close_reason<S>(ws: &mut S) -> StreamEnd
where
    S: StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        match tokio::time::timeout(Duration::from_secs(20), ws.next())
            .await
            .expect("server closes in time")
        {
            Some(Ok(Message::Close(close))) => return StreamEnd { close },
            Some(Ok(_)) => {}
            None | Some(Err(_)) => return StreamEnd { close: None },
        }
    }
}

/// Opens a Twilio consumer socket (with a timeout, like every wait in these tests).
pub async fn twilio_connect(
    url: &str,
) -> (
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    tokio_tungstenite::tungstenite::handshake::client::Response,
) {
    tokio::time::timeout(
        Duration::from_secs(20),
        tokio_tungstenite::connect_async(url),
    )
    .await
    .expect("twilio handshake in time")
    .expect("twilio ws connects")
}
