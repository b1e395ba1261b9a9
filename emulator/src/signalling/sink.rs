//! Emits session events on one socket, in the configured payload encoding, and applies
//! the `drop_signalling_after_events` fault.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use serde::{Serialize, Serializer};
use socketioxide::extract::SocketRef;

use crate::config::PayloadEncoding;
use crate::python_json;
use crate::session::Event;
use crate::timing::EventTimingLog;

/// Milliseconds [`EventSink::ready`] waits at most.
const CONNECT_WAIT_STEPS: u32 = 1000;

#[derive(Clone)]
pub(crate) struct EventSink {
    socket: SocketRef,
    encoding: PayloadEncoding,
    emitted: Arc<AtomicU32>,
    drop_after: Option<u32>,
    /// The timing log and the session's `call_id`, once the session is known.
    timing: Option<(Arc<EventTimingLog>, Arc<str>)>,
}

impl EventSink {
    pub(crate) fn new(
        socket: SocketRef,
        encoding: PayloadEncoding,
        drop_after: Option<u32>,
    ) -> Self {
        EventSink {
            socket,
            encoding,
            emitted: Arc::new(AtomicU32::new(0)),
            drop_after,
            timing: None,
        }
    }

    /// This sink, recording its events in `log` (if any) under `call_id`.
    pub(crate) fn timed(mut self, log: Option<Arc<EventTimingLog>>, call_id: &str) -> Self {
        self.timing = log.map(|log| (log, Arc::from(call_id)));
        self
    }

    /// Waits (briefly) until socketioxide marks the socket connected. Handlers are set
    /// before the CONNECT ack, so an event can be handled in the instant between the ack
    /// and the socket being marked connected, when emits would still be refused.
    pub(crate) async fn ready(&self) {
        for _ in 0..CONNECT_WAIT_STEPS {
            if self.socket.connected() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    pub(crate) fn emit(&self, event: &Event) {
        self.send(event, Audio::None);
    }

    /// Emits `event` with `audio` as a second, binary argument (a BINARY_EVENT).
    pub(crate) fn emit_with_audio(&self, event: &Event, audio: Bytes) {
        self.send(event, Audio::Argument(Binary(audio)));
    }

    /// Emits `event` as an object with `audio` nested in it as its `collected_audio` field (a
    /// BINARY_EVENT whose placeholder sits inside the payload).
    pub(crate) fn emit_with_nested_audio(&self, event: &Event, audio: Bytes) {
        self.send(event, Audio::InPayload(Binary(audio)));
    }

    /// The length of the Socket.IO EVENT packet (`2/namespace,["name",payload]`), as the
    /// timing log records it; the binary attachment is not counted.
    fn packet_len(&self, event: &Event, text: &Option<String>) -> usize {
        let array = match text {
            Some(text) => serde_json::to_string(&(event.name(), text)),
            None => serde_json::to_string(&(event.name(), event)),
        };
        let namespace = self.socket.ns();
        let prefix = if namespace == "/" {
            1
        } else {
            2 + namespace.len()
        };
        prefix + array.map_or(0, |a| a.len())
    }

    fn send(&self, event: &Event, audio: Audio) {
        let sent = SystemTime::now();
        // JSON text cannot hold binary: a payload with the audio inside is an object.
        let encoding = match audio {
            Audio::InPayload(_) => PayloadEncoding::Object,
            Audio::None | Audio::Argument(_) => self.encoding,
        };
        let text = match encoding {
            PayloadEncoding::JsonString => match serde_json::to_value(event) {
                Ok(value) => Some(python_json(&value)),
                Err(error) => {
                    tracing::debug!(event = event.name(), %error, "event not serialisable");
                    return;
                }
            },
            PayloadEncoding::Object => None,
        };
        // A tuple is spread into one Socket.IO argument per element.
        let emitted = match (&text, audio) {
            (Some(text), Audio::None) => self.socket.emit(event.name(), text),
            (Some(text), Audio::Argument(audio)) => self.socket.emit(event.name(), &(text, audio)),
            (None, Audio::None) => self.socket.emit(event.name(), event),
            (None, Audio::Argument(audio)) => self.socket.emit(event.name(), &(event, audio)),
            (_, Audio::InPayload(collected_audio)) => {
                let payload = WithAudio {
                    event,
                    collected_audio,
                };
                self.socket.emit(event.name(), &payload)
            }
        };
        if let Err(error) = emitted {
            tracing::debug!(event = event.name(), %error, "event not delivered");
            return;
        }
        let count = self.emitted.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some((log, call_id)) = &self.timing {
            log.record(
                call_id,
                count,
                event.name(),
                sent,
                self.packet_len(event, &text),
            );
        }
        if self.drop_after.is_some_and(|limit| count >= limit) {
            tracing::info!(count, "fault: dropping the signalling connection");
            // Already-closed sockets need no second disconnect.
            let _ = self.socket.clone().disconnect();
        }
    }
}

/// Where the collected audio of an event goes.
enum Audio {
    None,
    /// A second argument.
    Argument(Binary),
    /// The payload's `collected_audio` field.
    InPayload(Binary),
}

/// An event's payload with its `collected_audio` in binary beside its fields.
#[derive(Serialize)]
struct WithAudio<'a> {
    #[serde(flatten)]
    event: &'a Event,
    collected_audio: Binary,
}

/// Bytes that serialise as binary, which socketioxide sends as an attachment.
struct Binary(Bytes);

impl Serialize for Binary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}
