//! Connection accounting for the accept loop: how many connections are open, which of them
//! have not yet sent a whole request (and may be evicted to make room), and the guard that
//! gives a connection's place back when its socket closes.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

const SILENT: u8 = 0;
const PROVEN: u8 = 1;
const EVICTED: u8 = 2;
const CLOSED: u8 = 3;

/// One connection's standing: silent until its first request's headers arrive.
#[derive(Default)]
pub(super) struct Standing {
    state: AtomicU8,
    evict: Notify,
}

impl Standing {
    /// The connection sent a whole request: it is no longer evicted to make room.
    pub(super) fn prove(&self) {
        let _ = self
            .state
            .compare_exchange(SILENT, PROVEN, Ordering::AcqRel, Ordering::Acquire);
    }

    /// Resolves once the accept loop evicted this connection.
    pub(super) async fn evicted(&self) {
        self.evict.notified().await;
    }

    fn is_silent(&self) -> bool {
        self.state.load(Ordering::Acquire) == SILENT
    }
}

/// What the accept loop does with a new connection.
pub(super) enum Admission {
    Admit(Slot),
    /// Every place is taken by a connection that has sent a request.
    Refuse,
}

/// The connection places of one server.
pub(super) struct Slots {
    limit: usize,
    open: AtomicUsize,
    /// Evicted connections whose sockets are not closed yet (they still count in `open`).
    evicting: AtomicUsize,
    /// Connections in the order they were accepted; the silent ones are eviction candidates.
    queue: Mutex<VecDeque<Arc<Standing>>>,
}

impl Slots {
    pub(super) fn new(limit: usize) -> Arc<Slots> {
        Arc::new(Slots {
            limit: limit.max(1),
            open: AtomicUsize::new(0),
            evicting: AtomicUsize::new(0),
            queue: Mutex::new(VecDeque::new()),
        })
    }

    pub(super) fn limit(&self) -> usize {
        self.limit
    }

    /// Connections open now (sockets not yet closed).
    pub(super) fn open(&self) -> usize {
        self.open.load(Ordering::Acquire)
    }

    /// A place for a new connection: a free one, else the place of the oldest connection
    /// that has not sent a request yet (it is told to close).
    pub(super) fn admit(self: &Arc<Self>) -> Admission {
        let staying = self.open() - self.evicting.load(Ordering::Acquire).min(self.open());
        if staying >= self.limit && !self.evict_oldest_silent() {
            return Admission::Refuse;
        }
        let standing = Arc::new(Standing::default());
        self.open.fetch_add(1, Ordering::AcqRel);
        let mut queue = self.lock_queue();
        // Proven and closed entries are only dropped when reached; keep the queue short.
        if queue.len() > 2 * self.limit + 64 {
            queue.retain(|entry| entry.is_silent());
        }
        queue.push_back(standing.clone());
        Admission::Admit(Slot {
            slots: self.clone(),
            standing,
        })
    }

    /// Tells the oldest silent connection to close; false when there is none.
    pub(super) fn evict_oldest_silent(&self) -> bool {
        let mut queue = self.lock_queue();
        while let Some(entry) = queue.pop_front() {
            let evicted = entry
                .state
                .compare_exchange(SILENT, EVICTED, Ordering::AcqRel, Ordering::Acquire)
                .is_ok();
            if evicted {
                self.evicting.fetch_add(1, Ordering::AcqRel);
                entry.evict.notify_one();
                return true;
            }
        }
        false
    }

    fn lock_queue(&self) -> std::sync::MutexGuard<'_, VecDeque<Arc<Standing>>> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A connection's place; it is given back when the socket holding it is dropped.
pub(super) struct Slot {
    slots: Arc<Slots>,
    standing: Arc<Standing>,
}

impl Slot {
    pub(super) fn standing(&self) -> Arc<Standing> {
        self.standing.clone()
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if self.standing.state.swap(CLOSED, Ordering::AcqRel) == EVICTED {
            self.slots.evicting.fetch_sub(1, Ordering::AcqRel);
        }
        self.slots.open.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admitted(slots: &Arc<Slots>) -> Slot {
        match slots.admit() {
            Admission::Admit(slot) => slot,
            Admission::Refuse => panic!("refused"),
        }
    }

    #[test]
    fn a_full_server_evicts_the_oldest_silent_connection_and_refuses_when_all_are_proven() {
        let slots = Slots::new(2);
        let first = admitted(&slots);
        let second = admitted(&slots);
        // Full of silent connections: the oldest is evicted for the newcomer.
        let third = admitted(&slots);
        assert_eq!(first.standing.state.load(Ordering::Acquire), EVICTED);
        assert_eq!(slots.open(), 3, "the evicted socket counts until it closes");
        drop(first);
        assert_eq!(slots.open(), 2);
        second.standing.prove();
        third.standing.prove();
        assert!(matches!(slots.admit(), Admission::Refuse));
        drop(second);
        let _fourth = admitted(&slots);
    }

    #[test]
    fn a_connection_that_closed_or_proved_itself_is_never_evicted() {
        let slots = Slots::new(1);
        let first = admitted(&slots);
        first.standing.prove();
        assert!(!slots.evict_oldest_silent());
        drop(first);
        let second = admitted(&slots);
        let standing = second.standing();
        drop(second);
        assert!(!slots.evict_oldest_silent());
        assert_eq!(standing.state.load(Ordering::Acquire), CLOSED);
        assert_eq!(slots.evicting.load(Ordering::Acquire), 0);
    }
}
