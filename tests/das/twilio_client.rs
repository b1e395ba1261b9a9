//! The Twilio Media Streams client against a real axum WebSocket consumer on loopback.

use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::routing::get;
use axum::Router;
use das::audio::pacing::Pacing;
use das::twilio::{TwilioConfig, TwilioEnd, TwilioError, TwilioMode, TwilioSession};
use serde_json::Value;
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(10);

/// A consumer that records every text frame and, when `close_after` is set, closes the
/// socket after that many `media` frames (as das-Peak does once it has enough audio).
async fn consumer(close_after: Option<usize>) -> (String, mpsc::UnboundedReceiver<Value>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = Router::new().route(
        "/media",
        get(move |ws: WebSocketUpgrade| {
            let tx = tx.clone();
            async move { ws.on_upgrade(move |socket| record(socket, tx, close_after)) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/media", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, rx)
}

async fn record(
    mut socket: WebSocket,
    tx: mpsc::UnboundedSender<Value>,
    close_after: Option<usize>,
) {
    let mut media = 0;
    while let Some(Ok(message)) = socket.recv().await {
        if let Message::Text(text) = message {
            let value: Value = serde_json::from_str(text.as_str()).unwrap();
            media += usize::from(value["event"] == "media");
            let _ = tx.send(value);
            if Some(media) == close_after {
                let _ = socket.send(Message::Close(None)).await;
                // The client answers our Close with its own (RFC 6455 §5.5.1).
                loop {
                    match socket.recv().await {
                        Some(Ok(Message::Close(_))) => {
                            let _ = tx.send(Value::String("close answered".into()));
                            break;
                        }
                        Some(Ok(_)) => {}
                        None | Some(Err(_)) => break,
                    }
                }
                break;
            }
        }
    }
    // End of stream marker for `collect`.
    let _ = tx.send(Value::Null);
}

/// Every frame the consumer received until its socket ended.
async fn collect(mut rx: mpsc::UnboundedReceiver<Value>) -> Vec<Value> {
    let mut all = Vec::new();
    loop {
        match tokio::time::timeout(WAIT, rx.recv())
            .await
            .expect("consumer still open")
            .unwrap()
        {
            Value::Null => return all,
            value => all.push(value),
        }
    }
}

fn payload(frame: &Value) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(frame["media"]["payload"].as_str().unwrap())
        .unwrap()
}

#[tokio::test]
async fn subset_sends_start_then_media_exactly() {
    let (url, rx) = consumer(None).await;
    let mut config = TwilioConfig::new(url.parse().unwrap());
    config.pacing = Pacing::AsFastAsPossible;
    let session = TwilioSession::open(config, "CA123").await.unwrap();
    let audio: Vec<u8> = (0..1000u32).map(|n| n as u8).collect();
    session.push_wait(&audio).await.unwrap();
    assert_eq!(
        tokio::time::timeout(WAIT, session.finish())
            .await
            .unwrap()
            .unwrap(),
        TwilioEnd::Finished
    );
    let frames = collect(rx).await;
    assert_eq!(
        frames[0],
        serde_json::json!({"event": "start", "start": {"callSid": "CA123"}})
    );
    let media = &frames[1..];
    assert!(media.iter().all(|f| f["event"] == "media"
        && f.as_object().unwrap().len() == 2
        && f["media"].as_object().unwrap().len() == 1));
    assert_eq!(media.len(), 7, "160-byte (20 ms) frames plus the remainder");
    assert_eq!(media.iter().flat_map(payload).collect::<Vec<u8>>(), audio);
}

#[tokio::test]
async fn full_mode_numbers_frames_and_stops() {
    let (url, rx) = consumer(None).await;
    let mut config = TwilioConfig::new(url.parse().unwrap());
    config.pacing = Pacing::AsFastAsPossible;
    config.mode = TwilioMode::Full {
        stream_sid: "MZ1".into(),
        account_sid: "AC1".into(),
        track: "inbound".into(),
    };
    let session = TwilioSession::open(config, "CA9").await.unwrap();
    session.push_wait(&[0xFF; 480]).await.unwrap();
    session.finish().await.unwrap();
    let frames = collect(rx).await;
    let events: Vec<&str> = frames
        .iter()
        .map(|f| f["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        ["connected", "start", "media", "media", "media", "stop"]
    );
    assert_eq!(frames[0]["protocol"], "Call");
    let start = &frames[1];
    assert_eq!(start["sequenceNumber"], "1");
    assert_eq!(start["start"]["callSid"], "CA9");
    assert_eq!(start["start"]["streamSid"], "MZ1");
    assert_eq!(start["start"]["accountSid"], "AC1");
    assert_eq!(start["start"]["tracks"], serde_json::json!(["inbound"]));
    assert_eq!(
        start["start"]["mediaFormat"],
        serde_json::json!({"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1})
    );
    for (i, media) in frames[2..5].iter().enumerate() {
        assert_eq!(media["sequenceNumber"], (i + 2).to_string());
        assert_eq!(media["media"]["chunk"], (i + 1).to_string());
        assert_eq!(media["media"]["timestamp"], (i * 20).to_string());
        assert_eq!(media["media"]["track"], "inbound");
        assert_eq!(media["streamSid"], "MZ1");
    }
    assert_eq!(
        frames[5]["stop"],
        serde_json::json!({"accountSid": "AC1", "callSid": "CA9"})
    );
}

#[tokio::test]
async fn marks_follow_the_audio_sent_before_them() {
    let (url, mut rx) = consumer(None).await;
    let mut config = TwilioConfig::new(url.parse().unwrap());
    config.mode = TwilioMode::Full {
        stream_sid: "MZ1".into(),
        account_sid: "AC1".into(),
        track: "inbound".into(),
    };
    let session = TwilioSession::open(config, "CA9").await.unwrap();
    session.push_wait(&[0xFF; 160]).await.unwrap();
    let mut events = Vec::new();
    // Mark only once the consumer has the media frame.
    while events.last().map(String::as_str) != Some("media") {
        let frame = tokio::time::timeout(WAIT, rx.recv())
            .await
            .unwrap()
            .unwrap();
        events.push(frame["event"].as_str().unwrap().to_owned());
    }
    session.mark("greeting-done");
    session.finish().await.unwrap();
    events.extend(
        collect(rx)
            .await
            .iter()
            .map(|f| f["event"].as_str().unwrap().to_owned()),
    );
    assert_eq!(events, ["connected", "start", "media", "mark", "stop"]);
}

#[tokio::test]
async fn consumer_closing_is_a_normal_end() {
    let (url, rx) = consumer(Some(3)).await;
    let mut config = TwilioConfig::new(url.parse().unwrap());
    config.pacing = Pacing::RealTime;
    let session = TwilioSession::open(config, "CA1").await.unwrap();
    // Ten seconds of audio; the consumer stops after three frames.
    session.push(&[0xFF; 80_000]).unwrap();
    let end = tokio::time::timeout(WAIT, session.finish())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(end, TwilioEnd::ConsumerClosed);
    let frames = collect(rx).await;
    assert_eq!(frames.len(), 5);
    assert_eq!(frames[4], "close answered");
}

#[tokio::test]
async fn unreachable_or_wrong_urls_are_errors() {
    let config = TwilioConfig::new("http://127.0.0.1:1/".parse().unwrap());
    assert!(matches!(
        TwilioSession::open(config, "CA1").await,
        Err(das::twilio::TwilioError::Config(_))
    ));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let config = TwilioConfig::new(format!("ws://127.0.0.1:{port}/").parse().unwrap());
    assert!(matches!(
        TwilioSession::open(config, "CA1").await,
        Err(das::twilio::TwilioError::Connect(_))
    ));
}

/// A consumer that reads the opening frame, stops reading while the client fills the
/// socket, then (with `close`) sends its Close and drops the connection at once. Its unread
/// bytes make the kernel answer with a reset, so the client's pending write fails before the
/// client has read the Close: the ordering a consumer behind a proxy produces.
async fn consumer_that_drops_mid_write(close: bool) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/media", listener.local_addr().unwrap());
    tokio::spawn(async move {
        use futures_util::{SinkExt, StreamExt};
        use tokio_tungstenite::tungstenite::Message as WsMessage;
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
        let _start = ws.next().await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        if close {
            let _ = ws.send(WsMessage::Close(None)).await;
        }
    });
    url
}

/// Streams more audio than the loopback socket buffers hold, as fast as the consumer reads,
/// so a write is pending when the consumer goes.
async fn stream_until_the_consumer_goes(url: String) -> Result<TwilioEnd, TwilioError> {
    let mut config = TwilioConfig::new(url.parse().unwrap());
    config.pacing = Pacing::AsFastAsPossible;
    config.buffer_bytes = 32 << 20;
    let session = TwilioSession::open(config, "CA1").await.unwrap();
    session.push(&vec![0xFF; 32 << 20]).unwrap();
    tokio::time::timeout(WAIT, session.finish()).await.unwrap()
}

#[tokio::test]
async fn a_consumer_closing_during_a_write_is_a_normal_end() {
    let url = consumer_that_drops_mid_write(true).await;
    let end = stream_until_the_consumer_goes(url).await.unwrap();
    assert_eq!(end, TwilioEnd::ConsumerClosed);
}

#[tokio::test]
async fn a_consumer_resetting_without_a_close_is_a_lost_connection() {
    let url = consumer_that_drops_mid_write(false).await;
    let end = stream_until_the_consumer_goes(url).await;
    assert!(
        matches!(end, Err(TwilioError::ConnectionLost(_))),
        "{end:?}"
    );
}

#[tokio::test]
async fn timeouts_without_limit_are_accepted() {
    let (url, rx) = consumer(None).await;
    let mut config = TwilioConfig::new(url.parse().unwrap());
    config.pacing = Pacing::AsFastAsPossible;
    // `Duration::MAX` is how a Rust caller says "no limit": no deadline may overflow.
    config.timeout = Duration::MAX;
    config.write_stall_timeout = Duration::MAX;
    let session = TwilioSession::open(config, "CA1").await.unwrap();
    session.push(&[0xFF; 480]).unwrap();
    assert_eq!(session.finish().await.unwrap(), TwilioEnd::Finished);
    assert_eq!(collect(rx).await.len(), 4);
}
