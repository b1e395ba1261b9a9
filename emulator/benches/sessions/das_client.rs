//! The das (Rust) client: `RegisterSession` tasks in this process.

use std::sync::Arc;

use das::audio::codec::Codec;
use das::audio::wav::Wav;
use das::audiohook::secret::ClientSecret;
use das::auth::TokenProvider;
use das::channel::{AudioChannelConfig, ProtocolConfig};
use das::session::{AudioSender, Event, RegisterSession, SessionBuilder};
use das_emulator::{
    DEMO_AUDIOHOOK_API_KEY, DEMO_AUDIOHOOK_CLIENT_SECRET, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
};
use tokio::time::Instant;
use uuid::Uuid;

use crate::fleet::{unix_now_ns, Fleet, FrameClock, SessionOutcome};
use crate::report::{ClientReport, Received};
use crate::{Endpoints, FRAME, FRAME_BYTES, SESSION_TIMEOUT, WAV};

pub async fn run(endpoints: &Endpoints, n: usize) -> ClientReport {
    let token = TokenProvider::client_credentials(
        endpoints.token_url.clone(),
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
    )
    .tls(endpoints.tls.clone())
    .build()
    .expect("token provider");
    let mut channel = AudioChannelConfig::new(
        endpoints.audiohook_url.parse().expect("url"),
        ProtocolConfig::AudioHook {
            organization_id: Uuid::new_v4(),
            api_key: DEMO_AUDIOHOOK_API_KEY.into(),
            client_secret: ClientSecret::from_base64(DEMO_AUDIOHOOK_CLIENT_SECRET).expect("secret"),
            media_offers: None,
        },
    );
    channel.tls = endpoints.tls.clone();
    let audio = Arc::new(
        Wav::read(WAV)
            .and_then(|wav| wav.to_wire(Codec::Mulaw))
            .expect("samples/speaker-a.wav"),
    );
    Fleet::run(n, |clock| {
        let builder = RegisterSession::builder(&endpoints.socketio_url, token.clone())
            .audio_channel(channel.clone())
            .tls(endpoints.tls.clone())
            .connect_timeout(SESSION_TIMEOUT);
        run_session(builder, audio.clone(), clock)
    })
    .await
}

/// One registration as a live call does it: from `info-consumer-ready` one 200 ms frame is
/// pushed at each deadline (the channel sends it at once), events are polled until the
/// result, and the time each server event was returned is noted.
async fn run_session(
    builder: SessionBuilder,
    audio: Arc<Vec<u8>>,
    clock: FrameClock,
) -> SessionOutcome {
    let started = Instant::now();
    let mut outcome = SessionOutcome::new();
    let mut session = match builder.start().await {
        Ok(session) => session,
        Err(e) => {
            outcome.result = Err(format!("start: {e}"));
            outcome.lifetime = started.elapsed();
            return outcome;
        }
    };
    let call_id = session.call_id().to_owned();
    let mut live_call = None;
    let mut seq = 0;
    outcome.result = loop {
        let polled = session.next_event(SESSION_TIMEOUT).await;
        let unix_ns = unix_now_ns();
        let event = match polled {
            Ok(Some(event)) => event,
            Ok(None) => break Err("session ended without a result".into()),
            Err(e) => break Err(e.to_string()),
        };
        // Locally generated events have no emulator send time.
        if matches!(event, Event::AudioEnded { .. } | Event::Disconnected { .. }) {
            if let Event::Disconnected { reason, .. } = event {
                break Err(format!("disconnected: {reason}"));
            }
            continue;
        }
        seq += 1;
        outcome.received.push(Received {
            call_id: call_id.clone(),
            seq,
            event: event.name().to_owned(),
            unix_ns,
        });
        match event {
            Event::ConsumerReady { .. } => {
                outcome.setup = Some(started.elapsed());
                live_call = Some(tokio::spawn(live_audio(
                    session.audio(),
                    audio.clone(),
                    clock.clone(),
                )));
            }
            Event::ResultSuccess { .. } => break Ok(()),
            Event::ResultFailure { reason, .. } => {
                break Err(format!("result-failure {}", reason.unwrap_or_default()))
            }
            Event::Error { content, .. } => {
                break Err(format!("error {}", content.unwrap_or_default()))
            }
            _ => {}
        }
    };
    outcome.lifetime = started.elapsed();
    if let Some(task) = live_call {
        task.abort();
    }
    session.close().await;
    outcome
}

/// The call's audio as it happens: one frame per [`FRAME`], from a buffer shared by all
/// sessions (a live call holds only what it has not sent yet).
async fn live_audio(sender: AudioSender, audio: Arc<Vec<u8>>, clock: FrameClock) {
    let start = Instant::now();
    for (index, frame) in audio.chunks(FRAME_BYTES).enumerate() {
        let deadline = start + FRAME * index as u32;
        tokio::time::sleep_until(deadline).await;
        clock.tick(deadline.into_std());
        if sender.push(frame).is_err() {
            return;
        }
    }
    sender.end();
}
