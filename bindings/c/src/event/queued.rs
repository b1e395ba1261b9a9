//! [`QueuedEvent`]: what a session's C event queue carries. Besides the core session's events,
//! the C binding makes two of its own, the outcome of `das_session_start_nonblocking`, so that
//! an event loop learns it through the same descriptor as every other event.

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
    }
}
