//! Reliability: the emulator stops before `info-consumer-ready` and mid-session, and a new
//! one starts on the same port. Sessions end typed and nothing hangs; the Socket.IO client
//! with reconnection comes back with a fresh token (the new service knows none of the old).

use crate::common;

use std::time::Duration;

use das::session::{AudioError, Event};
use das::socketio::{Client, ConnectOptions, Incoming, Reconnection};
use das_emulator::{EmulatorConfig, Faults};

use common::reliability::*;

const REGISTER: &str = "/socket.io/register";

/// A new emulator on the address `old` was using.
async fn restart(old: Isolated) -> Isolated {
    let config = EmulatorConfig {
        bind: old.local_addr(),
        ..EmulatorConfig::default()
    };
    old.stop().await;
    Isolated::start(config).await
}

#[tokio::test]
async fn a_stop_before_consumer_ready_ends_the_session_typed() {
    let emulator = Isolated::start(EmulatorConfig {
        faults: Faults {
            delay_consumer_ready_ms: Some(60_000),
            ..Faults::default()
        },
        ..EmulatorConfig::default()
    })
    .await;
    let mut session = start(register(&emulator, audiohook(&emulator))).await;
    session
        .push_audio(&[0xff; 800])
        .expect("buffered before ready");
    emulator.stop().await;
    let events = all_events(&mut session).await;
    assert!(
        matches!(
            events.as_slice(),
            [Event::Disconnected {
                before_result: true,
                ..
            }]
        ),
        "{events:#?}"
    );
    assert!(!session.consumer_ready());
    assert_eq!(session.push_audio(&[0xff; 160]), Err(AudioError::Ended));
    bounded("close", session.close()).await;
    tasks_end().await;
}

#[tokio::test]
async fn a_restart_mid_session_loses_it_and_the_next_session_gets_a_fresh_token() {
    let emulator = Isolated::start(EmulatorConfig::default()).await;
    let token = provider(&emulator);
    let builder = |emulator: &das_emulator::EmulatorHandle| {
        das::session::RegisterSession::builder(emulator.socketio_url(), token.clone())
            .audio_channel(audiohook(emulator))
    };
    // More voice than the sample holds, and the audio not ended: the session is waiting
    // for more when the emulator stops.
    let mut session = start(builder(&emulator).audio_total_duration(30.0)).await;
    let audio = session.audio();
    let sample = common::sample("speaker-a.wav");
    let feeder = tokio::spawn(async move { audio.push_wav(sample).await });
    let first = events_until(&mut session, |e| {
        e.iter().any(|e| matches!(e, Event::VadStatus { .. }))
    })
    .await;
    assert!(matches!(first[0], Event::ConsumerReady { .. }));

    let emulator = restart(emulator).await;
    let rest = all_events(&mut session).await;
    assert!(
        rest.iter().any(|e| matches!(
            e,
            Event::Disconnected {
                before_result: true,
                ..
            }
        )),
        "{rest:#?}"
    );
    assert!(!rest.iter().any(Event::is_result), "{rest:#?}");
    assert_eq!(
        rest.iter()
            .filter(|e| matches!(e, Event::AudioEnded { .. }))
            .count(),
        1,
        "{rest:#?}"
    );
    bounded("feeder", feeder)
        .await
        .expect("feeder task")
        .expect("the sample fit in the buffer before the stop");
    bounded("close", session.close()).await;

    let stale = token.token().await.expect("cached token");
    let mut next = start(builder(&emulator)).await;
    assert_ne!(
        stale.access_token(),
        token.token().await.expect("fresh").access_token()
    );
    let feeder = stream_sample(&next, "speaker-a.wav");
    let events = events_until(&mut next, result_and_audio_end).await;
    assert_result_success(&events);
    bounded("feeder", feeder).await.expect("feeder task");
    bounded("close", next.close()).await;
    drop(token);
    shutdown_without_leaks(emulator).await;
}

/// The Socket.IO client on its own, with reconnection on: transport loss, a refusal of the
/// stale token (which invalidates it), then a connection with a fresh one.
#[tokio::test]
async fn the_socketio_client_reconnects_across_a_restart_with_a_fresh_token() {
    let emulator = Isolated::start(EmulatorConfig::default()).await;
    let token = provider(&emulator);
    let options = ConnectOptions::new(emulator.socketio_url())
        .token_provider(token.clone())
        .namespace(REGISTER)
        .reconnection(Reconnection {
            max_attempts: 5,
            delay: Duration::from_millis(50),
            delay_max: Duration::from_millis(200),
            ..Reconnection::default()
        });
    let (client, mut incoming) = bounded("connect", Client::connect(options))
        .await
        .expect("connected");
    let first = bounded("first connect", incoming.recv()).await;
    assert!(
        matches!(first, Some(Incoming::Connected { .. })),
        "{first:?}"
    );
    let stale = token.token().await.expect("token");
    let emulator = restart(emulator).await;

    let mut seen = Vec::new();
    loop {
        let item = bounded("reconnection", incoming.recv())
            .await
            .expect("events continue while reconnecting");
        let connected = matches!(item, Incoming::Connected { .. });
        seen.push(format!("{item:?}"));
        if connected {
            break;
        }
    }
    assert!(
        seen[0].starts_with("Disconnected") && seen[1].starts_with("Reconnecting"),
        "{seen:#?}"
    );
    assert!(client.connected());
    assert_ne!(
        stale.access_token(),
        token.token().await.expect("fresh").access_token()
    );
    bounded("disconnect", client.disconnect()).await;
    drop((client, incoming, token));
    shutdown_without_leaks(emulator).await;
}
