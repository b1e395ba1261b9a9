//! Types a session's signalling in the connection task itself: each server event of the
//! session's namespace becomes an [`Event`] delivered to the session's sink as it is read (no
//! task or queue in between), and `info-consumer-ready` opens the audio channel.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::future::BoxFuture;
use tokio::task::AbortHandle;

use super::sink::SinkHold;
use super::{feeder, Argument, Event};
use crate::audio::send_buffer::SendBuffer;
use crate::channel::AudioChannelConfig;
use crate::socketio::{DisconnectReason, Incoming, IncomingSink};

/// One session's routing, shared by the connection task and the [`Session`](super::Session).
#[derive(Debug)]
pub(super) struct Route {
    pub namespace: String,
    pub call_id: String,
    /// Set at the first `info-consumer-ready` ([`Session::consumer_ready`](super::Session::consumer_ready)).
    pub consumer_ready: AtomicBool,
    /// What a result's verdict compares its score with, when the result says nothing else.
    pub score_threshold: Option<f64>,
    /// The buffer feeding the audio channel, when the session has one.
    pub audio: Option<SendBuffer>,
    pub state: Mutex<RouteState>,
}

#[derive(Debug)]
pub(super) struct RouteState {
    /// Where events go; dropped at [`Event::Disconnected`], so the sink ends after it (and
    /// after the audio channel's [`Event::AudioEnded`], whose task holds a clone).
    events: Option<SinkHold>,
    /// The channel to open at `info-consumer-ready`; taken when it opens.
    channel: Option<AudioChannelConfig>,
    result_seen: bool,
    /// Stops the task streaming the audio channel (`Session::close`).
    feeder: Option<AbortHandle>,
}

impl RouteState {
    pub fn new(events: SinkHold, channel: Option<AudioChannelConfig>) -> Self {
        RouteState {
            events: Some(events),
            channel,
            result_seen: false,
            feeder: None,
        }
    }
}

impl Route {
    fn state(&self) -> MutexGuard<'_, RouteState> {
        // Critical sections are panic-free bookkeeping.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stops the audio channel (the session is closing).
    pub fn abort_audio(&self) {
        if let Some(feeder) = self.state().feeder.take() {
            feeder.abort();
        }
    }

    /// The typed event for `item`, with its weight and the sink it goes to; `None` for what
    /// the session ignores or arrives after the end.
    fn route(&self, item: Incoming) -> Option<(Event, usize, SinkHold)> {
        match item {
            Incoming::Event(mut raw) if raw.namespace == self.namespace => {
                // Like python-socketio's catch-all handler returning None: ack with no data.
                // Sent from its own task: this one serves the socket the ack goes out on.
                if let Some(ack) = raw.take_ack() {
                    tokio::spawn(ack.send(Vec::new()));
                }
                let args = std::mem::take(&mut raw.args);
                let arguments = Argument::from_wire(args, &raw.attachments);
                let event = Event::from_arguments(&raw.name, arguments, self.score_threshold);
                let mut state = self.state();
                state.result_seen |= event.is_result();
                let events = state.events.clone()?;
                Some((event, raw.wire_bytes(), events))
            }
            Incoming::Disconnected { reason } => {
                let mut state = self.state();
                match (&reason, state.result_seen) {
                    (_, true) => {}
                    // The application closed it: its own doing, not an operator's concern.
                    (DisconnectReason::ClientDisconnect, false) => {
                        tracing::info!(call_id = %self.call_id, "session closed before a result");
                    }
                    (_, false) => {
                        tracing::warn!(call_id = %self.call_id, %reason, "signalling lost before a result");
                    }
                }
                // The server dropped the session with its signalling: stop the audio now
                // rather than wait for the application to end it; the channel then reports
                // its own end.
                if let Some(buffer) = &self.audio {
                    buffer.close();
                }
                let events = state.events.take()?;
                let disconnected = Event::disconnected(reason.to_string(), !state.result_seen);
                Some((disconnected, 0, events))
            }
            Incoming::Event(_) | Incoming::Connected { .. } | Incoming::Reconnecting { .. } => None,
        }
    }

    /// At the first `info-consumer-ready` (once the application can see it), opens the
    /// audio channel.
    fn consumer_ready(&self) {
        if self.consumer_ready.swap(true, Ordering::AcqRel) {
            return;
        }
        tracing::info!(call_id = %self.call_id, "audio consumer ready");
        let mut state = self.state();
        let Some(events) = state.events.clone() else {
            return;
        };
        if let (Some(config), Some(buffer)) = (state.channel.take(), &self.audio) {
            let task = feeder::feed(config, self.call_id.clone(), buffer.clone(), events);
            state.feeder = Some(tokio::spawn(task).abort_handle());
        }
    }
}

/// Shared with the [`Session`](super::Session), which reads the route's state.
impl IncomingSink for Arc<Route> {
    fn deliver(&self, item: Incoming) -> BoxFuture<'_, ()> {
        let routed = self.route(item);
        Box::pin(async move {
            let Some((event, weight, events)) = routed else {
                return;
            };
            let ready = matches!(event, Event::ConsumerReady { .. });
            // A sink without a receiver means the session is gone: no audio for it.
            if events.deliver(event, weight).await && ready {
                self.consumer_ready();
            }
        })
    }

    /// The session's sink ends when its last hold goes (`Disconnected`, `AudioEnded`), not
    /// with one connection: a refused start is retried with the same route.
    fn end(&self) {}
}
