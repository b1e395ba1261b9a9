//! [`IncomingSink`]: where the connection task hands what arrives. By default the
//! application's [`Events`](super::Events) queue; a caller may give its own
//! ([`Client::connect_with_sink`](super::Client::connect_with_sink)) and then receives each
//! item straight from the task reading the socket, with no task or queue in between.

use futures_util::future::BoxFuture;

use super::events::Incoming;
use crate::sized_queue;

/// Receives a connection's [`Incoming`] items, in wire order, from the task reading the
/// socket.
///
/// - Items are delivered one at a time, in the order they were read (including the
///   connection-state changes: `Connected`, `Disconnected`, `Reconnecting`). The task waits
///   for each `deliver` to finish, so a sink without room holds the server back (reading
///   pauses, its sends back up) instead of filling memory. Nothing is dropped.
/// - While a `deliver` waits, the task neither reads nor writes: an ack or emit the consumer
///   sends goes out once the sink took the item, and a stall longer than the server's ping
///   interval plus timeout ends the connection (no pong was sent).
/// - [`end`](Self::end) is called once per connect, after the last item (the final
///   `Disconnected`), or when the connect fails (then nothing was delivered); then the client
///   drops the sink. It is also called if the runtime shuts the connection task down.
///
/// The connection keeps serving whether or not anyone still receives (acks the application
/// requested resolve, emits go out), so `deliver` returns nothing: a sink whose receiver is
/// gone just lets items go.
pub trait IncomingSink: Send + Sync + 'static {
    /// Takes `item`, waiting while there is no room. An event's weight, for a sink bounded
    /// by bytes, is [`Event::wire_bytes`](super::Event::wire_bytes).
    fn deliver(&self, item: Incoming) -> BoxFuture<'_, ()>;

    /// No item follows.
    fn end(&self);
}

/// The plain [`Events`](super::Events) queue, bounded by `event_capacity` and `event_bytes`.
impl IncomingSink for sized_queue::Sender<Box<Incoming>> {
    fn deliver(&self, item: Incoming) -> BoxFuture<'_, ()> {
        let weight = match &item {
            Incoming::Event(event) => event.wire_bytes(),
            _ => 0,
        };
        // A dropped receiver only means nobody listens; the connection keeps serving acks.
        Box::pin(async move {
            let _ = self.send(Box::new(item), weight).await;
        })
    }

    /// The queue ends when its only sender, this one, is dropped right after.
    fn end(&self) {}
}

/// The connection task's hold on the sink: ends it once, however the task stops.
pub(crate) struct EndingSink(Box<dyn IncomingSink>);

impl EndingSink {
    pub fn new(sink: Box<dyn IncomingSink>) -> Self {
        Self(sink)
    }

    pub async fn deliver(&self, item: Incoming) {
        self.0.deliver(item).await;
    }
}

impl Drop for EndingSink {
    fn drop(&mut self) {
        self.0.end();
    }
}
