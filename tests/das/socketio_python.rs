//! The Socket.IO client against python-socketio 5.18 (AsyncServer under uvicorn and aiohttp).

use crate::support;

use std::time::Duration;

use bytes::Bytes;
use das::auth::TokenProvider;
use das::socketio::{
    placeholder, Client, ConnectOptions, DisconnectReason, Event, Events, Incoming, Reconnection,
    SocketIoError,
};
use serde_json::{json, Value};
use support::{PythonPeer, TokenServer, WAIT};

const REGISTER: &str = "/socket.io/register";

async fn peer(mode: &str) -> PythonPeer {
    PythonPeer::start("sio_server.py", &["--host-mode", mode]).await
}

fn options(peer: &PythonPeer) -> ConnectOptions {
    ConnectOptions::new(peer.url())
        .header("Authorization", "Bearer test-token")
        .namespace("/")
        .connect_timeout(WAIT)
}

async fn next(events: &mut Events) -> Incoming {
    events
        .recv_timeout(WAIT)
        .await
        .expect("an item in time")
        .expect("queue open")
}

async fn next_event(events: &mut Events) -> Event {
    loop {
        if let Incoming::Event(e) = next(events).await {
            return *e;
        }
    }
}

#[tokio::test]
async fn connects_under_uvicorn_and_delivers_pre_connect_events_in_order() {
    let peer = peer("asgi").await;
    let (client, mut events) = Client::connect(options(&peer).namespace(REGISTER))
        .await
        .unwrap();
    assert!(client.connected());
    assert!(client.sid().is_some());
    assert!(client.namespace_sid(REGISTER).is_some());
    // python-socketio sends `welcome` (emitted in its connect handler) before each CONNECT reply.
    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(match next(&mut events).await {
            Incoming::Event(e) => format!("event {} {}", e.namespace, e.name),
            Incoming::Connected { namespace, .. } => format!("connected {namespace}"),
            other => panic!("unexpected {other:?}"),
        });
    }
    assert_eq!(
        seen,
        [
            "event / welcome",
            "connected /",
            &format!("event {REGISTER} welcome"),
            &format!("connected {REGISTER}")
        ]
    );
    client.disconnect().await;
    assert!(!client.connected());
    assert!(matches!(
        next(&mut events).await,
        Incoming::Disconnected {
            reason: DisconnectReason::ClientDisconnect
        }
    ));
    assert!(events.recv_timeout(WAIT).await.unwrap().is_none());
}

#[tokio::test]
async fn connects_under_aiohttp_thanks_to_the_trailing_slash() {
    let peer = peer("aiohttp").await;
    let (client, mut events) = Client::connect(options(&peer)).await.unwrap();
    client
        .emit("/", "echo", vec![json!({"a": 1})])
        .await
        .unwrap();
    loop {
        let e = next_event(&mut events).await;
        if e.name == "echo" {
            assert_eq!(e.args, vec![json!({"a": 1})]);
            break;
        }
    }
}

#[tokio::test]
async fn acks_work_both_ways() {
    let peer = peer("asgi").await;
    let (client, mut events) = Client::connect(options(&peer)).await.unwrap();
    // Client-requested: the handler returns a tuple, spread into ack arguments.
    let ack = client
        .emit_with_ack("/", "echo", vec![json!("hello"), json!([1, 2])], WAIT)
        .await
        .unwrap();
    assert_eq!(ack.args, vec![json!("hello"), json!([1, 2])]);
    let second = client
        .emit_with_ack("/", "whoami", vec![], WAIT)
        .await
        .unwrap();
    assert_eq!(second.args, vec![json!("Bearer test-token")]);

    // Server-requested: `sio.call('question')` waits for our ack, then emits `answer`.
    client.emit("/", "ask", vec![json!(42)]).await.unwrap();
    loop {
        let mut e = next_event(&mut events).await;
        if e.name == "question" {
            assert_eq!(e.args, vec![json!({"q": 42})]);
            e.take_ack()
                .expect("server asked for an ack")
                .send(vec![json!("forty-two")])
                .await
                .unwrap();
        } else if e.name == "answer" {
            assert_eq!(e.args, vec![json!("forty-two")]);
            break;
        }
    }
}

#[tokio::test]
async fn rejected_authorization_is_a_typed_refusal_with_the_servers_message() {
    let peer = peer("asgi").await;
    let opts = ConnectOptions::new(peer.url())
        .header("Authorization", "Basic nope")
        .namespace(REGISTER);
    match Client::connect(opts).await {
        Err(SocketIoError::ConnectRefused {
            namespace, message, ..
        }) => {
            assert_eq!(namespace, REGISTER);
            assert_eq!(message, "unauthorized: invalid access token");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn unknown_namespace_is_refused_with_pythons_string_payload() {
    let peer = peer("asgi").await;
    match Client::connect(options(&peer).namespace("/nope")).await {
        Err(SocketIoError::ConnectRefused {
            namespace,
            message,
            data,
            payload,
        }) => {
            assert_eq!(
                (namespace.as_str(), message.as_str(), data),
                ("/nope", "Unable to connect", None)
            );
            // Kept as sent, for python-socketio's `connect_error(data)`.
            assert_eq!(payload.as_deref(), Some(&json!("Unable to connect")));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn reserved_event_names_are_ordinary_events() {
    let peer = peer("asgi").await;
    let (client, mut events) = Client::connect(options(&peer)).await.unwrap();
    client.emit("/", "reserved", vec![]).await.unwrap();
    let mut names = Vec::new();
    while names.len() < 6 {
        let e = next_event(&mut events).await;
        if e.name != "welcome" {
            assert_eq!(e.args, vec![json!({"name": e.name})]);
            names.push(e.name);
        }
    }
    assert_eq!(
        names,
        ["error", "message", "connect", "open", "close", "disconnect"]
    );
}

#[tokio::test]
async fn binary_events_with_several_nested_attachments() {
    let peer = peer("asgi").await;
    let (client, mut events) = Client::connect(options(&peer)).await.unwrap();
    client.emit("/", "bin", vec![]).await.unwrap();
    let e = loop {
        let e = next_event(&mut events).await;
        if e.name == "bin" {
            break e;
        }
    };
    assert_eq!(e.args.len(), 3);
    assert_eq!(e.binary(&e.args[0]).unwrap().as_ref(), &[1, 2]);
    assert_eq!(e.args[1]["meta"], "x");
    assert_eq!(e.binary(&e.args[1]["blob"]).unwrap().as_ref(), &[3]);
    assert_eq!(e.binary(&e.args[2][0]).unwrap().as_ref(), &[4]);
    assert_eq!(e.binary(&e.args[2][1]).unwrap().as_ref(), b"");

    let blobs = vec![
        Bytes::from_static(b"\x00\xff"),
        Bytes::from_static(b"abc"),
        Bytes::new(),
    ];
    let args = vec![
        placeholder(0),
        json!({"k": placeholder(1), "list": [placeholder(2)]}),
    ];
    let ack = client
        .emit_binary_with_ack("/", "bin-echo", args.clone(), blobs.clone(), WAIT)
        .await
        .unwrap();
    assert_eq!(ack.attachments, blobs);
    assert_eq!(ack.args, args);
    let echoed = loop {
        let e = next_event(&mut events).await;
        if e.name == "bin-echo" {
            break e;
        }
    };
    assert_eq!(echoed.attachments, blobs);
}

#[tokio::test]
async fn server_disconnect_ends_the_connection_without_reconnecting() {
    let peer = peer("asgi").await;
    let (client, mut events) = Client::connect(options(&peer)).await.unwrap();
    client.emit("/", "kick", vec![]).await.unwrap();
    loop {
        match next(&mut events).await {
            Incoming::Disconnected { reason } => {
                assert_eq!(
                    reason,
                    DisconnectReason::ServerDisconnect {
                        namespace: "/".into()
                    }
                );
                break;
            }
            Incoming::Reconnecting { .. } => panic!("must not reconnect after a server disconnect"),
            _ => {}
        }
    }
    assert!(events.recv_timeout(WAIT).await.unwrap().is_none());
    assert!(matches!(
        client.emit("/", "echo", vec![]).await,
        Err(SocketIoError::NotConnected(_))
    ));
}

#[tokio::test]
async fn server_restart_reconnects_with_a_fresh_token() {
    let tokens = TokenServer::start().await;
    let provider = TokenProvider::client_credentials(&tokens.url, "id", "s3cret")
        .refresh_margin(Duration::from_secs(3600)) // every header is a fresh token
        .build()
        .unwrap();
    let mut peer = peer("asgi").await;
    let reconnection = Reconnection {
        max_attempts: 50,
        delay: Duration::from_millis(50),
        delay_max: Duration::from_millis(200),
        ..Reconnection::default()
    };
    let opts = ConnectOptions::new(peer.url())
        .token_provider(provider)
        .namespace("/")
        .reconnection(reconnection);
    let (client, mut events) = Client::connect(opts).await.unwrap();
    let first = client
        .emit_with_ack("/", "whoami", vec![], WAIT)
        .await
        .unwrap()
        .args;
    assert_eq!(first, vec![json!("Bearer tok-1")]);

    peer.restart().await;
    // Skip what the first connection delivered, up to its end.
    loop {
        if let Incoming::Disconnected { reason } = next(&mut events).await {
            assert!(reason.is_reconnectable(), "{reason}");
            break;
        }
    }
    assert!(matches!(
        next(&mut events).await,
        Incoming::Reconnecting { attempt: 1, .. }
    ));
    loop {
        match next(&mut events).await {
            Incoming::Connected { namespace, .. } if namespace == "/" => break,
            Incoming::Disconnected { reason } => panic!("gave up: {reason}"),
            _ => {}
        }
    }
    let second = client
        .emit_with_ack("/", "whoami", vec![], WAIT)
        .await
        .unwrap()
        .args;
    let Value::String(header) = &second[0] else {
        panic!("{second:?}")
    };
    assert_ne!(header, "Bearer tok-1");
    assert!(header.starts_with("Bearer tok-"));
    assert!(tokens.issued() >= 2);
}

#[tokio::test]
async fn answers_python_pings_and_detects_a_frozen_server() {
    // python-socketio pings every second and drops clients that do not answer within a second.
    let peer = PythonPeer::start(
        "sio_server.py",
        &["--ping-interval", "1", "--ping-timeout", "1"],
    )
    .await;
    let opts = options(&peer).reconnection(Reconnection::disabled());
    let (client, mut events) = Client::connect(opts).await.unwrap();
    // Several ping rounds pass while idle; the connection must still be alive afterwards.
    tokio::time::sleep(Duration::from_millis(3500)).await;
    assert_eq!(
        client
            .emit_with_ack("/", "whoami", vec![], WAIT)
            .await
            .unwrap()
            .args,
        vec![json!("Bearer test-token")]
    );

    peer.signal("-STOP").await;
    let reason = loop {
        if let Incoming::Disconnected { reason } = next(&mut events).await {
            break reason;
        }
    };
    peer.signal("-CONT").await;
    assert_eq!(reason, DisconnectReason::PingTimeout);
}
