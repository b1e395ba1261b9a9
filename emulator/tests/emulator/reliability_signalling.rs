//! Reliability: signalling dropped after `info-consumer-ready`, malformed and oversized
//! events. Each scenario asserts the typed outcome, bounded waits and no leak.

use crate::common;

use das::session::{AudioError, Event};
use das_emulator::{EmulatorConfig, Faults};

use common::reliability::*;

fn with_faults(faults: Faults) -> EmulatorConfig {
    EmulatorConfig {
        faults,
        ..EmulatorConfig::default()
    }
}

/// Splits off the local `audio-ended` events, whose place relative to signalling events
/// is a race between two connections.
fn split_audio_end(events: Vec<Event>) -> (Vec<Event>, Vec<Event>) {
    events
        .into_iter()
        .partition(|e| !matches!(e, Event::AudioEnded { .. }))
}

#[tokio::test]
async fn a_drop_after_consumer_ready_loses_the_session_and_ends_the_audio() {
    let emulator = Isolated::start(with_faults(Faults {
        drop_signalling_after_events: Some(3),
        ..Faults::default()
    }))
    .await;
    let mut session = start(register(&emulator, audiohook(&emulator))).await;
    let feeder = stream_sample(&session, "speaker-a.wav");
    let (signalling, audio_end) = split_audio_end(all_events(&mut session).await);
    assert!(
        matches!(
            signalling.as_slice(),
            [
                Event::ConsumerReady { .. },
                Event::VadStatus { .. },
                Event::VadStatus { .. },
                Event::Disconnected { before_result: true, reason, .. },
            ] if reason.starts_with("server disconnected namespace")
        ),
        "{signalling:#?}"
    );
    assert_eq!(audio_end.len(), 1, "{audio_end:#?}");
    assert_eq!(session.push_audio(&[0xff; 160]), Err(AudioError::Ended));
    bounded("feeder", feeder).await.expect("feeder task");
    bounded("close", session.close()).await;
    shutdown_without_leaks(emulator).await;
}

#[tokio::test]
async fn a_malformed_event_is_typed_leniently_and_the_session_continues() {
    let emulator = Isolated::start(with_faults(Faults {
        malformed_event: true,
        ..Faults::default()
    }))
    .await;
    let mut session = start(register(&emulator, audiohook(&emulator))).await;
    let feeder = stream_sample(&session, "speaker-a.wav");
    let events = events_until(&mut session, result_and_audio_end).await;
    let (signalling, _) = split_audio_end(events.clone());
    // The wrongly typed fields read as absent; the raw JSON is kept.
    assert!(
        matches!(
            &signalling[1],
            Event::VadStatus { audio_seconds: None, vad_percentage: None, data, .. }
                if data["audio_seconds"] == "not-a-number"
        ),
        "{events:#?}"
    );
    assert_result_success(&events);
    bounded("feeder", feeder).await.expect("feeder task");
    bounded("close", session.close()).await;
    shutdown_without_leaks(emulator).await;
}

#[tokio::test]
async fn an_event_under_the_limit_passes_through_and_the_session_continues() {
    let emulator = Isolated::start(with_faults(Faults {
        oversized_event_bytes: Some(256 << 10),
        ..Faults::default()
    }))
    .await;
    let mut session = start(register(&emulator, audiohook(&emulator))).await;
    let feeder = stream_sample(&session, "speaker-a.wav");
    let events = events_until(&mut session, result_and_audio_end).await;
    let (signalling, _) = split_audio_end(events.clone());
    assert!(
        matches!(
            &signalling[1],
            Event::Other { name, data, .. } if name == "x-oversized"
                && data["padding"].as_str().map(str::len) == Some(256 << 10)
        ),
        "{:?}",
        names(&events)
    );
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::ResultSuccess { .. })));
    bounded("feeder", feeder).await.expect("feeder task");
    bounded("close", session.close()).await;
    shutdown_without_leaks(emulator).await;
}

/// A message over `max_event_bytes` cannot be skipped without reading it: the connection
/// ends, typed as a lost session, and the emulator forgets the session.
#[tokio::test]
async fn an_oversized_event_ends_the_session_cleanly() {
    let emulator = Isolated::start(with_faults(Faults {
        oversized_event_bytes: Some(256 << 10),
        ..Faults::default()
    }))
    .await;
    let mut session =
        start(register(&emulator, audiohook(&emulator)).max_event_bytes(64 << 10)).await;
    let feeder = stream_sample(&session, "speaker-a.wav");
    let (signalling, audio_end) = split_audio_end(all_events(&mut session).await);
    assert!(
        matches!(
            signalling.as_slice(),
            [
                Event::ConsumerReady { .. },
                Event::Disconnected { before_result: true, reason, .. },
            ] if reason.starts_with("transport error") && reason.contains("too long")
        ),
        "{signalling:#?}"
    );
    assert_eq!(audio_end.len(), 1, "{audio_end:#?}");
    bounded("feeder", feeder).await.expect("feeder task");
    bounded("close", session.close()).await;
    shutdown_without_leaks(emulator).await;
}
