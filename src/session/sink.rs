//! [`EventSink`]: where a session's events go. By default the session's own bounded queue
//! ([`Session::next_event`](super::Session::next_event)); a caller may give its own
//! ([`SessionBuilder::start_with_sink`](super::SessionBuilder::start_with_sink)), and the task
//! reading the signalling then delivers each typed event straight into it.

use std::sync::Arc;

use futures_util::future::BoxFuture;

use super::Event;
use crate::sized_queue;

/// Receives a session's events, in order, from the tasks that make them.
///
/// The session decides everything else as it does with its own queue: which events there
/// are and how they are typed, opening the audio channel once `info-consumer-ready` was
/// delivered, [`Event::Disconnected`] when the signalling ends.
///
/// - Signalling events are delivered one at a time, in the order they were read; the task
///   reading the signalling waits for each `deliver` to finish, so a sink without room holds
///   the server back (its sends back up) instead of filling memory. Nothing is dropped.
/// - [`Event::AudioEnded`] comes from the audio channel's task, after
///   [`Event::ConsumerReady`], possibly while a signalling event is being delivered.
/// - [`end`](Self::end) is called once after the last event (after `Disconnected` and, when
///   the audio channel opened, its `AudioEnded`), or when a start fails; then the session
///   drops the sink.
///
/// `deliver` answers whether someone still receives: `false` means the receiver is gone, and
/// the session then opens no audio channel for that `info-consumer-ready`.
pub trait EventSink: Send + Sync + 'static {
    /// Takes `event`, waiting while there is no room. `weight` is the bytes the event took
    /// on the wire (0 for the session's own events), for a sink bounded by bytes.
    fn deliver(&self, event: Event, weight: usize) -> BoxFuture<'_, bool>;

    /// No event follows.
    fn end(&self);
}

/// The session's own queue, read by `next_event` and the `Stream` impl. Boxed: a queue
/// preallocates a block of 32 slots, which at the size of an [`Event`] would be most of an
/// idle session's memory.
impl EventSink for sized_queue::Sender<Box<Event>> {
    fn deliver(&self, event: Event, weight: usize) -> BoxFuture<'_, bool> {
        Box::pin(async move { self.send(Box::new(event), weight).await.is_ok() })
    }

    /// The queue ends when its last sender, this one, is dropped.
    fn end(&self) {}
}

/// One producer's hold on the sink (the signalling route until `Disconnected`, the audio
/// channel's task until `AudioEnded`): the sink ends when the last hold goes.
#[derive(Clone)]
pub(crate) struct SinkHold(Arc<Ending>);

struct Ending(Box<dyn EventSink>);

impl Drop for Ending {
    fn drop(&mut self) {
        self.0.end();
    }
}

impl SinkHold {
    pub fn new(sink: Box<dyn EventSink>) -> Self {
        Self(Arc::new(Ending(sink)))
    }

    pub async fn deliver(&self, event: Event, weight: usize) -> bool {
        self.0 .0.deliver(event, weight).await
    }
}

impl std::fmt::Debug for SinkHold {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SinkHold")
            .field("holds", &Arc::strong_count(&self.0))
            .finish_non_exhaustive()
    }
}
