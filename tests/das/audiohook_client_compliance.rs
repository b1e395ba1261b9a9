//! Our AudioHook client against a raw WebSocket server that scripts the server side, to check
//! what the client puts on the wire: ping seq/rtt, open timeout, media validation,
//! startPaused, discardTo, seq violations, missed pongs and an unanswered close.

use std::time::Duration;

use das::audio::pacing::Pacing;
use das::audiohook::client::{ClientConfig, ClientEnd, ClientError, ClientSession};
use das::audiohook::secret::ClientSecret;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(10);

/// A scripted server peer: the test drives it message by message.
struct Peer {
    ws: WebSocketStream<TcpStream>,
    id: String,
    seq: u64,
    clientseq: u64,
}

impl Peer {
    async fn recv(&mut self) -> Option<Message> {
        tokio::time::timeout(WAIT, self.ws.next())
            .await
            .expect("client silent")
            .and_then(Result::ok)
    }

    /// The next text message, with the client envelope checked.
    async fn text(&mut self) -> Value {
        loop {
            match self.recv().await.expect("client closed") {
                Message::Text(text) => {
                    let value: Value = serde_json::from_str(text.as_str()).unwrap();
                    assert_eq!(value["version"], "2");
                    assert_eq!(
                        value["seq"],
                        self.clientseq + 1,
                        "client seq increments by one: {value}"
                    );
                    assert_eq!(
                        value["serverseq"], self.seq,
                        "serverseq echoes our last seq: {value}"
                    );
                    assert!(value["position"].as_str().unwrap().starts_with("PT"));
                    assert!(value["parameters"].is_object());
                    self.clientseq += 1;
                    self.id = value["id"].as_str().unwrap().to_owned();
                    return value;
                }
                Message::Binary(_) => continue,
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    async fn send(&mut self, kind: &str, parameters: Value) {
        self.seq += 1;
        self.send_raw(json!({"version":"2","id":self.id,"type":kind,"seq":self.seq,"clientseq":self.clientseq,"parameters":parameters})).await;
    }

    async fn send_raw(&mut self, value: Value) {
        self.ws
            .send(Message::text(value.to_string()))
            .await
            .unwrap();
    }

    /// Reads `open` and answers `opened` selecting the first offer plus `extra` parameters.
    async fn accept_open(&mut self, extra: Value) -> Value {
        let open = self.text().await;
        assert_eq!(open["type"], "open");
        let mut parameters = json!({"media": [open["parameters"]["media"][0]]});
        for (k, v) in extra.as_object().unwrap() {
            parameters[k] = v.clone();
        }
        self.send("opened", parameters).await;
        open
    }

    /// Answers the close transaction.
    async fn expect_close(&mut self, reason: &str) {
        let close = loop {
            let message = self.text().await;
            if message["type"] == "close" {
                break message;
            }
        };
        assert_eq!(close["parameters"]["reason"], reason);
        self.send("closed", json!({})).await;
    }
}

async fn listen() -> (TcpListener, ClientConfig) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/ws", listener.local_addr().unwrap())
        .parse()
        .unwrap();
    let mut config = ClientConfig::new(url, Uuid::new_v4(), "key", ClientSecret::default());
    config.pacing = Pacing::AsFastAsPossible;
    (listener, config)
}

async fn peer(listener: &TcpListener) -> Peer {
    let (stream, _) = tokio::time::timeout(WAIT, listener.accept())
        .await
        .unwrap()
        .unwrap();
    let ws = tokio_tungstenite::accept_async(stream).await.unwrap();
    Peer {
        ws,
        id: String::new(),
        seq: 0,
        clientseq: 0,
    }
}

#[tokio::test]
async fn ping_seq_and_rtt_bootstrap() {
    let (listener, mut config) = listen().await;
    config.ping_delay = Duration::from_millis(50);
    let client = tokio::spawn(async move {
        let session = ClientSession::open(config, Uuid::new_v4()).await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        session.finish().await
    });
    let mut server = peer(&listener).await;
    let open = server.accept_open(json!({})).await;
    assert_eq!(
        (
            open["seq"].as_u64(),
            open["serverseq"].as_u64(),
            open["position"].as_str()
        ),
        (Some(1), Some(0), Some("PT0S"))
    );
    let ping = server.text().await;
    assert_eq!(
        (
            ping["type"].as_str(),
            ping["seq"].as_u64(),
            ping["serverseq"].as_u64()
        ),
        (Some("ping"), Some(2), Some(1))
    );
    assert!(
        ping["parameters"].get("rtt").is_none(),
        "no rtt before the first pong"
    );
    server.send("pong", json!({})).await;
    let second = server.text().await;
    assert_eq!(
        second["type"], "ping",
        "a second ping follows the first pong at once"
    );
    assert!(second["parameters"]["rtt"]
        .as_str()
        .unwrap()
        .starts_with("PT"));
    server.send("pong", json!({})).await;
    server.expect_close("end").await;
    assert_eq!(client.await.unwrap().unwrap(), ClientEnd::Finished);
}

#[tokio::test]
async fn silent_server_times_out_the_open_with_408() {
    let (listener, mut config) = listen().await;
    config.open_timeout = Duration::from_millis(200);
    config.close_timeout = Duration::from_millis(200);
    let client = tokio::spawn(ClientSession::open(config, Uuid::new_v4()));
    let mut server = peer(&listener).await;
    assert_eq!(server.text().await["type"], "open");
    let error = server.text().await;
    assert_eq!(
        (error["type"].as_str(), error["parameters"]["code"].as_u64()),
        (Some("error"), Some(408))
    );
    let close = server.text().await;
    assert_eq!(close["parameters"]["reason"], "error");
    assert!(matches!(
        client.await.unwrap(),
        Err(ClientError::OpenTimeout)
    ));
}

#[tokio::test]
async fn a_selection_that_was_not_offered_is_refused() {
    for media in [
        json!([{"type":"audio","format":"L16","channels":["external","internal"],"rate":8000}]),
        json!([{"type":"audio","format":"PCMU","channels":["external"],"rate":8000},
               {"type":"audio","format":"PCMU","channels":["internal"],"rate":8000}]),
    ] {
        let (listener, config) = listen().await;
        let client = tokio::spawn(ClientSession::open(config, Uuid::new_v4()));
        let mut server = peer(&listener).await;
        assert_eq!(server.text().await["type"], "open");
        server.send("opened", json!({"media": media})).await;
        let error = server.text().await;
        assert_eq!(error["parameters"]["code"], 400, "{error}");
        server.expect_close("error").await;
        assert!(matches!(
            client.await.unwrap(),
            Err(ClientError::Protocol(_))
        ));
    }
}

#[tokio::test]
async fn start_paused_sends_paused_and_no_audio_until_resume() {
    let (listener, config) = listen().await;
    let client = tokio::spawn(ClientSession::open(config, Uuid::new_v4()));
    let mut server = peer(&listener).await;
    server.accept_open(json!({"startPaused": true})).await;
    let session = client.await.unwrap().unwrap();
    session.push(&[0xFF; 3200]).unwrap();
    assert_eq!(server.text().await["type"], "paused");
    // Nothing binary may arrive before we resume.
    let early = tokio::time::timeout(Duration::from_millis(200), server.ws.next()).await;
    assert!(early.is_err(), "audio while paused: {early:?}");
    server.send("resume", json!({})).await;
    let resumed = server.text().await;
    assert_eq!(resumed["type"], "resumed");
    assert_eq!(resumed["parameters"]["start"], "PT0S");
    match server.recv().await.unwrap() {
        Message::Binary(audio) => assert_eq!(audio.len(), 3200),
        other => panic!("expected audio, got {other:?}"),
    }
    let finish = tokio::spawn(session.finish());
    server.expect_close("end").await;
    assert_eq!(finish.await.unwrap().unwrap(), ClientEnd::Finished);
    // After the close transaction the client closes the WebSocket with a normal close.
    assert_eq!(close_code(&mut server).await, Some(1000));
}

#[tokio::test]
async fn discard_to_skips_audio_and_reports_it() {
    let (listener, mut config) = listen().await;
    config.input_channels = vec![das::audiohook::messages::MediaChannel::External];
    let client = tokio::spawn(async move {
        let session = ClientSession::open(config, Uuid::new_v4()).await?;
        // 1 s of mono audio: frames 0..5 of 200 ms, each tagged with its index.
        for n in 0..5u8 {
            session.push_wait(&[n; 1600]).await.unwrap();
        }
        session.finish().await
    });
    let mut server = peer(&listener).await;
    server.accept_open(json!({"discardTo": "PT0.5S"})).await;
    let discarded = server.text().await;
    assert_eq!(discarded["type"], "discarded");
    assert_eq!(
        discarded["parameters"],
        json!({"start": "PT0S", "discarded": "PT0.4S"}),
        "rounded down to frames"
    );
    let mut frames = Vec::new();
    loop {
        match server.recv().await.unwrap() {
            Message::Binary(audio) => frames.push(audio[0]),
            Message::Text(text) => {
                let close: Value = serde_json::from_str(text.as_str()).unwrap();
                assert_eq!(close["type"], "close");
                assert_eq!(close["position"], "PT1S");
                server.clientseq += 1;
                server.send("closed", json!({})).await;
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(frames, vec![2, 3, 4]);
    client.await.unwrap().unwrap();
}

#[tokio::test]
async fn server_seq_gap_gets_error_500_and_close() {
    let (listener, config) = listen().await;
    let client = tokio::spawn(ClientSession::open(config, Uuid::new_v4()));
    let mut server = peer(&listener).await;
    server.accept_open(json!({})).await;
    let session = client.await.unwrap().unwrap();
    server.seq += 1;
    server.send("pause", json!({})).await;
    server.seq -= 2;
    let error = server.text().await;
    assert_eq!(
        (error["type"].as_str(), error["parameters"]["code"].as_u64()),
        (Some("error"), Some(500))
    );
    server.expect_close("error").await;
    assert!(
        matches!(session.finish().await, Err(ClientError::Protocol(text)) if text.contains("seq=3"))
    );
}

#[tokio::test]
async fn missed_pong_fails_with_408() {
    let (listener, mut config) = listen().await;
    config.ping_delay = Duration::from_millis(20);
    config.ping_interval = Duration::from_millis(100);
    let client = tokio::spawn(ClientSession::open(config, Uuid::new_v4()));
    let mut server = peer(&listener).await;
    server.accept_open(json!({})).await;
    let session = client.await.unwrap().unwrap();
    assert_eq!(server.text().await["type"], "ping");
    let error = server.text().await;
    assert_eq!(
        (error["type"].as_str(), error["parameters"]["code"].as_u64()),
        (Some("error"), Some(408))
    );
    server.expect_close("error").await;
    assert!(matches!(
        session.finish().await,
        Err(ClientError::PongTimeout)
    ));
}

#[tokio::test]
async fn an_unanswered_close_times_out_with_408() {
    let (listener, mut config) = listen().await;
    config.close_timeout = Duration::from_millis(200);
    let client = tokio::spawn(ClientSession::open(config, Uuid::new_v4()));
    let mut server = peer(&listener).await;
    server.accept_open(json!({})).await;
    let session = client.await.unwrap().unwrap();
    session.push(&[0xFF; 1600]).unwrap();
    let finished = tokio::spawn(session.finish());
    let close = loop {
        let message = server.text().await;
        if message["type"] == "close" {
            break message;
        }
    };
    assert_eq!(close["parameters"]["reason"], "end");
    // No `closed`: the client gives up after its close timeout and says why.
    let error = server.text().await;
    assert_eq!(
        (error["type"].as_str(), error["parameters"]["code"].as_u64()),
        (Some("error"), Some(408)),
        "{error}"
    );
    let outcome = tokio::time::timeout(WAIT, finished).await.unwrap().unwrap();
    assert!(
        matches!(outcome, Err(ClientError::CloseTimeout)),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn binary_from_the_server_gets_415() {
    let (listener, config) = listen().await;
    let client = tokio::spawn(ClientSession::open(config, Uuid::new_v4()));
    let mut server = peer(&listener).await;
    server.accept_open(json!({})).await;
    let session = client.await.unwrap().unwrap();
    server
        .ws
        .send(Message::binary(vec![1, 2, 3]))
        .await
        .unwrap();
    let error = server.text().await;
    assert_eq!(error["parameters"]["code"], 415);
    server.expect_close("error").await;
    assert!(matches!(
        session.finish().await,
        Err(ClientError::Protocol(_))
    ));
}

#[tokio::test]
async fn a_server_closing_the_socket_mid_stream_is_a_consumer_close() {
    let (listener, mut config) = listen().await;
    config.pacing = Pacing::RealTime;
    let client = tokio::spawn(ClientSession::open(config, Uuid::new_v4()));
    let mut server = peer(&listener).await;
    server.accept_open(json!({})).await;
    let session = client.await.unwrap().unwrap();
    // Ten seconds of audio: the stream is still running when the server closes.
    session.push(&[0xFF; 160_000]).unwrap();
    assert!(matches!(server.recv().await, Some(Message::Binary(_))));
    let bye = CloseFrame {
        code: CloseCode::Normal,
        reason: "enough audio".into(),
    };
    server.ws.close(Some(bye)).await.unwrap();
    let end = tokio::time::timeout(WAIT, session.finish())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(end, ClientEnd::ConsumerClosed { .. }), "{end:?}");
    // RFC 6455 §5.5.1: the client answers with a Close of its own, echoing the code.
    assert_eq!(close_code(&mut server).await, Some(1000));
}

/// The server stops reading while the client fills the socket, then closes and drops the
/// connection at once (`close`), or only drops it. Its unread bytes make the kernel answer with
/// a reset, so the client's pending write fails before it has read the Close: the ordering a
/// server behind a proxy produces.
async fn stream_until_the_server_drops(close: bool) -> Result<ClientEnd, ClientError> {
    let (listener, mut config) = listen().await;
    config.buffer_bytes = 32 << 20;
    let client = tokio::spawn(ClientSession::open(config, Uuid::new_v4()));
    let mut server = peer(&listener).await;
    server.accept_open(json!({})).await;
    let session = client.await.unwrap().unwrap();
    // More than the loopback socket buffers hold, so a write is pending when the server goes.
    session.push(&vec![0xFF; 32 << 20]).unwrap();
    assert!(matches!(server.recv().await, Some(Message::Binary(_))));
    tokio::time::sleep(Duration::from_millis(300)).await;
    if close {
        server.ws.send(Message::Close(None)).await.unwrap();
    }
    drop(server);
    tokio::time::timeout(WAIT, session.finish()).await.unwrap()
}

#[tokio::test]
async fn a_server_closing_during_a_write_is_a_consumer_close() {
    let end = stream_until_the_server_drops(true).await;
    assert!(
        matches!(end, Ok(ClientEnd::ConsumerClosed { .. })),
        "{end:?}"
    );
}

#[tokio::test]
async fn a_server_resetting_without_a_close_is_a_lost_connection() {
    let end = stream_until_the_server_drops(false).await;
    assert!(
        matches!(end, Err(ClientError::ConnectionLost(_))),
        "{end:?}"
    );
}

/// The code of the client's next Close frame; `None` when the connection ends without one.
async fn close_code(server: &mut Peer) -> Option<u16> {
    loop {
        match server.recv().await {
            Some(Message::Close(frame)) => return frame.map(|f| u16::from(f.code)),
            Some(_) => {}
            None => return None,
        }
    }
}
