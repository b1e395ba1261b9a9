//! The documented python-socketio example, run unchanged in shape against the emulator.

use crate::common;

use das_emulator::EmulatorConfig;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn documented_python_example_prints_the_documented_sequence() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let args = vec![
        emulator.base_url(),
        emulator.client_id().to_owned(),
        emulator.client_secret().to_owned(),
        emulator.twilio_url(),
        common::sample("speaker-a.wav").display().to_string(),
    ];
    let lines = common::run_peer("doc_example.py", &args).await;
    for line in &lines {
        eprintln!("{line}");
    }
    // Byte for byte the documented first lines.
    assert_eq!(
        lines[0],
        r#"{"event": "info-consumer-ready", "content": "Audio consumer for provided audio protocol is ready"}"#
    );
    let first_status = r#"{"event": "info-vad-status", "content": "Voice activity detection percentage", "audio_seconds": 0.0, "vad_percentage": 0}"#;
    assert!(lines.iter().any(|l| l == first_status), "a status at 0.0 s");
    let events: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    // python-engineio handles each message in its own thread, so neighbouring events may
    // print out of order; order statuses by time before checking that they climb.
    let (results, mut statuses): (Vec<&Value>, Vec<&Value>) = events[1..]
        .iter()
        .partition(|e| e["event"] != "info-vad-status");
    let seconds = |e: &Value| e["audio_seconds"].as_f64().unwrap_or_default();
    statuses.sort_by(|a, b| seconds(a).total_cmp(&seconds(b)));
    let mut previous = (-1.0, 0);
    for status in &statuses {
        let seconds = status["audio_seconds"].as_f64().unwrap();
        let percent = status["vad_percentage"].as_u64().unwrap();
        assert!(seconds > previous.0 && percent >= previous.1, "{status}");
        previous = (seconds, percent);
    }
    assert!(statuses.len() > 10);
    assert!(previous.1 >= 100, "VAD climbs to 100 % before the result");
    assert_eq!(results.len(), 1, "exactly one result: {results:?}");
    let result = results[0];
    assert_eq!(result["event"], "result-success");
    assert_eq!(result["content"], "Registration: approved");
    assert!(result["authenticity"].as_f64().unwrap() >= 0.8);
    assert!(result["voice_audio_collected"].as_f64().unwrap() >= 5.0);
    let credential = result["credential"].as_str().unwrap();
    assert!(das_emulator::Voiceprint::from_credential(credential).is_ok());
    let keys: Vec<&str> = result
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    // Same keys in the same order as the documented output line.
    let documented = [
        "event",
        "authenticity",
        "voice_audio_collected",
        "content",
        "credential",
    ];
    assert_eq!(keys, documented);
    emulator.shutdown().await;
}
