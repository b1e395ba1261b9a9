//! The Socket.IO client against hand-scripted WebSocket servers: malformed frames, heartbeat
//! loss, binary packets before the CONNECT reply, maxPayload, the upgrade request itself.

use crate::support;

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use das::auth::TokenProvider;
use das::socketio::{
    Client, ConnectOptions, DisconnectReason, Incoming, Reconnection, SocketIoError,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

const WAIT: Duration = Duration::from_secs(10);
type Ws = WebSocketStream<TcpStream>;

fn open(ping_interval: u64, ping_timeout: u64, max_payload: u64) -> Message {
    Message::text(format!(
        r#"0{{"sid":"raw","upgrades":[],"pingInterval":{ping_interval},"pingTimeout":{ping_timeout},"maxPayload":{max_payload}}}"#
    ))
}

/// Serves one WebSocket connection with `script`; returns the port.
async fn serve<F, Fut>(script: F) -> u16
where
    F: FnOnce(Ws) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
        script(ws).await;
    });
    port
}

/// Reads the next text frame (skipping control frames).
async fn text(ws: &mut Ws) -> String {
    loop {
        match tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("frame in time")
        {
            Some(Ok(Message::Text(t))) => return t.to_string(),
            Some(Ok(Message::Close(_))) | None => return "<closed>".into(),
            Some(Ok(_)) => {}
            Some(Err(e)) => return format!("<error {e}>"),
        }
    }
}

fn options(port: u16) -> ConnectOptions {
    ConnectOptions::new(format!("http://127.0.0.1:{port}/"))
        .reconnection(Reconnection::disabled())
        .connect_timeout(WAIT)
}

/// Open + accept the root namespace.
async fn accept(ws: &mut Ws) {
    ws.send(open(25000, 20000, 1_000_000)).await.unwrap();
    assert_eq!(text(ws).await, "40");
    ws.send(Message::text(r#"40{"sid":"s1"}"#)).await.unwrap();
}

#[tokio::test]
async fn garbage_after_connect_is_a_protocol_error_and_a_clean_close() {
    let (closed_tx, closed_rx) = tokio::sync::oneshot::channel();
    let port = serve(|mut ws| async move {
        accept(&mut ws).await;
        ws.send(Message::text("4abc")).await.unwrap();
        let _ = closed_tx.send(text(&mut ws).await);
    })
    .await;
    let (_client, mut events) = Client::connect(options(port)).await.unwrap();
    loop {
        match events
            .recv_timeout(WAIT)
            .await
            .unwrap()
            .expect("open queue")
        {
            Incoming::Disconnected {
                reason: DisconnectReason::Protocol(message),
            } => {
                assert!(
                    message.contains("unknown Socket.IO packet type"),
                    "{message}"
                );
                break;
            }
            Incoming::Connected { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(
        events.recv_timeout(WAIT).await.unwrap().is_none(),
        "no reconnection after a protocol error"
    );
    assert_eq!(
        tokio::time::timeout(WAIT, closed_rx)
            .await
            .unwrap()
            .unwrap(),
        "<closed>"
    );
}

#[tokio::test]
async fn a_servers_close_is_answered_with_its_code() {
    use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
    use tokio_tungstenite::tungstenite::protocol::CloseFrame;
    let (reply_tx, reply_rx) = tokio::sync::oneshot::channel();
    let port = serve(|mut ws| async move {
        accept(&mut ws).await;
        let bye = CloseFrame {
            code: CloseCode::Normal,
            reason: "bye".into(),
        };
        ws.send(Message::Close(Some(bye))).await.unwrap();
        let reply = loop {
            match tokio::time::timeout(WAIT, ws.next()).await.unwrap() {
                Some(Ok(Message::Close(frame))) => break frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => {}
                None | Some(Err(_)) => break None,
            }
        };
        let _ = reply_tx.send(reply);
    })
    .await;
    let (_client, mut events) = Client::connect(options(port)).await.unwrap();
    loop {
        match events.recv_timeout(WAIT).await.unwrap() {
            Some(Incoming::Disconnected { reason }) => {
                assert_eq!(reason, DisconnectReason::TransportClose);
                break;
            }
            Some(_) => {}
            None => panic!("no disconnect event"),
        }
    }
    // RFC 6455 §5.5.1: the client answers with a Close echoing the code (not 1006).
    let reply = tokio::time::timeout(WAIT, reply_rx).await.unwrap().unwrap();
    assert_eq!(reply, Some(1000));
}

#[tokio::test]
async fn malformed_frames_fail_the_connect_with_typed_errors() {
    for (frame, expect) in [
        ("hello", "unknown Engine.IO packet type"),
        ("0{\"sid\":", "invalid Engine.IO open packet"),
        ("42{}", "payload must be an array"),
    ] {
        let port = serve(move |mut ws| async move {
            if frame.starts_with('4') {
                ws.send(open(25000, 20000, 1_000_000)).await.unwrap();
                text(&mut ws).await;
            }
            ws.send(Message::text(frame)).await.unwrap();
            text(&mut ws).await;
        })
        .await;
        match Client::connect(options(port)).await {
            Err(SocketIoError::Protocol(e)) => {
                assert!(e.message().contains(expect), "{frame}: {e}")
            }
            other => panic!("{frame}: expected a protocol error, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn silence_beyond_ping_interval_plus_timeout_is_a_ping_timeout() {
    let port = serve(|mut ws| async move {
        ws.send(open(100, 100, 1_000_000)).await.unwrap();
        assert_eq!(text(&mut ws).await, "40");
        ws.send(Message::text(r#"40{"sid":"s1"}"#)).await.unwrap();
        ws.send(Message::text("2")).await.unwrap();
        assert_eq!(text(&mut ws).await, "3", "pings are answered");
        // Then stay silent, keeping the socket open.
        text(&mut ws).await;
    })
    .await;
    let (_client, mut events) = Client::connect(options(port)).await.unwrap();
    loop {
        match events
            .recv_timeout(WAIT)
            .await
            .unwrap()
            .expect("open queue")
        {
            Incoming::Disconnected { reason } => {
                assert_eq!(reason, DisconnectReason::PingTimeout);
                break;
            }
            Incoming::Connected { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn binary_event_and_ack_request_before_the_connect_reply_are_delivered_first() {
    let port = serve(|mut ws| async move {
        ws.send(open(25000, 20000, 1_000_000)).await.unwrap();
        assert_eq!(text(&mut ws).await, "40/a,");
        ws.send(Message::text(
            r#"451-/a,7["pre",{"_placeholder":true,"num":0}]"#,
        ))
        .await
        .unwrap();
        ws.send(Message::binary(Bytes::from_static(&[9, 8, 7])))
            .await
            .unwrap();
        ws.send(Message::text(r#"40/a,{"sid":"s1"}"#))
            .await
            .unwrap();
        assert_eq!(text(&mut ws).await, r#"43/a,7["ok"]"#);
        text(&mut ws).await;
    })
    .await;
    let (_client, mut events) = Client::connect(options(port).namespace("a")).await.unwrap();
    let Incoming::Event(mut event) = events.recv_timeout(WAIT).await.unwrap().unwrap() else {
        panic!("the pre-connect event comes first")
    };
    assert_eq!(
        (event.namespace.as_str(), event.name.as_str()),
        ("/a", "pre")
    );
    assert_eq!(event.binary(&event.args[0]).unwrap().as_ref(), &[9, 8, 7]);
    assert!(matches!(
        events.recv_timeout(WAIT).await.unwrap().unwrap(),
        Incoming::Connected { namespace, sid } if namespace == "/a" && sid == "s1"
    ));
    event
        .take_ack()
        .unwrap()
        .send(vec![json!("ok")])
        .await
        .unwrap();
}

#[tokio::test]
async fn packets_above_max_payload_are_refused_before_sending() {
    let port = serve(|mut ws| async move {
        ws.send(open(25000, 20000, 64)).await.unwrap();
        assert_eq!(text(&mut ws).await, "40");
        ws.send(Message::text(r#"40{"sid":"s1"}"#)).await.unwrap();
        assert_eq!(text(&mut ws).await, r#"42["small"]"#);
        text(&mut ws).await;
    })
    .await;
    let (client, _events) = Client::connect(options(port)).await.unwrap();
    let big = json!("x".repeat(100));
    assert!(matches!(
        client.emit("/", "big", vec![big]).await,
        Err(SocketIoError::PayloadTooLarge { max: 64, .. })
    ));
    client.emit("/", "small", vec![]).await.unwrap();
    client.disconnect().await;
}

#[tokio::test]
async fn upgrade_request_uses_the_engine_path_query_and_headers() {
    let seen = Arc::new(Mutex::new(None));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let record = seen.clone();
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        // The error type is tungstenite's ErrorResponse, fixed by its Callback trait.
        #[allow(clippy::result_large_err)]
        let callback = move |req: &Request, resp: Response| {
            let header = req
                .headers()
                .get("x-tenant")
                .map(|v| v.to_str().unwrap().to_owned());
            *record.lock().unwrap() = Some((req.uri().to_string(), header));
            Ok(resp)
        };
        let mut ws = tokio_tungstenite::accept_hdr_async(tcp, callback)
            .await
            .unwrap();
        accept(&mut ws).await;
        text(&mut ws).await;
    });
    let opts = ConnectOptions::new(format!("http://127.0.0.1:{port}/socket.io?tenant=a"))
        .header("X-Tenant", "acme")
        .reconnection(Reconnection::disabled());
    let (client, _events) = Client::connect(opts).await.unwrap();
    let (uri, header) = seen.lock().unwrap().clone().unwrap();
    assert_eq!(uri, "/socket.io/?tenant=a&EIO=4&transport=websocket");
    assert_eq!(header.as_deref(), Some("acme"));
    client.disconnect().await;
}

#[tokio::test]
async fn a_silent_server_times_out_the_connect() {
    let port = serve(|mut ws| async move {
        text(&mut ws).await;
    })
    .await;
    let opts = options(port).connect_timeout(Duration::from_millis(300));
    assert!(matches!(
        Client::connect(opts).await,
        Err(SocketIoError::Timeout(_))
    ));
}

#[tokio::test]
async fn a_refused_upgrade_reports_the_http_status() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (mut tcp, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 2048];
        let _ = tokio::io::AsyncReadExt::read(&mut tcp, &mut buf).await;
        let _ = tcp
            .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")
            .await;
    });
    assert!(matches!(
        Client::connect(options(port)).await,
        Err(SocketIoError::HttpStatus { status: 404 })
    ));
}

#[tokio::test]
async fn a_refused_reconnection_drops_the_cached_token() {
    let tokens = support::TokenServer::start().await;
    let provider = TokenProvider::client_credentials(&tokens.url, "id", "s3cret")
        .build()
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (seen_tx, mut seen) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        // 1st connection: accepted, then closed by the server. 2nd: refused. 3rd: accepted.
        for round in 0..3 {
            let (tcp, _) = listener.accept().await.unwrap();
            let seen_tx = seen_tx.clone();
            // The error type is tungstenite's ErrorResponse, fixed by its Callback trait.
            #[allow(clippy::result_large_err)]
            let callback = move |req: &Request, resp: Response| {
                let auth = req
                    .headers()
                    .get("authorization")
                    .map(|v| v.to_str().unwrap().to_owned());
                seen_tx.send(auth.unwrap_or_default()).unwrap();
                Ok(resp)
            };
            let mut ws = tokio_tungstenite::accept_hdr_async(tcp, callback)
                .await
                .unwrap();
            ws.send(open(25000, 20000, 1_000_000)).await.unwrap();
            assert_eq!(text(&mut ws).await, "40");
            if round == 1 {
                ws.send(Message::text(r#"44{"message":"token revoked"}"#))
                    .await
                    .unwrap();
                text(&mut ws).await;
                continue;
            }
            ws.send(Message::text(r#"40{"sid":"s"}"#)).await.unwrap();
            if round == 0 {
                ws.close(None).await.unwrap();
            } else {
                text(&mut ws).await;
            }
        }
    });
    let reconnection = Reconnection {
        delay: Duration::from_millis(10),
        delay_max: Duration::from_millis(20),
        ..Reconnection::default()
    };
    let opts = ConnectOptions::new(format!("http://127.0.0.1:{port}/"))
        .token_provider(provider)
        .reconnection(reconnection);
    let (client, mut events) = Client::connect(opts).await.unwrap();
    let mut connected = 0;
    while connected < 2 {
        match events
            .recv_timeout(WAIT)
            .await
            .unwrap()
            .expect("open queue")
        {
            Incoming::Connected { .. } => connected += 1,
            Incoming::Disconnected { reason } => assert!(reason.is_reconnectable(), "{reason}"),
            _ => {}
        }
    }
    let mut headers = Vec::new();
    for _ in 0..3 {
        headers.push(seen.recv().await.unwrap());
    }
    assert_eq!(headers, ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]);
    client.disconnect().await;
}
