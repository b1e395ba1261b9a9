//! The Socket.IO client against socketioxide 0.18 (a spec-conformant Rust server) in-process.

use std::time::Duration;

use bytes::Bytes;
use das::socketio::{
    placeholder, Client, ConnectOptions, Event, Events, Incoming, Reconnection, SocketIoError,
};
use serde_json::{json, Value};
use socketioxide::extract::{AckSender, Data, SocketRef};
use socketioxide::handler::ConnectHandler;
use socketioxide::SocketIo;

const WAIT: Duration = Duration::from_secs(10);
const REGISTER: &str = "/socket.io/register";

#[derive(Debug)]
struct Unauthorized;

impl std::fmt::Display for Unauthorized {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("unauthorized")
    }
}

impl std::error::Error for Unauthorized {}

async fn authorized(s: SocketRef) -> Result<(), Unauthorized> {
    match s.req_parts().headers.get("authorization") {
        Some(v) if v == "Bearer good" => Ok(()),
        _ => Err(Unauthorized),
    }
}

async fn on_connect(s: SocketRef) {
    s.on(
        "echo",
        async |s: SocketRef, Data(v): Data<Value>, ack: AckSender| {
            s.emit("echo", &v).ok();
            ack.send(&v).ok();
        },
    );
    s.on("ask", async |s: SocketRef| {
        let answer = s
            .emit_with_ack::<_, Value>("question", &json!({"q": 1}))
            .unwrap()
            .await;
        s.emit("answer", &answer.unwrap()).ok();
    });
    s.on("bin", async |s: SocketRef| {
        s.emit(
            "bin",
            &(Bytes::from_static(b"\x01"), Bytes::from_static(b"\x02\x03")),
        )
        .ok();
    });
    s.on(
        "bin-echo",
        async |s: SocketRef, Data(v): Data<(Bytes, Bytes)>| {
            s.emit("bin-echo", &v).ok();
        },
    );
    s.on("reserved", async |s: SocketRef| {
        for name in ["error", "message", "open", "close"] {
            s.emit(name, &json!({"name": name})).ok();
        }
    });
}

async fn server() -> u16 {
    let (layer, io) = SocketIo::builder().build_layer();
    io.ns("/", on_connect.with(authorized));
    io.ns(REGISTER, on_connect.with(authorized));
    let app = axum::Router::new().layer(layer);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    port
}

fn options(port: u16) -> ConnectOptions {
    ConnectOptions::new(format!("http://127.0.0.1:{port}/socket.io"))
        .header("Authorization", "Bearer good")
        .connect_timeout(WAIT)
}

async fn event_named(events: &mut Events, name: &str) -> Event {
    loop {
        match events
            .recv_timeout(WAIT)
            .await
            .unwrap()
            .expect("queue open")
        {
            Incoming::Event(e) if e.name == name => return *e,
            Incoming::Disconnected { reason } => panic!("disconnected: {reason}"),
            _ => {}
        }
    }
}

#[tokio::test]
async fn several_namespaces_events_and_acks_both_ways() {
    let port = server().await;
    let (client, mut events) = Client::connect(options(port).namespace("/").namespace(REGISTER))
        .await
        .unwrap();
    assert!(client.namespace_sid("/").is_some() && client.namespace_sid(REGISTER).is_some());

    let ack = client
        .emit_with_ack(REGISTER, "echo", vec![json!({"a": [1, 2]})], WAIT)
        .await
        .unwrap();
    assert_eq!(ack.args, vec![json!({"a": [1, 2]})]);
    let echoed = event_named(&mut events, "echo").await;
    assert_eq!(
        (echoed.namespace.as_str(), echoed.args.clone()),
        (REGISTER, vec![json!({"a": [1, 2]})])
    );

    client.emit("/", "ask", vec![]).await.unwrap();
    let mut question = event_named(&mut events, "question").await;
    question
        .take_ack()
        .unwrap()
        .send(vec![json!("yes")])
        .await
        .unwrap();
    assert_eq!(
        event_named(&mut events, "answer").await.args,
        vec![json!("yes")]
    );
}

#[tokio::test]
async fn binary_both_ways() {
    let port = server().await;
    let (client, mut events) = Client::connect(options(port)).await.unwrap();
    client.emit("/", "bin", vec![]).await.unwrap();
    let e = event_named(&mut events, "bin").await;
    assert_eq!(
        e.attachments,
        vec![Bytes::from_static(b"\x01"), Bytes::from_static(b"\x02\x03")]
    );
    assert_eq!(e.binary(&e.args[1]).unwrap().as_ref(), b"\x02\x03");

    let blobs = vec![Bytes::from_static(b"xy"), Bytes::from_static(b"\x00")];
    client
        .emit_binary(
            "/",
            "bin-echo",
            vec![placeholder(0), placeholder(1)],
            blobs.clone(),
        )
        .await
        .unwrap();
    assert_eq!(
        event_named(&mut events, "bin-echo").await.attachments,
        blobs
    );
}

#[tokio::test]
async fn reserved_names_are_data() {
    let port = server().await;
    let (client, mut events) = Client::connect(options(port)).await.unwrap();
    client.emit("/", "reserved", vec![]).await.unwrap();
    for name in ["error", "message", "open", "close"] {
        assert_eq!(
            event_named(&mut events, name).await.args,
            vec![json!({"name": name})]
        );
    }
}

#[tokio::test]
async fn refusals_carry_the_servers_message() {
    let port = server().await;
    match Client::connect(options(port).namespace("/nope")).await {
        Err(SocketIoError::ConnectRefused {
            namespace, message, ..
        }) => {
            assert_eq!(
                (namespace.as_str(), message.as_str()),
                ("/nope", "Invalid namespace")
            );
        }
        other => panic!("{other:?}"),
    }
    let bad = ConnectOptions::new(format!("http://127.0.0.1:{port}/socket.io"))
        .header("Authorization", "Bearer bad")
        .namespace(REGISTER);
    match Client::connect(bad).await {
        Err(SocketIoError::ConnectRefused { message, .. }) => assert_eq!(message, "unauthorized"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn limits_without_end_are_accepted() {
    let port = server().await;
    // `Duration::MAX` is how a Rust caller says "no limit": no deadline may overflow.
    let unbounded = Reconnection {
        delay: Duration::MAX,
        delay_max: Duration::MAX,
        ..Reconnection::default()
    };
    let opts = options(port)
        .connect_timeout(Duration::MAX)
        .reconnection(unbounded);
    let (client, _events) = Client::connect(opts).await.unwrap();
    assert!(client.namespace_sid("/").is_some());
    client.disconnect().await;
}
