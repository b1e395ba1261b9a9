//! Reliability: the token endpoint refuses, and a token expires between a lost session and the
//! next one. Each scenario asserts the typed outcome, bounded waits and no leak.

use crate::common;

use std::time::Duration;

use das::auth::AuthError;
use das::session::{Event, SessionError};
use das::socketio::SocketIoError;
use das_emulator::{EmulatorConfig, Faults};

use common::reliability::*;

fn with_faults(faults: Faults) -> EmulatorConfig {
    EmulatorConfig {
        faults,
        ..EmulatorConfig::default()
    }
}

fn is_invalid_client(error: &SessionError) -> bool {
    matches!(
        error,
        SessionError::Signalling(SocketIoError::Auth(AuthError::Rejected { status: 401, error, .. }))
            if error == "invalid_client"
    )
}

#[tokio::test]
async fn auth_refused_is_a_typed_error_at_connect() {
    let emulator = Isolated::start(with_faults(Faults {
        reject_auth: true,
        ..Faults::default()
    }))
    .await;
    let started = bounded(
        "refused start",
        register(&emulator, audiohook(&emulator)).start(),
    )
    .await;
    let error = started.expect_err("a refused token cannot start a session");
    assert!(is_invalid_client(&error), "{error:?}");
    assert!(emulator.registry().is_empty());
    shutdown_without_leaks(emulator).await;
}

/// Signalling drops (the session is lost), the token expires meanwhile, and the application
/// starts a new session with the same provider: the refused cached token is replaced once.
#[tokio::test]
async fn a_token_expired_between_sessions_is_refreshed_once() {
    let emulator = Isolated::start(with_faults(Faults {
        expire_tokens_after_secs: Some(1),
        drop_signalling_after_events: Some(1),
        ..Faults::default()
    }))
    .await;
    let token = provider(&emulator);
    let builder = |emulator: &das_emulator::EmulatorHandle| {
        das::session::RegisterSession::builder(emulator.socketio_url(), token.clone())
            .audio_channel(audiohook(emulator))
    };

    let mut lost = start(builder(&emulator)).await;
    let events = all_events(&mut lost).await;
    let (audio_ended, signalling): (Vec<_>, Vec<_>) = events
        .iter()
        .cloned()
        .partition(|e| matches!(e, Event::AudioEnded { .. }));
    assert_eq!(audio_ended.len(), 1, "{events:#?}");
    assert!(
        matches!(
            signalling.as_slice(),
            [
                Event::ConsumerReady { .. },
                Event::Disconnected { before_result: true, reason, .. },
            ] if reason.starts_with("server disconnected namespace")
        ),
        "{events:#?}"
    );
    bounded("close", lost.close()).await;
    let first = token.token().await.expect("cached token");

    // Setup, not an assertion: outlive the token's 1 s acceptance window.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    emulator.set_faults(Faults {
        expire_tokens_after_secs: Some(1),
        ..Faults::default()
    });
    let mut session = start(builder(&emulator)).await;
    let fresh = token.token().await.expect("fresh token");
    assert_ne!(
        first.access_token(),
        fresh.access_token(),
        "the refused token was replaced"
    );
    let feeder = stream_sample(&session, "speaker-a.wav");
    let events = events_until(&mut session, result_and_audio_end).await;
    assert_result_success(&events);
    bounded("feeder", feeder).await.expect("feeder task");
    bounded("close", session.close()).await;
    drop(token); // its HTTP connection pool has a task of its own
    shutdown_without_leaks(emulator).await;
}

/// The same, but the token endpoint now refuses the client: the retry surfaces the typed
/// refusal instead of the stale token's.
#[tokio::test]
async fn an_expired_token_that_cannot_be_renewed_fails_typed() {
    let (emulator, token) = past_the_first_token().await;
    emulator.set_faults(Faults {
        reject_auth: true,
        ..Faults::default()
    });
    let builder = das::session::RegisterSession::builder(emulator.socketio_url(), token)
        .audio_channel(audiohook(&emulator));
    let error = bounded("refused start", builder.start())
        .await
        .expect_err("no token can be had");
    assert!(is_invalid_client(&error), "{error:?}");
    shutdown_without_leaks(emulator).await;
}

/// A token stops being accepted while many sessions share it: every session is refused,
/// and between them they fetch one new token, not one each.
#[tokio::test]
async fn sessions_refused_together_fetch_one_new_token() {
    const SESSIONS: usize = 20;
    let (emulator, token) = past_the_first_token().await;
    // The token that replaces it is accepted for the configured lifetime.
    emulator.set_faults(Faults::default());

    let starts: Vec<_> = (0..SESSIONS)
        .map(|_| {
            let builder =
                das::session::RegisterSession::builder(emulator.socketio_url(), token.clone())
                    .audio_channel(audiohook(&emulator));
            tokio::spawn(start(builder))
        })
        .collect();
    let mut sessions = Vec::new();
    for started in starts {
        sessions.push(bounded("start", started).await.expect("start task"));
    }
    assert_eq!(
        emulator.tokens_issued(),
        2,
        "the first token and one replacement"
    );
    for session in sessions {
        bounded("close", session.close()).await;
    }
    drop(token);
    shutdown_without_leaks(emulator).await;
}

/// An emulator whose tokens are accepted for 1 s, and a provider whose cached token has just
/// stopped being accepted. Setup, not an assertion.
async fn past_the_first_token() -> (Isolated, das::auth::TokenProvider) {
    let emulator = Isolated::start(with_faults(Faults {
        expire_tokens_after_secs: Some(1),
        ..Faults::default()
    }))
    .await;
    let token = provider(&emulator);
    token.token().await.expect("first token");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    (emulator, token)
}
