//! `/audiohook/ws`: the AudioHook consumer. libdas's AudioHook server checks the upgrade
//! signature against the configured keys and runs the protocol; this module joins each
//! accepted session to its signalling session by `conversationId` = `call_id` (our
//! convention) and feeds it the decoded audio. When the session has its result, the
//! consumer ends the stream with `disconnect{reason:"completed"}`.

use std::collections::HashMap;
use std::time::Duration;

use axum::Router;
use das::audio::channels::interleave;
use das::audiohook::messages::DisconnectReason;
use das::audiohook::secret::ClientSecret;
use das::audiohook::server::{
    AudioFrame, AudioHookServer, ServerConfig, ServerSession, SessionControl, SessionEvent,
};

use crate::config::AudiohookConfig;
use crate::server::ConsumerContext;
use crate::session::AudioProtocol;

/// Why the configured keys cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("AudioHook key {0:?} has a client secret that is not base64")]
pub struct BadAudiohookKey(pub String);

/// The router serving `/audiohook/ws`, and the task handing its sessions to the registry.
pub(crate) fn audiohook_router(
    config: &AudiohookConfig,
    context: ConsumerContext,
) -> Result<Router, BadAudiohookKey> {
    let keys = config
        .keys
        .iter()
        .map(|(key, secret)| {
            ClientSecret::from_base64(secret)
                .map(|secret| (key.clone(), secret))
                .map_err(|_| BadAudiohookKey(key.clone()))
        })
        .collect::<Result<HashMap<_, _>, _>>()?;
    let server_config = ServerConfig {
        keys,
        idle_timeout: context.audio_timeout,
        // Tests and benchmarks stream as fast as the consumer reads.
        max_audio_lead: None,
        ..ServerConfig::default()
    };
    let (server, mut incoming) = AudioHookServer::new(server_config);
    tokio::spawn(async move {
        while let Some(session) = incoming.next().await {
            tokio::spawn(serve(session, context.clone()));
        }
    });
    Ok(server.router("/audiohook/ws"))
}

async fn serve(mut session: ServerSession, context: ConsumerContext) {
    if session.is_probe() {
        // A connection probe opens and closes without audio; let the protocol run.
        while session.next_event().await.is_some() {}
        return;
    }
    let control = session.control();
    let call_id = session.open.conversation_id.to_string();
    let feed = match context.registry.attach(&call_id, AudioProtocol::Audiohook) {
        Ok(feed) => feed,
        Err(error) => {
            tracing::info!(%error, "AudioHook stream refused");
            let _ = control.disconnect(DisconnectReason::Error, Some(error.to_string()));
            while session.next_event().await.is_some() {}
            return;
        }
    };
    let mut faults = StreamFaults::new(&context);
    loop {
        let event = tokio::select! {
            _ = feed.closed() => {
                let _ = control.disconnect(
                    DisconnectReason::Completed,
                    Some("enough audio captured".into()),
                );
                break;
            }
            event = session.next_event() => event,
        };
        match event {
            Some(SessionEvent::Audio(frame)) => {
                if feed
                    .push(&interleaved(&frame), frame.samples.len() as u16)
                    .await
                    .is_err()
                {
                    continue; // closed(): the next turn disconnects
                }
                faults.after_frame(&frame, &control);
                // The server stops reading the socket once its event queue is full.
                if super::stall::stall_when_due(faults.stall_after_messages, faults.messages, &feed)
                    .await
                {
                    let _ = control
                        .disconnect(DisconnectReason::Completed, Some("session ended".into()));
                    break;
                }
                if faults.close_now() {
                    let _ = control.disconnect(
                        DisconnectReason::Error,
                        Some("fault: audio socket closed early".into()),
                    );
                    feed.end().await;
                    break;
                }
            }
            Some(SessionEvent::Ended(end)) => {
                tracing::debug!(?end, %call_id, "AudioHook stream ended");
                feed.end().await;
                return;
            }
            Some(_) => {}
            None => {
                feed.end().await;
                return;
            }
        }
    }
    // Let the client run its close transaction after our disconnect.
    while session.next_event().await.is_some() {}
}

/// Frames carry one sample vector per channel; the feed takes them interleaved.
fn interleaved(frame: &AudioFrame) -> Vec<i16> {
    match frame.samples.as_slice() {
        [mono] => mono.clone(),
        [external, internal] => interleave(external, internal),
        _ => Vec::new(),
    }
}

/// The fault switches that act on one AudioHook stream.
struct StreamFaults {
    close_after_messages: Option<u32>,
    stall_after_messages: Option<u32>,
    messages: u32,
    pause_after: Option<(Duration, Duration)>,
    audio: Duration,
}

impl StreamFaults {
    fn new(context: &ConsumerContext) -> Self {
        let faults = context.faults.get();
        Self {
            close_after_messages: faults.close_audio_after_messages,
            stall_after_messages: faults.stall_audio_after_messages,
            messages: 0,
            pause_after: faults
                .audiohook_pause
                .map(|p| (p.after_audio(), Duration::from_millis(p.resume_after_ms))),
            audio: Duration::ZERO,
        }
    }

    /// Counts the frame and, once enough audio has arrived, pauses the stream and
    /// schedules its resumption (once per stream).
    fn after_frame(&mut self, frame: &AudioFrame, control: &SessionControl) {
        self.messages += 1;
        let samples = frame.samples.first().map_or(0, Vec::len);
        self.audio += Duration::from_secs_f64(samples as f64 / 8000.0);
        if let Some((after, resume_after)) = self.pause_after {
            if self.audio >= after {
                self.pause_after = None;
                if control.pause().is_ok() {
                    let control = control.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(resume_after).await;
                        let _ = control.resume();
                    });
                }
            }
        }
    }

    fn close_now(&self) -> bool {
        self.close_after_messages
            .is_some_and(|limit| self.messages >= limit)
    }
}
