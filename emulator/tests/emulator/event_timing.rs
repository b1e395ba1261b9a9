//! The opt-in event timing log: one line per event a session emitted, in order.

use crate::common;

use common::audio::{connect, register_request, sample_bytes, stream_twilio};
use das_emulator::EmulatorConfig;

#[tokio::test]
async fn every_emitted_event_is_logged_with_its_sequence_and_send_time() {
    let log = std::env::temp_dir().join(format!("das-event-timing-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&log);
    let emulator = common::start(EmulatorConfig {
        event_timing_log: Some(log.clone()),
        ..EmulatorConfig::default()
    })
    .await;
    let mut client = connect(&emulator, "/socket.io/register").await;
    client
        .emit("initialize", &register_request("timed-call", 5.0))
        .await;
    let (first, _) = client.next_event().await.expect("an event");
    assert_eq!(first, "info-consumer-ready");
    let url = emulator.twilio_url();
    let audio = sample_bytes("speaker-a.wav");
    let sender = tokio::spawn(async move { stream_twilio(&url, "timed-call", &audio, 160).await });
    let mut received = vec![first];
    received.extend(
        client
            .events_until_result()
            .await
            .into_iter()
            .map(|(name, _)| name),
    );
    sender.await.expect("sender task");
    emulator.shutdown().await;

    let text = std::fs::read_to_string(&log).expect("timing log");
    let _ = std::fs::remove_file(&log);
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split(' ').collect()).collect();
    let logged: Vec<&str> = lines.iter().map(|fields| fields[2]).collect();
    assert_eq!(logged, received, "{text}");
    let mut previous_ns = 0u128;
    for (index, fields) in lines.iter().enumerate() {
        assert_eq!(fields.len(), 5, "{text}");
        assert_eq!(fields[0], "timed-call");
        assert_eq!(fields[1], (index + 1).to_string());
        let ns: u128 = fields[3].parse().expect("nanoseconds");
        assert!(ns >= previous_ns, "send times go forward: {text}");
        previous_ns = ns;
        // The packet: `2/socket.io/register,["name","{…}"]`.
        let bytes: usize = fields[4].parse().expect("packet length");
        let least = "2/socket.io/register,[\"\",\"{}\"]".len() + fields[2].len();
        assert!(bytes >= least, "{bytes} bytes for {}: {text}", fields[2]);
    }
}
