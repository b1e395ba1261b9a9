//! The Twilio consumer refuses what it cannot join or parse, with a close frame saying why.

use crate::common;

use common::audio::{close_reason, connect, register_request, sample_bytes, twilio_connect};
use das_emulator::EmulatorConfig;
use futures_util::SinkExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

/// Sends `frames` on a fresh Twilio socket and returns the server's close code and reason.
async fn refused(url: &str, frames: Vec<Message>) -> (u16, String) {
    let (mut ws, _) = twilio_connect(url).await;
    for frame in frames {
        if ws.send(frame).await.is_err() {
            break;
        }
    }
    let close = close_reason(&mut ws).await.close.expect("a close frame");
    (u16::from(close.code), close.reason.to_string())
}

fn text(value: serde_json::Value) -> Message {
    Message::text(value.to_string())
}

#[tokio::test]
async fn unknown_calls_and_malformed_frames_are_refused() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let url = emulator.twilio_url();
    let start = |id: &str| text(json!({"event": "start", "start": {"callSid": id}}));

    let (code, reason) = refused(&url, vec![start("nobody")]).await;
    assert_eq!(
        (code, reason.as_str()),
        (1008, "no live session has call_id \"nobody\"")
    );
    let (code, reason) = refused(&url, vec![Message::text("{not json")]).await;
    assert_eq!(code, 1007);
    assert!(reason.starts_with("malformed message"), "{reason}");
    let (code, _) = refused(&url, vec![text(json!({"event": "media"}))]).await;
    assert_eq!(code, 1007);
    let media = text(json!({"event": "media", "media": {"payload": "AAAA"}}));
    assert_eq!(
        refused(&url, vec![media]).await,
        (1008, "media before start".into())
    );
    let (code, _) = refused(&url, vec![Message::binary(vec![1, 2, 3])]).await;
    assert_eq!(code, 1003);

    // A real session: wrong protocol, bad base64, and a second consumer are refused.
    let mut client = connect(&emulator, "/socket.io/register").await;
    let mut hook = register_request("hook-call", 5.0);
    hook["metadata"]["audio_protocol"] = json!("audiohook");
    client.emit("initialize", &hook).await;
    assert_eq!(client.next_event().await.unwrap().0, "info-consumer-ready");
    let (code, reason) = refused(&url, vec![start("hook-call")]).await;
    assert_eq!(code, 1008);
    assert!(
        reason.contains("expects audio_protocol audiohook"),
        "{reason}"
    );

    let mut client = connect(&emulator, "/socket.io/register").await;
    client
        .emit("initialize", &register_request("tw-call", 5.0))
        .await;
    assert_eq!(client.next_event().await.unwrap().0, "info-consumer-ready");
    let bad_payload = text(json!({"event": "media", "media": {"payload": "***"}}));
    let (code, reason) = refused(&url, vec![start("tw-call"), bad_payload]).await;
    assert_eq!(
        (code, reason.as_str()),
        (1007, "media payload is not base64")
    );
    // The stream ended without enough voice, so the session fails.
    let events = client.events_until_result().await;
    let (name, data) = events.last().unwrap();
    assert_eq!(name, "result-failure");
    assert_eq!(data["reason"], "audio_ended");
    emulator.shutdown().await;
}

#[tokio::test]
async fn oversize_frames_end_the_stream() {
    let config = EmulatorConfig {
        max_audio_message_bytes: 4096,
        ..EmulatorConfig::default()
    };
    let emulator = common::start(config).await;
    let mut client = connect(&emulator, "/socket.io/register").await;
    client
        .emit("initialize", &register_request("big", 5.0))
        .await;
    assert_eq!(client.next_event().await.unwrap().0, "info-consumer-ready");
    let audio = sample_bytes("speaker-a.wav");
    let start = text(json!({"event": "start", "start": {"callSid": "big"}}));
    let huge = subset_media(&audio[..8000]);
    let (mut ws, _) = twilio_connect(&emulator.twilio_url()).await;
    ws.send(start).await.unwrap();
    let _ = ws.send(huge).await;
    close_reason(&mut ws).await;
    let events = client.events_until_result().await;
    assert_eq!(events.last().unwrap().1["reason"], "audio_ended");
    emulator.shutdown().await;
}

/// A subset media frame carrying raw audio.
fn subset_media(audio: &[u8]) -> Message {
    let frame = das::twilio::Message::subset_media(audio);
    Message::text(serde_json::to_string(&frame).expect("serialisable"))
}

#[tokio::test(flavor = "multi_thread")]
async fn full_twilio_frames_are_accepted_and_stop_ends_the_stream() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let mut client = connect(&emulator, "/socket.io/register").await;
    client
        .emit("initialize", &register_request("CA123", 30.0))
        .await;
    assert_eq!(client.next_event().await.unwrap().0, "info-consumer-ready");
    let audio = sample_bytes("speaker-a.wav");
    let mut frames = vec![
        text(json!({"event": "connected", "protocol": "Call", "version": "1.0.0"})),
        text(
            json!({"event": "start", "sequenceNumber": "1", "streamSid": "MZ1",
            "start": {"accountSid": "AC1", "streamSid": "MZ1", "callSid": "CA123",
                "tracks": ["inbound"], "customParameters": {},
                "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}}}),
        ),
    ];
    for (n, chunk) in audio[..8000 * 2].chunks(160).enumerate() {
        let payload = das::twilio::MediaBody::from_audio(chunk).payload;
        frames.push(text(
            json!({"event": "media", "sequenceNumber": (n + 2).to_string(),
            "streamSid": "MZ1", "media": {"track": "inbound", "chunk": (n + 1).to_string(),
            "timestamp": (n * 20).to_string(), "payload": payload}}),
        ));
    }
    frames.push(text(
        json!({"event": "mark", "streamSid": "MZ1", "mark": {"name": "m"}}),
    ));
    frames.push(text(json!({"event": "stop", "streamSid": "MZ1",
        "stop": {"accountSid": "AC1", "callSid": "CA123"}})));
    assert_eq!(
        refused(&emulator.twilio_url(), frames).await,
        (1000, "stream stopped".into())
    );
    let events = client.events_until_result().await;
    let statuses = events
        .iter()
        .filter(|(name, _)| name == "info-vad-status")
        .count();
    assert_eq!(statuses, 5, "0.0 s, then one per 0.5 s of the 2 s streamed");
    let (name, data) = events.last().unwrap();
    assert_eq!(name, "result-failure");
    assert_eq!(data["reason"], "audio_ended");
    assert_eq!(data["audio_seconds"], 2.0);
    emulator.shutdown().await;
}

/// Closes `ws` with code 1000 and returns the code of the consumer's reply (`None`: the
/// connection dropped without one, which the peer sees as 1006).
async fn reply_to_close<S>(ws: &mut S) -> Option<u16>
where
    S: futures_util::Sink<Message, Error = tokio_tungstenite::tungstenite::Error>
        + futures_util::StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>>
        + Unpin,
{
    use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
    use tokio_tungstenite::tungstenite::protocol::CloseFrame;
    let bye = CloseFrame {
        code: CloseCode::Normal,
        reason: "bye".into(),
    };
    ws.send(Message::Close(Some(bye))).await.unwrap();
    close_reason(ws)
        .await
        .close
        .map(|frame| u16::from(frame.code))
}

#[tokio::test]
async fn a_streams_close_is_answered_with_its_code() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let url = emulator.twilio_url();
    // Before `start`.
    let (mut ws, _) = twilio_connect(&url).await;
    assert_eq!(reply_to_close(&mut ws).await, Some(1000));
    // While streaming to a live session.
    let mut client = connect(&emulator, "/socket.io/register").await;
    client
        .emit("initialize", &register_request("closing-call", 5.0))
        .await;
    assert_eq!(client.next_event().await.unwrap().0, "info-consumer-ready");
    let (mut ws, _) = twilio_connect(&url).await;
    let start = json!({"event": "start", "start": {"callSid": "closing-call"}});
    ws.send(text(start)).await.unwrap();
    let media = json!({"event": "media", "media": {"payload": "//////////8="}});
    ws.send(text(media)).await.unwrap();
    assert_eq!(reply_to_close(&mut ws).await, Some(1000));
    emulator.shutdown().await;
}
