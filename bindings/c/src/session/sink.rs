//! [`QueueSink`]: the core session's event sink for a C session. The signalling task delivers
//! each event straight into the C queue, held back by a [`StartGate`] until the start's
//! outcome is settled, so that `started` comes before the first session event.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use das_core::session::{Event, EventSink};
use futures_util::future::BoxFuture;
use tokio::sync::Notify;

use super::SessionQueue;

/// Closed while a start is running; opened once, when the start succeeded (after `started` is
/// queued) or failed.
#[derive(Debug, Default)]
pub struct StartGate {
    open: AtomicBool,
    opened: Notify,
}

impl StartGate {
    pub fn open(&self) {
        self.open.store(true, Ordering::Release);
        self.opened.notify_waiters();
    }

    fn is_open(&self) -> bool {
        self.open.load(Ordering::Acquire)
    }

    async fn wait(&self) {
        if self.is_open() {
            return;
        }
        let opened = self.opened.notified();
        tokio::pin!(opened);
        // Registered before the second look, so an `open` in between is not missed.
        opened.as_mut().enable();
        if !self.is_open() {
            opened.await;
        }
    }
}

/// Delivers into the C queue once the gate is open.
#[derive(Debug)]
pub struct QueueSink {
    pub queue: Arc<SessionQueue>,
    pub gate: Arc<StartGate>,
}

impl EventSink for QueueSink {
    fn deliver(&self, event: Event, weight: usize) -> BoxFuture<'_, bool> {
        Box::pin(async move {
            self.gate.wait().await;
            self.queue.push(event.into(), weight).await
        })
    }

    fn end(&self) {
        // Before the gate opens only a failed start ends the sink, and the start then ends
        // the queue itself, after its `start-failed`.
        if self.gate.is_open() {
            self.queue.end();
        }
    }
}
