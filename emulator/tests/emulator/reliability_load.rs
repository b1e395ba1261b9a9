//! Reliability under load: N concurrent register sessions against one emulator, audio pushed
//! as fast as the consumer reads, at most 100 of them connecting at a time. Every session must end in `result-success` with no event
//! lost or reordered. N is `DAS_RELIABILITY_SESSIONS` (default 200; the long run uses 1000,
//! see `scripts/reliability-long`).

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use das::session::Event;
use das_emulator::EmulatorConfig;
use tokio::sync::Semaphore;

use common::reliability::*;

const DEFAULT_SESSIONS: usize = 200;

fn sessions() -> usize {
    std::env::var("DAS_RELIABILITY_SESSIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_SESSIONS)
}

/// Checks one session's events: ready first, VAD statuses every 0.5 s of audio from 0.0
/// with no gap (a lost or reordered status breaks the sequence), then `result-success`,
/// and the channel's normal end.
fn check_sequence(index: usize, events: &[Event]) -> Result<(), String> {
    let fail = |why: &str| {
        let detail: Vec<String> = events
            .iter()
            .filter(|e| !matches!(e, Event::VadStatus { .. }))
            .map(|e| format!("{} {}", e.name(), e.data()))
            .collect();
        Err(format!("session {index}: {why}: {detail:?}"))
    };
    if !matches!(events.first(), Some(Event::ConsumerReady { .. })) {
        return fail("does not start with info-consumer-ready");
    }
    let signalling: Vec<&Event> = events[1..]
        .iter()
        .filter(|e| !matches!(e, Event::AudioEnded { .. }))
        .collect();
    let Some((result, statuses)) = signalling.split_last() else {
        return fail("no result");
    };
    if !matches!(result, Event::ResultSuccess { .. }) {
        return fail("did not end in result-success");
    }
    let mut last_percentage = 0.0;
    for (n, status) in statuses.iter().enumerate() {
        let Event::VadStatus {
            audio_seconds: Some(seconds),
            vad_percentage: Some(percentage),
            ..
        } = status
        else {
            return fail(&format!("event {} is not a VAD status", n + 1));
        };
        if (seconds - n as f64 * 0.5).abs() > 1e-6 {
            return fail(&format!("status {n} has audio_seconds {seconds}"));
        }
        if *percentage < last_percentage {
            return fail("vad_percentage went down");
        }
        last_percentage = *percentage;
    }
    match events
        .iter()
        .filter(|e| matches!(e, Event::AudioEnded { .. }))
        .collect::<Vec<_>>()
        .as_slice()
    {
        [Event::AudioEnded { error: None, .. }] => Ok(()),
        _ => fail("not exactly one clean audio-ended"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sessions_all_succeed_with_every_event_in_order() {
    let count = sessions();
    let emulator = Isolated::start(EmulatorConfig {
        // Under load a consumer may wait its turn for longer than on an idle machine.
        audio_timeout_ms: 120_000,
        ..EmulatorConfig::default()
    })
    .await;
    let token = provider(&emulator);
    // The connect storm is spread: at most 100 sessions between `start` and their audio
    // flowing (signalling and audio handshakes), the rest streaming or done.
    let connecting = Arc::new(Semaphore::new(100));
    let live = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let began = Instant::now();
    let mut tasks = Vec::with_capacity(count);
    for index in 0..count {
        let builder =
            das::session::RegisterSession::builder(emulator.socketio_url(), token.clone())
                .audio_channel(audiohook(&emulator))
                .connect_timeout(Duration::from_secs(60));
        let (connecting, live, peak) = (connecting.clone(), live.clone(), peak.clone());
        tasks.push(tokio::spawn(async move {
            let mut permit = Some(connecting.acquire_owned().await.expect("semaphore open"));
            let mut session = builder
                .start()
                .await
                .map_err(|e| format!("session {index} start: {e}"))?;
            peak.fetch_max(live.fetch_add(1, Ordering::Relaxed) + 1, Ordering::Relaxed);
            let feeder = stream_sample(&session, "speaker-a.wav");
            let mut events = Vec::new();
            let outcome = loop {
                match session.next_event(Duration::from_secs(120)).await {
                    Ok(Some(event)) => {
                        if matches!(event, Event::VadStatus { .. }) {
                            permit.take();
                        }
                        events.push(event);
                        if result_and_audio_end(&events) {
                            break check_sequence(index, &events);
                        }
                    }
                    Ok(None) => {
                        break Err(format!("session {index} ended early: {:?}", names(&events)))
                    }
                    Err(e) => break Err(format!("session {index}: {e}: {:?}", names(&events))),
                }
            };
            let _ = feeder.await;
            session.close().await;
            live.fetch_sub(1, Ordering::Relaxed);
            outcome
        }));
    }
    let mut failures = Vec::new();
    for task in tasks {
        let outcome = tokio::time::timeout(Duration::from_secs(300), task)
            .await
            .expect("hang: a loaded session did not finish within 300 s")
            .expect("session task");
        if let Err(failure) = outcome {
            failures.push(failure);
        }
    }
    let wall = began.elapsed();
    assert!(
        failures.is_empty(),
        "{} of {count} sessions failed; first: {:#?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    println!(
        "load: {count} sessions (peak {} live at once), {count} results delivered in order, wall {:.2} s, load average {}",
        peak.load(Ordering::Relaxed),
        wall.as_secs_f64(),
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim()
    );
    drop(token);
    shutdown_without_leaks(emulator).await;
}
