//! Reliability: the audio consumer closes early, reads too slowly (backpressure), pauses
//! and resumes, and disconnects when it has enough. Each scenario asserts the typed outcome,
//! bounded waits and no leak.

use crate::common;

use std::time::Duration;

use das::channel::AudioChannelConfig;
use das::session::{AudioError, Event};
use das_emulator::{AudiohookPause, EmulatorConfig, EmulatorHandle, Faults};

use common::reliability::*;

fn with_faults(faults: Faults) -> EmulatorConfig {
    EmulatorConfig {
        faults,
        ..EmulatorConfig::default()
    }
}

fn audio_end(events: &[Event]) -> (&str, Option<&str>) {
    let ends: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::AudioEnded { reason, error, .. } => Some((reason.as_str(), error.as_deref())),
            _ => None,
        })
        .collect();
    assert_eq!(ends.len(), 1, "exactly one audio-ended: {events:#?}");
    ends[0]
}

fn failure_reason(events: &[Event]) -> Option<&str> {
    events.iter().find_map(|e| match e {
        Event::ResultFailure { reason, .. } => reason.as_deref(),
        _ => None,
    })
}

/// `expected` judges the `audio-ended` (reason, error) the client saw.
async fn consumer_closes_early(
    channel: fn(&EmulatorHandle) -> AudioChannelConfig,
    expected: fn((&str, Option<&str>)) -> bool,
) {
    let emulator = Isolated::start(with_faults(Faults {
        close_audio_after_messages: Some(3),
        ..Faults::default()
    }))
    .await;
    let mut session = start(register(&emulator, channel(&emulator))).await;
    let feeder = live_call(&session, "speaker-a.wav");
    let events = events_until(&mut session, result_and_audio_end).await;
    assert_eq!(failure_reason(&events), Some("audio_ended"), "{events:#?}");
    assert!(expected(audio_end(&events)), "{events:#?}");
    assert_eq!(session.push_audio(&[0xff; 160]), Err(AudioError::Ended));
    bounded("feeder", feeder).await.expect("feeder task");
    bounded("close", session.close()).await;
    shutdown_without_leaks(emulator).await;
}

#[tokio::test]
async fn an_audiohook_consumer_closing_early_fails_the_session_with_audio_ended() {
    // AudioHook says why: `disconnect{reason: error}` with the consumer's message.
    consumer_closes_early(audiohook, |end| {
        end == (
            "error",
            Some("AudioHook server disconnected with an error: fault: audio socket closed early"),
        )
    })
    .await;
}

#[tokio::test]
async fn a_twilio_consumer_closing_early_fails_the_session_with_audio_ended() {
    // Twilio has only the close frame (1001): read first, it is `consumer-closed`; if a
    // write hits the closed socket first, `error` says how the connection was lost.
    consumer_closes_early(twilio, |end| match end {
        ("consumer-closed", None) => true,
        ("error", Some(message)) => message.starts_with("Twilio connection lost"),
        _ => false,
    })
    .await;
}

#[tokio::test]
async fn a_slow_twilio_consumer_pushes_back_to_push_audio_within_the_bound() {
    slow_consumer_pushes_back(twilio).await;
}

#[tokio::test]
async fn a_slow_audiohook_consumer_pushes_back_to_push_audio_within_the_bound() {
    slow_consumer_pushes_back(audiohook).await;
}

/// The consumer stops reading: the socket buffers and then the session's bounded buffer
/// (which the channel streams from) fill; `push_audio` answers `WouldBlock` at the configured bound and
/// `push_wait` waits; closing the session releases the waiting push.
async fn slow_consumer_pushes_back(channel: fn(&EmulatorHandle) -> AudioChannelConfig) {
    const LIMIT: usize = 64 << 10;
    let emulator = Isolated::start(with_faults(Faults {
        stall_audio_after_messages: Some(10),
        ..Faults::default()
    }))
    .await;
    let mut session = start(
        register(&emulator, channel(&emulator))
            .audio_buffer_limit(LIMIT)
            .audio_total_duration(30.0),
    )
    .await;
    let ready = events_until(&mut session, |e| {
        e.iter().any(|e| matches!(e, Event::ConsumerReady { .. }))
    })
    .await;
    assert_eq!(names(&ready), ["info-consumer-ready"]);

    // Silence, 100 ms at a time, until a push waits longer than the consumer ever would.
    let audio = session.audio();
    let chunk = [0xffu8; 800];
    let mut pushed = 0usize;
    while let Ok(result) =
        tokio::time::timeout(Duration::from_millis(500), audio.push_wait(&chunk)).await
    {
        result.expect("push accepted");
        pushed += chunk.len();
        assert!(pushed < 512 << 20, "no backpressure after {pushed} bytes");
    }
    assert!(matches!(
        session.push_audio(&chunk),
        Err(AudioError::WouldBlock { limit: LIMIT, .. })
    ));
    let counters = audio.counters();
    assert!(counters.queued as usize <= LIMIT, "{counters:?}");
    println!(
        "slow consumer: {pushed} bytes accepted before backpressure: {} sent to the socket, {} queued (bound {LIMIT})",
        counters.sent, counters.queued
    );

    let waiting = tokio::spawn({
        let audio = audio.clone();
        async move { audio.push_wait(&[0xff; 800]).await }
    });
    bounded("close", session.close()).await;
    assert_eq!(
        bounded("released push", waiting).await.expect("push task"),
        Err(AudioError::Ended)
    );
    drop(audio);
    shutdown_without_leaks(emulator).await;
}

/// The consumer never reads again and never closes: the channel's writes stall, it fails
/// with a typed `WriteStalled` after `write_stall_timeout`, pushes end, and `close()` leaves
/// no task behind.
#[tokio::test]
async fn a_consumer_that_never_reads_fails_the_channel_and_close_leaves_no_task() {
    let emulator = Isolated::start(EmulatorConfig::default()).await;
    let mut channel = twilio(&emulator);
    channel.url = deaf_consumer();
    channel.write_stall_timeout = Duration::from_millis(300);
    let mut session = start(register(&emulator, channel)).await;
    events_until(&mut session, |e| {
        e.iter().any(|e| matches!(e, Event::ConsumerReady { .. }))
    })
    .await;

    let audio = session.audio();
    let chunk = [0xffu8; 8000];
    let pushing = async { while audio.push_wait(&chunk).await.is_ok() {} };
    bounded("pushes end once the channel stalls", pushing).await;
    let events = events_until(&mut session, |e| {
        e.iter().any(|e| matches!(e, Event::AudioEnded { .. }))
    })
    .await;
    let (reason, error) = audio_end(&events);
    assert_eq!(reason, "error");
    assert_eq!(
        error,
        Some("the Twilio consumer stopped reading: nothing could be written for 300ms")
    );
    assert_eq!(session.push_audio(&chunk), Err(AudioError::Ended));
    drop(audio);
    bounded("close", session.close()).await;
    shutdown_without_leaks(emulator).await;
}

#[tokio::test]
async fn an_audiohook_pause_and_resume_keeps_the_session() {
    let emulator = Isolated::start(with_faults(Faults {
        audiohook_pause: Some(AudiohookPause {
            after_audio_secs: 1.0,
            resume_after_ms: 200,
        }),
        ..Faults::default()
    }))
    .await;
    let mut session = start(register(&emulator, audiohook(&emulator))).await;
    let feeder = live_call(&session, "speaker-a.wav");
    let events = events_until(&mut session, result_and_audio_end).await;
    assert_result_success(&events);
    assert_eq!(audio_end(&events), ("consumer-closed", None), "{events:#?}");
    bounded("feeder", feeder).await.expect("feeder task");
    bounded("close", session.close()).await;
    shutdown_without_leaks(emulator).await;
}

/// After the result the AudioHook consumer sends `disconnect{reason: completed}`: the
/// channel ends as `consumer-closed`, a normal end, and later pushes are refused.
#[tokio::test]
async fn an_audiohook_server_disconnect_ends_the_audio_normally() {
    let emulator = Isolated::start(EmulatorConfig::default()).await;
    let mut session = start(register(&emulator, audiohook(&emulator))).await;
    let feeder = live_call(&session, "speaker-a.wav");
    let events = events_until(&mut session, result_and_audio_end).await;
    assert!(events.iter().any(Event::is_result));
    assert!(
        matches!(
            events.iter().find(|e| matches!(e, Event::AudioEnded { .. })),
            Some(Event::AudioEnded { reason, error: None, bytes_sent, .. })
                if reason == "consumer-closed" && *bytes_sent > 0
        ),
        "{events:#?}"
    );
    assert_eq!(session.push_audio(&[0xff; 160]), Err(AudioError::Ended));
    bounded("feeder", feeder).await.expect("feeder task");
    bounded("close", session.close()).await;
    shutdown_without_leaks(emulator).await;
}

#[tokio::test]
async fn the_audio_channel_connects_within_the_sessions_connect_timeout() {
    let emulator = Isolated::start(EmulatorConfig::default()).await;
    // A consumer that takes connections and never answers the upgrade (an overloaded one).
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let mut channel = audiohook(&emulator);
    channel.url = format!("ws://{}/audiohook/ws", silent.local_addr().unwrap())
        .parse()
        .unwrap();
    // The session's bound wins over the channel's own (it was the AudioHook open timeout,
    // 5 s, whatever the session said: the load test's "timed out" under a 60 s bound).
    channel.connect_timeout = Duration::from_secs(3600);
    let builder = register(&emulator, channel).connect_timeout(Duration::from_millis(700));
    let mut session = start(builder).await;
    let events = events_until(&mut session, |events| {
        events.iter().any(|e| matches!(e, Event::AudioEnded { .. }))
    })
    .await;
    let (reason, error) = audio_end(&events);
    assert_eq!(reason, "error", "{events:#?}");
    assert!(
        error.is_some_and(|e| e.contains("timed out after 700ms")),
        "{events:#?}"
    );
    bounded("close", session.close()).await;
    drop(silent);
    shutdown_without_leaks(emulator).await;
}
