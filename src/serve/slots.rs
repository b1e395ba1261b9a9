//! Connection accounting for the accept loop: how many connections are open, which of them
//! may be closed to make room (those that have not yet sent a whole request, then those kept
//! alive between requests), and the guard that gives a connection's place back when its socket
//! closes.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

/// No whole request yet.
const SILENT: u8 = 0;
/// A request in flight, or upgraded to a WebSocket.
const BUSY: u8 = 1;
/// Kept alive between requests.
const IDLE: u8 = 2;
/// Told to close to make room.
const EVICTED: u8 = 3;
const CLOSED: u8 = 4;

/// Orders the moments connections fell idle: the smallest value is the longest idle.
static IDLE_ORDER: AtomicU64 = AtomicU64::new(0);

/// One connection's standing: silent until its first request's headers arrive, then busy
/// while a request is served, idle between requests.
#[derive(Default)]
pub(super) struct Standing {
    state: AtomicU8,
    /// When it last fell idle, in [`IDLE_ORDER`].
    idle_since: AtomicU64,
    /// Close at once: a silent connection.
    evict: Notify,
    /// Close once the response in hand is written: an idle connection.
    retire: Notify,
}

impl Standing {
    /// A request's headers arrived. False when the connection was told to close in that
    /// instant (hyper still serves the request before closing).
    pub(super) fn request_started(&self) -> bool {
        for from in [SILENT, IDLE] {
            let moved =
                self.state
                    .compare_exchange(from, BUSY, Ordering::AcqRel, Ordering::Acquire);
            if moved.is_ok() {
                return true;
            }
        }
        self.state() == BUSY
    }

    /// The response is in hand; the connection waits for its next request. Not called for an
    /// upgrade: a WebSocket stays busy for good.
    pub(super) fn request_done(&self) {
        let order = IDLE_ORDER.fetch_add(1, Ordering::AcqRel);
        self.idle_since.store(order, Ordering::Release);
        let _ = self
            .state
            .compare_exchange(BUSY, IDLE, Ordering::AcqRel, Ordering::Acquire);
    }

    /// Moves the state from `from` to evicted; false when it was not `from`.
    fn evict_from(&self, from: u8) -> bool {
        self.state
            .compare_exchange(from, EVICTED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// Resolves once the accept loop evicted this connection while it was silent.
    pub(super) async fn evicted(&self) {
        self.evict.notified().await;
    }

    /// Resolves once the accept loop evicted this connection while it was idle.
    pub(super) async fn retired(&self) {
        self.retire.notified().await;
    }

    fn state(&self) -> u8 {
        self.state.load(Ordering::Acquire)
    }
}

/// What the accept loop does with a new connection.
pub(super) enum Admission {
    Admit(Slot),
    /// Every place is taken by a connection serving a request or a WebSocket.
    Refuse,
}

/// The connection places of one server.
pub(super) struct Slots {
    limit: usize,
    open: AtomicUsize,
    /// Evicted connections whose sockets are not closed yet (they still count in `open`).
    evicting: AtomicUsize,
    /// Open connections in the order they were accepted: the eviction candidates.
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

    /// A place for a new connection: a free one, else the place of a connection told to close
    /// (see [`Slots::evict_one`]).
    pub(super) fn admit(self: &Arc<Self>) -> Admission {
        let staying = self.open() - self.evicting.load(Ordering::Acquire).min(self.open());
        if staying >= self.limit && !self.evict_one() {
            return Admission::Refuse;
        }
        let standing = Arc::new(Standing::default());
        self.open.fetch_add(1, Ordering::AcqRel);
        let mut queue = self.lock_queue();
        // Closed and evicted entries are dropped when met at the front; keep the queue short.
        if queue.len() > 2 * self.limit + 64 {
            queue.retain(|entry| entry.state() < EVICTED);
        }
        queue.push_back(standing.clone());
        Admission::Admit(Slot {
            slots: self.clone(),
            standing,
        })
    }

    /// Tells a connection to close: the oldest silent one (a slow or stalled client), else
    /// the one idle the longest (a kept-alive client opens another when it next needs one).
    /// False when every connection is serving a request or a WebSocket.
    pub(super) fn evict_one(&self) -> bool {
        let mut queue = self.lock_queue();
        while queue.front().is_some_and(|entry| entry.state() >= EVICTED) {
            queue.pop_front();
        }
        // Counted first: the socket may close, and give its place back, as soon as it is told.
        self.evicting.fetch_add(1, Ordering::AcqRel);
        if let Some(at) = queue.iter().position(|entry| entry.evict_from(SILENT)) {
            let entry = queue.remove(at).expect("found in the queue");
            entry.evict.notify_one();
            return true;
        }
        loop {
            let longest_idle = queue
                .iter()
                .enumerate()
                .filter(|(_, entry)| entry.state() == IDLE)
                .min_by_key(|(_, entry)| entry.idle_since.load(Ordering::Acquire))
                .map(|(at, _)| at);
            let Some(at) = longest_idle else {
                self.evicting.fetch_sub(1, Ordering::AcqRel);
                return false;
            };
            // A request may have arrived meanwhile: then look again.
            if queue[at].evict_from(IDLE) {
                let entry = queue.remove(at).expect("found in the queue");
                entry.retire.notify_one();
                return true;
            }
        }
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
    fn a_full_server_evicts_the_oldest_silent_connection_and_refuses_when_all_are_busy() {
        let slots = Slots::new(2);
        let first = admitted(&slots);
        let second = admitted(&slots);
        // Full of silent connections: the oldest is evicted for the newcomer.
        let third = admitted(&slots);
        assert_eq!(first.standing.state(), EVICTED);
        assert_eq!(slots.open(), 3, "the evicted socket counts until it closes");
        drop(first);
        assert_eq!(slots.open(), 2);
        second.standing.request_started();
        third.standing.request_started();
        assert!(matches!(slots.admit(), Admission::Refuse));
        drop(second);
        let _fourth = admitted(&slots);
    }

    #[test]
    fn silent_connections_go_before_idle_ones_and_busy_ones_never() {
        let slots = Slots::new(3);
        let idle = admitted(&slots);
        idle.standing.request_started();
        idle.standing.request_done();
        let websocket = admitted(&slots);
        websocket.standing.request_started();
        let silent = admitted(&slots);
        let newcomer = admitted(&slots);
        assert_eq!(silent.standing.state(), EVICTED, "the silent one first");
        assert_eq!(idle.standing.state(), IDLE);
        drop(silent);
        newcomer.standing.request_started();
        // Idle between requests (a keep-alive client that sent one request long ago): its
        // place goes to the newcomer, once its response is written.
        let another = admitted(&slots);
        assert_eq!(idle.standing.state(), EVICTED);
        assert_eq!(websocket.standing.state(), BUSY);
        drop(idle);
        another.standing.request_started();
        assert!(matches!(slots.admit(), Admission::Refuse));
    }

    #[test]
    fn the_connection_idle_the_longest_goes_first_not_the_oldest() {
        let slots = Slots::new(2);
        let first = admitted(&slots);
        let second = admitted(&slots);
        for slot in [&first, &second] {
            slot.standing.request_started();
        }
        second.standing.request_done();
        // The first connection (a pooled client) served a request just now.
        first.standing.request_done();
        let _newcomer = admitted(&slots);
        assert_eq!(second.standing.state(), EVICTED);
        assert_eq!(first.standing.state(), IDLE);
    }

    #[test]
    fn a_request_in_the_instant_of_its_retirement_is_told_so() {
        let slots = Slots::new(1);
        let kept_alive = admitted(&slots);
        assert!(kept_alive.standing.request_started());
        kept_alive.standing.request_done();
        let _newcomer = admitted(&slots);
        assert!(!kept_alive.standing.request_started());
        assert_eq!(
            kept_alive.standing.state(),
            EVICTED,
            "still counted as leaving"
        );
    }

    #[test]
    fn a_connection_that_closed_or_is_busy_is_never_evicted() {
        let slots = Slots::new(1);
        let first = admitted(&slots);
        first.standing.request_started();
        assert!(!slots.evict_one());
        drop(first);
        let second = admitted(&slots);
        let standing = second.standing();
        drop(second);
        assert!(!slots.evict_one());
        assert_eq!(standing.state(), CLOSED);
        assert_eq!(slots.evicting.load(Ordering::Acquire), 0);
    }
}
