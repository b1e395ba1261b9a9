//! Whole sessions over Socket.IO + the Twilio consumer: register, verify, stereo,
//! wideband, and many at once.

use crate::common;

use common::audio::{connect, register_request, sample_bytes, stream_twilio, verify_request};
use common::sio::SioClient;
use das_emulator::{EmulatorConfig, EmulatorHandle, VadChannel, VadConfig};
use serde_json::{json, Value};

/// Runs one session: initialize on `namespace`, stream `audio` when the consumer is
/// ready, and return every event up to the result plus the audio socket's close code.
async fn run(
    emulator: &EmulatorHandle,
    namespace: &str,
    payload: Value,
    audio: Vec<u8>,
    chunk: usize,
) -> (Vec<(String, Value)>, Option<u16>) {
    let mut client: SioClient = connect(emulator, namespace).await;
    let call_id = payload["metadata"]["call_id"].as_str().unwrap().to_owned();
    client.emit("initialize", &payload).await;
    let (name, _) = client.next_event().await.expect("consumer ready");
    assert_eq!(name, "info-consumer-ready");
    let url = emulator.twilio_url();
    let sender = tokio::spawn(async move { stream_twilio(&url, &call_id, &audio, chunk).await });
    let events = client.events_until_result().await;
    let end = sender.await.expect("sender task");
    (events, end.close.map(|c| u16::from(c.code)))
}

fn result(events: &[(String, Value)]) -> &Value {
    let (name, data) = events.last().expect("a result");
    assert!(name.starts_with("result-"), "{name}: {data}");
    data
}

#[tokio::test(flavor = "multi_thread")]
async fn register_then_verify_ranks_the_same_speaker_above_another() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let register = register_request("reg-a", 5.0);
    let (events, close) = run(
        &emulator,
        "/socket.io/register",
        register,
        sample_bytes("speaker-a.wav"),
        160,
    )
    .await;
    assert_eq!(
        close,
        Some(1000),
        "the server closes the audio socket after the result"
    );
    let registered = result(&events);
    assert_eq!(registered["content"], "Registration: approved");
    let credential = registered["credential"].as_str().unwrap().to_owned();

    let mut scores = Vec::new();
    for (call_id, name) in [
        ("ver-a", "speaker-a-verify.wav"),
        ("ver-b", "speaker-b.wav"),
    ] {
        let payload = verify_request(call_id, 5.0, &credential);
        let (events, _) = run(
            &emulator,
            "/socket.io/verify",
            payload,
            sample_bytes(name),
            160,
        )
        .await;
        let verified = result(&events).clone();
        assert_eq!(verified["event"], "result-success", "{verified}");
        eprintln!("{name}: {verified}");
        scores.push(verified);
    }
    let score = |v: &Value| v["score"].as_f64().unwrap();
    assert!(score(&scores[0]) > score(&scores[1]));
    assert_eq!(scores[0]["content"], "Verification: accepted");
    assert_eq!(scores[1]["content"], "Verification: rejected");
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn stereo_and_wideband_audio_are_analysed_on_the_chosen_channel() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let mut stereo = register_request("stereo", 3.0);
    stereo["metadata"]["audio_codec"] = json!("l16");
    stereo["metadata"]["channels"] = json!(2);
    let (events, _) = run(
        &emulator,
        "/socket.io/register",
        stereo,
        sample_bytes("call-stereo.wav"),
        640,
    )
    .await;
    let external = result(&events)["credential"].as_str().unwrap().to_owned();

    let mut wide = register_request("wide", 3.0);
    wide["metadata"]["audio_codec"] = json!("l16");
    wide["metadata"]["sample_rate"] = json!("16000");
    let (events, _) = run(
        &emulator,
        "/socket.io/register",
        wide,
        sample_bytes("speaker-a-16k.wav"),
        640,
    )
    .await;
    assert_eq!(result(&events)["content"], "Registration: approved");
    emulator.shutdown().await;

    // The same stereo call analysed on the agent's channel gives another voice.
    let internal_config = EmulatorConfig {
        vad: VadConfig {
            channel: VadChannel::Internal,
            ..VadConfig::default()
        },
        ..EmulatorConfig::default()
    };
    let emulator = common::start(internal_config).await;
    let mut stereo = register_request("stereo", 3.0);
    stereo["metadata"]["audio_codec"] = json!("l16");
    stereo["metadata"]["channels"] = json!(2);
    let (events, _) = run(
        &emulator,
        "/socket.io/register",
        stereo,
        sample_bytes("call-stereo.wav"),
        640,
    )
    .await;
    let internal = result(&events)["credential"].as_str().unwrap().to_owned();
    let print = |c: &str| das_emulator::Voiceprint::from_credential(c).unwrap();
    assert!(print(&external).similarity(&print(&internal)) < 0.99);
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hundred_concurrent_sessions_all_get_their_result() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let audio = sample_bytes("speaker-a.wav");
    let mut tasks = Vec::new();
    for n in 0..100 {
        let (base, twilio) = (emulator.base_url(), emulator.twilio_url());
        let audio = audio[..8000 * 2].to_vec();
        let auth = common::audio::bearer(&emulator).await;
        tasks.push(tokio::spawn(async move {
            let mut client = SioClient::connect(&base, "/socket.io/register", Some(&auth))
                .await
                .expect("connect");
            let call_id = format!("call-{n}");
            client
                .emit("initialize", &register_request(&call_id, 0.5))
                .await;
            let ready = client.next_event().await;
            assert_eq!(
                ready.as_ref().map(|e| e.0.as_str()),
                Some("info-consumer-ready"),
                "{n}: {ready:?}"
            );
            let sender =
                tokio::spawn(async move { stream_twilio(&twilio, &call_id, &audio, 800).await });
            let events = client.events_until_result().await;
            let end = sender.await.expect("sender");
            eprintln!(
                "{n}: {:?} {:?}",
                end.close,
                events.last().map(|e| e.0.clone())
            );
            events.last().cloned().expect("result")
        }));
    }
    for task in tasks {
        let (name, data) = task.await.expect("session task");
        assert_eq!(name, "result-success", "{data}");
    }
    assert!(emulator.registry().is_empty());
    emulator.shutdown().await;
}
