//! `initialize` validation and session bookkeeping seen from a Socket.IO client.

use crate::common;

use common::audio::{connect, register_request};
use das_emulator::{EmulatorConfig, PayloadEncoding};
use serde_json::{json, Value};

const REGISTER: &str = "/socket.io/register";

async fn first_error(client: &mut common::sio::SioClient) -> Value {
    let (name, data) = client.next_event().await.expect("an event");
    assert_eq!(name, "error", "{data}");
    assert_eq!(data["event"], "error");
    data
}

#[tokio::test]
async fn bad_initialize_payloads_get_an_error_event_naming_the_field() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let mut client = connect(&emulator, REGISTER).await;
    let mut wrong_type = register_request("c1", 5.0);
    wrong_type["metadata"]["channels"] = json!({"two": 2});
    let mut missing = register_request("c1", 5.0);
    missing["register_request"]
        .as_object_mut()
        .unwrap()
        .remove("audio_total_duration");
    let mut bad_rate = register_request("c1", 5.0);
    bad_rate["metadata"]["sample_rate"] = json!(44100);
    for (payload, field) in [
        (wrong_type, "metadata.channels"),
        (missing, "register_request.audio_total_duration"),
        (bad_rate, "metadata.sample_rate"),
        (json!([1, 2]), "(payload)"),
        (json!("{not json"), "(payload)"),
    ] {
        client.emit("initialize", &payload).await;
        let error = first_error(&mut client).await;
        assert_eq!(error["code"], "invalid_request");
        assert_eq!(error["field"], field);
        assert!(error["content"].as_str().unwrap().contains(field));
    }
    // A packet that is not JSON at all is a protocol error: socketioxide closes that
    // connection, and the emulator keeps serving others.
    client.emit_raw(r#"["initialize", {"metadata": "#).await;
    assert!(client.next_event().await.is_none());
    let mut fresh = connect(&emulator, REGISTER).await;
    fresh.emit("initialize", &json!(null)).await;
    assert_eq!(first_error(&mut fresh).await["field"], "(payload)");
    emulator.shutdown().await;
}

#[tokio::test]
async fn call_ids_are_unique_and_one_connection_runs_one_session() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let mut first = connect(&emulator, REGISTER).await;
    first
        .emit("initialize", &register_request("same-call", 5.0))
        .await;
    assert_eq!(first.next_event().await.unwrap().0, "info-consumer-ready");
    assert_eq!(emulator.registry().len(), 1);

    first
        .emit("initialize", &register_request("other-call", 5.0))
        .await;
    assert_eq!(first_error(&mut first).await["code"], "session_active");

    let mut second = connect(&emulator, REGISTER).await;
    second
        .emit("initialize", &register_request("same-call", 5.0))
        .await;
    let error = first_error(&mut second).await;
    assert_eq!(error["code"], "duplicate_call_id");
    assert_eq!(error["field"], "metadata.call_id");

    // Leaving cancels the session and frees its call_id.
    drop(first);
    for _ in 0..200 {
        if emulator.registry().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(emulator.registry().is_empty());
    second
        .emit("initialize", &register_request("same-call", 5.0))
        .await;
    assert_eq!(second.next_event().await.unwrap().0, "info-consumer-ready");
    emulator.shutdown().await;
}

#[tokio::test]
async fn object_encoding_sends_plain_objects() {
    let config = EmulatorConfig {
        payload_encoding: PayloadEncoding::Object,
        ..EmulatorConfig::default()
    };
    let emulator = common::start(config).await;
    let mut client = connect(&emulator, REGISTER).await;
    // A payload given as JSON text is accepted too.
    let text = register_request("c-obj", 5.0).to_string();
    client.emit("initialize", &json!(text)).await;
    let (name, data) = client.next_event().await.unwrap();
    assert_eq!(name, "info-consumer-ready");
    assert_eq!(
        data["content"],
        "Audio consumer for provided audio protocol is ready"
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn shutdown_ends_live_sessions() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let mut client = connect(&emulator, REGISTER).await;
    client
        .emit("initialize", &register_request("live", 5.0))
        .await;
    assert_eq!(client.next_event().await.unwrap().0, "info-consumer-ready");
    let registry = emulator.registry().clone();
    emulator.shutdown().await;
    assert!(registry.is_empty());
    assert!(client.next_event().await.is_none(), "the socket is closed");
}
