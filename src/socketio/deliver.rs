//! Where the connection task hands what arrives: the application's [`Events`](super::Events)
//! queue, or a receiver that types each item in place (a das-Peak session), so an event
//! costs one task and one queue between the socket and the application.

use futures_util::future::BoxFuture;

use super::events::Incoming;
use crate::sized_queue;

/// Takes each [`Incoming`] in wire order, waiting (and so holding the connection back) while
/// its queue is full.
pub(crate) trait Deliver: Send + Sync + 'static {
    fn deliver(&self, item: Incoming) -> BoxFuture<'_, ()>;
}

/// The plain [`Events`](super::Events) queue.
impl Deliver for sized_queue::Sender<Box<Incoming>> {
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
}
