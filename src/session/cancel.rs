//! [`StartCancel`]: ends a session start from another thread or task, so that closing a
//! session while it is still fetching its token or connecting does not wait out the timeouts.

use std::sync::Arc;

use tokio::sync::watch;

/// Cancels [`SessionBuilder::start_cancellable`](super::SessionBuilder::start_cancellable)
/// from any thread; clones share one switch. Once cancelled it stays cancelled, so a start
/// begun afterwards fails at once.
#[derive(Clone, Debug)]
pub struct StartCancel {
    cancelled: Arc<watch::Sender<bool>>,
}

impl Default for StartCancel {
    fn default() -> Self {
        Self::new()
    }
}

impl StartCancel {
    /// A switch that is not cancelled.
    pub fn new() -> Self {
        Self {
            cancelled: Arc::new(watch::Sender::new(false)),
        }
    }

    /// Makes a start using this switch return [`SessionError::Cancelled`](super::SessionError)
    /// now, dropping what it had connected; idempotent.
    pub fn cancel(&self) {
        self.cancelled.send_replace(true);
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        *self.cancelled.borrow()
    }

    /// Completes once cancelled.
    pub(super) async fn cancelled(&self) {
        let mut watcher = self.cancelled.subscribe();
        // The sender lives in `self`, so waiting cannot end for want of one.
        let _ = watcher.wait_for(|cancelled| *cancelled).await;
    }
}
