//! [`QueuedEvent`]: what a session's C event queue carries. Besides the core session's events,
//! the C binding makes two of its own, the outcome of `das_session_start_nonblocking`, so that
//! an event loop learns it through the same descriptor as every other event.

use std::io::Write;

use das_core::session::Event;
use serde_json::{json, Value};

use crate::error::Error;

/// One event waiting in a session's C queue.
#[derive(Debug, PartialEq)]
// Nearly every event is a session one: boxing it would cost an allocation per event.
#[allow(clippy::large_enum_variant)]
pub enum QueuedEvent {
    /// An event of the core session.
    Session(Event),
    /// `started`: a non-blocking start connected and emitted `initialize`.
    Started {
        /// The session's `call_id`.
        call_id: String,
    },
    /// `start-failed`: a non-blocking start failed with what `das_session_start` would have
    /// returned; the queue ends after it.
    StartFailed(Error),
}

impl From<Event> for QueuedEvent {
    fn from(event: Event) -> Self {
        Self::Session(event)
    }
}

impl QueuedEvent {
    /// The event name as `das_event_name` lends it.
    pub fn name(&self) -> &str {
        match self {
            Self::Session(event) => event.name(),
            Self::Started { .. } => "started",
            Self::StartFailed(_) => "start-failed",
        }
    }

    /// The payload as `das_event_json` lends it (`{event, ...}` like the other local events).
    pub fn data(&self) -> Value {
        match self {
            Self::Session(event) => event.data().clone(),
            Self::Started { call_id } => json!({"event": "started", "call_id": call_id}),
            Self::StartFailed(error) => json!({
                "event": "start-failed",
                "result": error.code().name(),
                "message": error.message(),
            }),
        }
    }

    /// The bytes its name and JSON take, counted without building the text (the queue's byte
    /// budget).
    pub fn weight(&self) -> usize {
        struct Counter(usize);
        impl Write for Counter {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0 += bytes.len();
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut counter = Counter(self.name().len());
        // Writing to a counter cannot fail.
        let _ = match self {
            Self::Session(event) => serde_json::to_writer(&mut counter, event.data()),
            local => serde_json::to_writer(&mut counter, &local.data()),
        };
        counter.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::das_result;

    #[test]
    fn the_start_outcomes_are_named_events_with_json() {
        let started = QueuedEvent::Started {
            call_id: "c-1".into(),
        };
        assert_eq!(started.name(), "started");
        assert_eq!(
            started.data(),
            json!({"event": "started", "call_id": "c-1"})
        );
        let failed = QueuedEvent::StartFailed(Error::new(das_result::Auth, "refused"));
        assert_eq!(failed.name(), "start-failed");
        assert_eq!(
            failed.data(),
            json!({"event": "start-failed", "result": "DAS_RESULT_AUTH", "message": "refused"})
        );
        let text = failed.data().to_string();
        assert_eq!(failed.weight(), "start-failed".len() + text.len());
    }
}
