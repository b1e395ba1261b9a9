//! Each fault switch (and each failure result) observed by a client.

use crate::common;

use common::audio::{connect, register_request, sample_bytes, stream_twilio};
use das_emulator::{AudiohookPause, EmulatorConfig, Faults};
use serde_json::json;

fn with_faults(faults: Faults) -> EmulatorConfig {
    EmulatorConfig {
        faults,
        ..EmulatorConfig::default()
    }
}

#[tokio::test]
async fn signalling_is_dropped_after_n_events_and_the_session_is_cancelled() {
    let emulator = common::start(with_faults(Faults {
        drop_signalling_after_events: Some(1),
        ..Faults::default()
    }))
    .await;
    let mut client = connect(&emulator, "/socket.io/register").await;
    client
        .emit("initialize", &register_request("drop", 5.0))
        .await;
    assert_eq!(client.next_event().await.unwrap().0, "info-consumer-ready");
    assert!(
        client.next_event().await.is_none(),
        "namespace disconnected"
    );
    for _ in 0..200 {
        if emulator.registry().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(
        emulator.registry().is_empty(),
        "the cancelled session is gone"
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn delayed_ready_and_malformed_event() {
    let emulator = common::start(with_faults(Faults {
        delay_consumer_ready_ms: Some(100),
        malformed_event: true,
        ..Faults::default()
    }))
    .await;
    let mut client = connect(&emulator, "/socket.io/register").await;
    client
        .emit("initialize", &register_request("late", 5.0))
        .await;
    assert_eq!(client.next_event().await.unwrap().0, "info-consumer-ready");
    let (name, data) = client.next_event().await.unwrap();
    assert_eq!(name, "info-vad-status");
    assert_eq!(data["audio_seconds"], "not-a-number");
    assert!(data["vad_percentage"].is_null());
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_audio_socket_closes_early_and_the_session_fails() {
    let emulator = common::start(with_faults(Faults {
        close_audio_after_messages: Some(5),
        ..Faults::default()
    }))
    .await;
    let mut client = connect(&emulator, "/socket.io/register").await;
    client
        .emit("initialize", &register_request("early", 5.0))
        .await;
    assert_eq!(client.next_event().await.unwrap().0, "info-consumer-ready");
    let end = stream_twilio(
        &emulator.twilio_url(),
        "early",
        &sample_bytes("speaker-a.wav"),
        160,
    )
    .await;
    let close = end.close.expect("close frame");
    assert_eq!(u16::from(close.code), 1001);
    assert_eq!(close.reason.as_str(), "fault: audio socket closed early");
    let events = client.events_until_result().await;
    let (name, data) = events.last().unwrap();
    assert_eq!(name, "result-failure");
    assert_eq!(data["reason"], "audio_ended");
    assert_eq!(data["audio_seconds"], 0.1);
    emulator.shutdown().await;
}

#[tokio::test]
async fn no_audio_times_out_and_low_authenticity_fails() {
    let emulator = common::start(EmulatorConfig {
        audio_timeout_ms: 200,
        ..EmulatorConfig::default()
    })
    .await;
    let mut client = connect(&emulator, "/socket.io/register").await;
    client
        .emit("initialize", &register_request("silent", 5.0))
        .await;
    let events = client.events_until_result().await;
    let (name, data) = events.last().unwrap();
    assert_eq!(name, "result-failure");
    assert_eq!(data["reason"], "audio_timeout");
    assert_eq!(data["content"], "Timed out waiting for audio");
    emulator.shutdown().await;

    let emulator = common::start(EmulatorConfig::default()).await;
    let mut client = connect(&emulator, "/socket.io/register").await;
    let mut strict = register_request("strict", 1.0);
    strict["register_request"]["authenticity_threshold"] = json!(0.99);
    client.emit("initialize", &strict).await;
    assert_eq!(client.next_event().await.unwrap().0, "info-consumer-ready");
    let audio = sample_bytes("speaker-a.wav");
    let url = emulator.twilio_url();
    let sender = stream_twilio(&url, "strict", &audio[..8000 * 3], 800);
    let (end, events) = tokio::join!(sender, client.events_until_result());
    assert_eq!(end.close.map(|c| u16::from(c.code)), Some(1000));
    let (name, data) = events.last().unwrap();
    assert_eq!(name, "result-failure");
    assert_eq!(data["reason"], "authenticity_below_threshold");
    emulator.shutdown().await;
}

#[test]
fn faults_deserialise_from_a_partial_config_file() {
    let config: EmulatorConfig = serde_json::from_value(json!({
        "token_ttl_secs": 60,
        "faults": {"reject_auth": true, "audiohook_pause": {"after_audio_secs": 1.5, "resume_after_ms": 500},
                   "oversized_event_bytes": 1048576, "stall_audio_after_messages": 10}
    }))
    .unwrap();
    assert_eq!(config.token_ttl_secs, 60);
    assert!(config.faults.reject_auth);
    assert_eq!(config.faults.oversized_event_bytes, Some(1 << 20));
    assert_eq!(config.faults.stall_audio_after_messages, Some(10));
    assert_eq!(
        config.faults.audiohook_pause,
        Some(AudiohookPause {
            after_audio_secs: 1.5,
            resume_after_ms: 500
        })
    );
    assert_eq!(
        config.clients.len(),
        1,
        "unnamed fields keep their defaults"
    );
    assert!(serde_json::from_value::<EmulatorConfig>(json!({"bogus": 1})).is_err());
    let debug = format!("{config:?}");
    assert!(!debug.contains(das_emulator::DEMO_CLIENT_SECRET));
    assert!(!debug.contains(das_emulator::DEMO_TRD_TOKEN));
}

/// `PUT /emulator/faults` changes the switches of a running emulator, as `set_faults` does,
/// and a body that is not a `Faults` object changes nothing.
#[tokio::test]
async fn the_faults_route_replaces_the_switches_of_a_running_emulator() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let http = common::http();
    let description = emulator.description();
    let token = || {
        http.post(&description.token_url).form(&[
            ("grant_type", "client_credentials"),
            ("client_id", description.client_id.as_str()),
            ("client_secret", description.client_secret.as_str()),
        ])
    };
    assert_eq!(token().send().await.unwrap().status(), 200);

    let put = |body: &str| {
        http.put(&description.faults_url)
            .header("content-type", "application/json")
            .body(body.to_owned())
    };
    assert_eq!(
        put(r#"{"reject_auth": true}"#)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(token().send().await.unwrap().status(), 401);
    let current: Faults = http
        .get(&description.faults_url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(current.reject_auth);

    for bad in [r#"{"reject_auth": "yes"}"#, r#"{"no_such_fault": 1}"#, "{"] {
        let answer = put(bad).send().await.unwrap();
        assert!(answer.status().is_client_error(), "{bad}: {answer:?}");
        let detail: serde_json::Value = answer.json().await.unwrap();
        assert!(detail["detail"].is_string(), "{detail}");
    }
    assert_eq!(token().send().await.unwrap().status(), 401, "unchanged");

    assert_eq!(put("{}").send().await.unwrap().status(), 204);
    assert_eq!(token().send().await.unwrap().status(), 200);
    emulator.shutdown().await;
}

/// A `trd_reject` switch set through the route counts its rejections afresh, as one set with
/// `set_faults` does: setting `count: 2` again rejects the next two requests, whatever the
/// earlier switches took.
#[tokio::test]
async fn a_trd_reject_switch_set_through_the_route_counts_afresh() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let http = common::http();
    let description = emulator.description();
    let whoami = || async {
        http.get(format!("{}/webhook/whoami", description.trd_url))
            .bearer_auth(&description.trd_token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    let reject_twice = || async {
        let answer = http
            .put(&description.faults_url)
            .json(&json!({"trd_reject": {"status": 500, "count": 2}}))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 204);
    };
    for round in 0..3 {
        reject_twice().await;
        let mut answers = Vec::new();
        for _ in 0..3 {
            answers.push(whoami().await);
        }
        assert_eq!(answers, [500, 500, 200], "round {round}");
    }
    emulator.shutdown().await;
}
