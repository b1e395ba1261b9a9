//! The AudioHook consumer, driven by libdas's own session and AudioHook client: the
//! documented flow, refusals (unknown call, bad signature) and the pause fault.

use crate::common;

use std::time::Duration;

use das::audio::pacing::Pacing;
use das::audiohook::secret::ClientSecret;
use das::auth::TokenProvider;
use das::channel::{AudioChannel, AudioChannelConfig, ProtocolConfig};
use das::session::{Event, RegisterSession};
use das_emulator::{AudiohookPause, EmulatorConfig, EmulatorHandle, Faults};

const WAIT: Duration = Duration::from_secs(20);

fn channel(emulator: &EmulatorHandle, secret: &str) -> AudioChannelConfig {
    let mut config = AudioChannelConfig::new(
        emulator.audiohook_url().parse().unwrap(),
        ProtocolConfig::AudioHook {
            organization_id: uuid::Uuid::new_v4(),
            api_key: emulator.audiohook_api_key().into(),
            client_secret: ClientSecret::from_base64(secret).unwrap(),
            media_offers: None,
        },
    );
    config.pacing = Pacing::AsFastAsPossible;
    config
}

/// Registers speaker A over AudioHook and returns every event until the queue ends.
pub(crate) async fn register(emulator: &EmulatorHandle) -> Vec<Event> {
    let token = TokenProvider::client_credentials(
        emulator.token_url(),
        emulator.client_id(),
        emulator.client_secret(),
    )
    .build()
    .unwrap();
    let mut session = RegisterSession::builder(emulator.socketio_url(), token)
        .audio_channel(channel(emulator, emulator.audiohook_client_secret()))
        .start()
        .await
        .unwrap();
    let audio = session.audio();
    audio
        .push_wav(common::sample("speaker-a.wav"))
        .await
        .unwrap();
    audio.end();
    let mut events = Vec::new();
    // The audio may run out before the result or the consumer may end it after: wait for
    // both, in either order.
    let ended = |events: &[Event]| events.iter().any(|e| matches!(e, Event::AudioEnded { .. }));
    while let Some(event) = session.next_event(WAIT).await.unwrap() {
        events.push(event);
        if ended(&events) && events.iter().any(Event::is_result) {
            break;
        }
    }
    session.close().await;
    events
}

#[tokio::test]
async fn a_registration_streams_over_audiohook_until_the_consumer_has_enough() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let events = register(&emulator).await;
    let names: Vec<&str> = events.iter().map(Event::name).collect();
    assert_eq!(names[0], "info-consumer-ready");
    assert!(names.contains(&"info-vad-status"));
    let result = events.iter().find(|e| e.is_result()).unwrap();
    assert!(
        matches!(
            result,
            Event::ResultSuccess {
                credential: Some(_),
                ..
            }
        ),
        "{result:?}"
    );
    let Some(Event::AudioEnded { reason, error, .. }) = events
        .iter()
        .find(|e| matches!(e, Event::AudioEnded { .. }))
    else {
        panic!("{names:?}")
    };
    // The consumer disconnects once it has the result, or the audio ran out first.
    assert!(error.is_none(), "{error:?}");
    assert!(
        reason == "consumer-closed" || reason == "finished",
        "{reason}"
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn streams_for_unknown_calls_and_bad_signatures_are_refused() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let unknown = uuid::Uuid::new_v4().to_string();
    let config = channel(&emulator, emulator.audiohook_client_secret());
    let outcome = match AudioChannel::open(&config, &unknown).await {
        Ok(open) => {
            // Stream silence until the consumer's disconnect closes the channel.
            for _ in 0..500 {
                if open.push_wait(&[0xFF; 1600]).await.is_err() {
                    break;
                }
            }
            open.finish().await.map(|end| format!("{end:?}"))
        }
        Err(error) => Err(error),
    };
    let refused = format!("{outcome:?}");
    assert!(
        refused.contains(&unknown) || refused.contains("call_id"),
        "{refused}"
    );

    let forged = channel(&emulator, "d3Jvbmctc2VjcmV0");
    let error = AudioChannel::open(&forged, &unknown).await.unwrap_err();
    assert!(
        error.to_string().to_lowercase().contains("unauthorized"),
        "{error}"
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn the_pause_fault_pauses_and_resumes_without_losing_the_session() {
    let config = EmulatorConfig {
        faults: Faults {
            audiohook_pause: Some(AudiohookPause {
                after_audio_secs: 1.0,
                resume_after_ms: 300,
            }),
            ..Faults::default()
        },
        ..EmulatorConfig::default()
    };
    let emulator = common::start(config).await;
    let events = register(&emulator).await;
    assert!(
        events.iter().any(Event::is_result),
        "{:?}",
        events.iter().map(Event::name).collect::<Vec<_>>()
    );
    emulator.shutdown().await;
}
