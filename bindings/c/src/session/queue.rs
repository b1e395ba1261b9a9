//! The C side of a session's event queue, where the core session delivers its events: bounded
//! by count and by bytes (a slow poller holds at most the budget, the producer waits for room),
//! ordered, with a blocking pop that a close interrupts and, once asked for, a socket that is
//! readable exactly while an event (or the end) is pending.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use crate::error::Error;
use crate::event::QueuedEvent;
use crate::result::das_result;

/// Why a pop returned no event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Nothing arrived in time.
    Timeout,
    /// The session ended (or was closed) and every event was taken.
    Closed,
}

#[derive(Debug, Default)]
struct State {
    /// Each event with the bytes of the budget it holds.
    events: VecDeque<(QueuedEvent, u32)>,
    ended: bool,
    /// Made by the first `fd()`: a program polling with timeouts never pays its two
    /// descriptors and its two syscalls per event.
    wake: Option<WakeSocket>,
}

impl State {
    fn pending(&self) -> bool {
        !self.events.is_empty() || self.ended
    }

    fn signal(&mut self) {
        crate::runtime::note_queue_change();
        if let Some(wake) = &mut self.wake {
            wake.signal();
        }
    }

    fn unsignal(&mut self) {
        if let Some(wake) = &mut self.wake {
            wake.unsignal();
        }
    }
}

/// A socket pair whose reading end holds one byte while something is pending.
#[derive(Debug)]
struct WakeSocket {
    reader: UnixStream,
    writer: UnixStream,
    signalled: bool,
}

impl WakeSocket {
    fn new() -> Result<Self, Error> {
        let (reader, writer) = UnixStream::pair().map_err(io_error)?;
        reader.set_nonblocking(true).map_err(io_error)?;
        writer.set_nonblocking(true).map_err(io_error)?;
        Ok(Self {
            reader,
            writer,
            signalled: false,
        })
    }

    fn signal(&mut self) {
        if !self.signalled {
            // One byte in an empty socket buffer cannot fail with WouldBlock.
            self.signalled = (&self.writer).write(&[1]).is_ok();
        }
    }

    fn unsignal(&mut self) {
        if self.signalled {
            let mut byte = [0u8; 1];
            self.signalled = (&self.reader).read(&mut byte).is_err();
        }
    }
}

/// Events of the core session, waiting for the C poller.
#[derive(Debug)]
pub struct EventQueue {
    state: Mutex<State>,
    changed: Condvar,
    space: Arc<Semaphore>,
    bytes: Arc<Semaphore>,
    budget: u32,
}

impl EventQueue {
    /// A queue holding at most `capacity` events weighing at most `bytes` together (an event
    /// heavier than the whole budget gets in alone); the producer waits for room.
    pub fn new(capacity: usize, bytes: usize) -> Self {
        // The semaphore takes permits in u32 steps; budgets stay far below.
        let budget = bytes.clamp(1, u32::MAX as usize / 2) as u32;
        Self {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            space: Arc::new(Semaphore::new(capacity)),
            bytes: Arc::new(Semaphore::new(budget as usize)),
            budget,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every critical section below is panic-free bookkeeping.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends an event weighing `weight` bytes, once there is room (count and bytes): the
    /// producer's backpressure. `false` when the queue ended (the event is dropped).
    pub async fn push(&self, event: impl Into<QueuedEvent>, weight: usize) -> bool {
        self.append(event.into(), weight, false).await
    }

    /// Appends the last event and ends the queue in the same step, so a poller that takes it
    /// finds the end right behind it.
    pub async fn push_last(&self, event: QueuedEvent) -> bool {
        self.append(event, 0, true).await
    }

    async fn append(&self, event: QueuedEvent, weight: usize, last: bool) -> bool {
        let weight = weight.min(self.budget as usize) as u32;
        // Both semaphores are closed by `end`: a producer waiting for room is let go.
        let Ok(space) = self.space.acquire().await else {
            return false;
        };
        let Ok(bytes) = self.bytes.acquire_many(weight).await else {
            return false;
        };
        let mut state = self.lock();
        if state.ended {
            return false;
        }
        // Given back by `pop` when the event is taken.
        space.forget();
        bytes.forget();
        state.events.push_back((event, weight));
        state.ended = last;
        state.signal();
        self.changed.notify_all();
        true
    }

    /// Marks the end: after the queued events, pops return [`Wait::Closed`].
    pub fn end(&self) {
        let mut state = self.lock();
        state.ended = true;
        self.space.close();
        self.bytes.close();
        state.signal();
        self.changed.notify_all();
    }

    /// True once the queue ended (its last event may still be pending).
    pub fn is_ended(&self) -> bool {
        self.lock().ended
    }

    /// The next event, waiting at most `timeout` (zero never blocks).
    pub fn pop(&self, timeout: Duration) -> Result<QueuedEvent, Wait> {
        let deadline = Instant::now().checked_add(timeout);
        let mut state = self.lock();
        loop {
            if let Some((event, weight)) = state.events.pop_front() {
                self.space.add_permits(1);
                self.bytes.add_permits(weight as usize);
                if state.events.is_empty() && !state.ended {
                    state.unsignal();
                }
                return Ok(event);
            }
            if state.ended {
                return Err(Wait::Closed);
            }
            let now = Instant::now();
            let remaining = match deadline {
                Some(deadline) if deadline <= now => return Err(Wait::Timeout),
                Some(deadline) => deadline - now,
                // A timeout too large to add to `now` waits in day-long steps.
                None => Duration::from_secs(86_400),
            };
            state = self
                .changed
                .wait_timeout(state, remaining)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// The descriptor that is readable while an event or the end is pending, made on first
    /// call (readable at once if something is already pending).
    pub fn fd(&self) -> Result<RawFd, Error> {
        let mut state = self.lock();
        let pending = state.pending();
        let wake = match &mut state.wake {
            Some(wake) => wake,
            slot @ None => {
                let mut wake = WakeSocket::new()?;
                if pending {
                    wake.signal();
                }
                slot.insert(wake)
            }
        };
        Ok(wake.reader.as_raw_fd())
    }
}

fn io_error(error: std::io::Error) -> Error {
    Error::new(
        das_result::Io,
        format!("cannot create the event wake-up socket: {error}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use das_core::session::Event;
    use serde_json::json;

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    /// Whether the wake socket holds its byte (the C tests check the descriptor with poll).
    fn readable(queue: &EventQueue) -> bool {
        queue
            .lock()
            .wake
            .as_ref()
            .is_some_and(|wake| wake.signalled)
    }

    #[test]
    fn events_come_out_in_order_and_the_fd_tracks_pending_ones() {
        let queue = EventQueue::new(4, 1 << 20);
        assert_eq!(queue.pop(Duration::ZERO), Err(Wait::Timeout));
        let fd = queue.fd().unwrap();
        assert_eq!(queue.fd().unwrap(), fd, "one descriptor per queue");
        assert!(!readable(&queue));
        block_on(queue.push(Event::from_wire("a", json!(1)), 1));
        block_on(queue.push(Event::from_wire("b", json!(2)), 1));
        assert!(readable(&queue));
        assert_eq!(queue.pop(Duration::ZERO).unwrap().name(), "a");
        assert!(readable(&queue));
        assert_eq!(queue.pop(Duration::ZERO).unwrap().name(), "b");
        assert!(!readable(&queue));
        block_on(queue.push(Event::from_wire("c", json!(3)), 1));
        queue.end();
        assert_eq!(queue.pop(Duration::ZERO).unwrap().name(), "c");
        assert!(readable(&queue), "the end stays readable");
        assert_eq!(queue.pop(Duration::from_secs(5)), Err(Wait::Closed));
    }

    #[test]
    fn the_last_event_comes_with_the_end() {
        let queue = EventQueue::new(4, 1 << 20);
        block_on(queue.push_last(Event::from_wire("z", json!(1)).into()));
        assert_eq!(queue.pop(Duration::ZERO).unwrap().name(), "z");
        assert_eq!(queue.pop(Duration::ZERO), Err(Wait::Closed));
        assert!(!block_on(queue.push(Event::from_wire("late", json!(2)), 1)));
        assert_eq!(
            queue.pop(Duration::ZERO),
            Err(Wait::Closed),
            "nothing after the end"
        );
    }

    #[test]
    fn the_descriptor_is_made_on_demand_and_reflects_what_is_pending() {
        let queue = EventQueue::new(4, 1 << 20);
        block_on(queue.push(Event::from_wire("a", json!(1)), 1));
        assert!(queue.lock().wake.is_none(), "no descriptor until asked for");
        queue.fd().unwrap();
        assert!(readable(&queue), "an event was already pending");
        assert_eq!(queue.pop(Duration::ZERO).unwrap().name(), "a");
        assert!(!readable(&queue));
    }

    #[test]
    fn end_wakes_a_blocked_pop() {
        let queue = Arc::new(EventQueue::new(1, 1 << 20));
        let waiter = {
            let queue = queue.clone();
            std::thread::spawn(move || queue.pop(Duration::from_secs(600)))
        };
        queue.end();
        assert_eq!(waiter.join().unwrap(), Err(Wait::Closed));
        assert_eq!(queue.pop(Duration::MAX), Err(Wait::Closed));
    }

    #[test]
    fn the_byte_budget_holds_the_producer_until_the_poller_takes_events() {
        let queue = Arc::new(EventQueue::new(16, 1000));
        let big = || Event::from_wire("big", json!("x".repeat(600)));
        block_on(queue.push(big(), 600));
        let producer = {
            let queue = queue.clone();
            std::thread::spawn(move || block_on(queue.push(big(), 600)))
        };
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(
            queue.lock().events.len(),
            1,
            "the second event waits for room"
        );
        assert_eq!(queue.pop(Duration::ZERO).unwrap().name(), "big");
        assert!(producer.join().unwrap());
        assert_eq!(queue.pop(Duration::ZERO).unwrap().name(), "big");
        // Heavier than the whole budget: let in alone.
        block_on(queue.push(Event::from_wire("huge", json!("x".repeat(5000))), 5000));
        assert_eq!(queue.pop(Duration::ZERO).unwrap().name(), "huge");
    }

    #[test]
    fn end_lets_a_producer_waiting_for_room_go() {
        // The producer is the session's signalling task: a close must not leave it stuck.
        let queue = Arc::new(EventQueue::new(1, 1 << 20));
        assert!(block_on(queue.push(Event::from_wire("a", json!(1)), 1)));
        let producer = {
            let queue = queue.clone();
            std::thread::spawn(move || block_on(queue.push(Event::from_wire("b", json!(2)), 1)))
        };
        std::thread::sleep(Duration::from_millis(100));
        assert!(!producer.is_finished(), "no room: the producer waits");
        queue.end();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !producer.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(producer.is_finished(), "the end lets the producer go");
        assert!(!producer.join().unwrap(), "dropped after the end");
        assert_eq!(queue.pop(Duration::ZERO).unwrap().name(), "a");
        assert_eq!(queue.pop(Duration::ZERO), Err(Wait::Closed));
    }
}
