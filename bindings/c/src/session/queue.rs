//! The C side of a session's event queue: bounded, ordered, with a blocking pop that a close
//! interrupts and a socket that is readable exactly while an event (or the end) is pending.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use das_core::session::Event;
use tokio::sync::Semaphore;

use crate::error::Error;
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
    events: VecDeque<Event>,
    ended: bool,
    /// Whether the wake socket holds its one byte.
    signalled: bool,
}

/// Events moved out of the core session, waiting for the C poller.
#[derive(Debug)]
pub struct EventQueue {
    state: Mutex<State>,
    changed: Condvar,
    wake_reader: UnixStream,
    wake_writer: UnixStream,
    space: Arc<Semaphore>,
}

impl EventQueue {
    /// A queue holding at most `capacity` events; the producer waits for space.
    pub fn new(capacity: usize) -> Result<Self, Error> {
        let (wake_reader, wake_writer) = UnixStream::pair().map_err(io_error)?;
        wake_reader.set_nonblocking(true).map_err(io_error)?;
        wake_writer.set_nonblocking(true).map_err(io_error)?;
        Ok(Self {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            wake_reader,
            wake_writer,
            space: Arc::new(Semaphore::new(capacity)),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every critical section below is panic-free bookkeeping.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until the queue has room for one more event (the producer's backpressure).
    pub async fn reserve(&self) {
        if let Ok(permit) = self.space.acquire().await {
            // Given back by `pop` when the event is taken.
            permit.forget();
        }
    }

    /// Appends an event (after [`reserve`](Self::reserve)).
    pub fn push(&self, event: Event) {
        let mut state = self.lock();
        if state.ended {
            return;
        }
        state.events.push_back(event);
        self.signal(&mut state);
        self.changed.notify_all();
    }

    /// Marks the end: after the queued events, pops return [`Wait::Closed`].
    pub fn end(&self) {
        let mut state = self.lock();
        state.ended = true;
        self.signal(&mut state);
        self.changed.notify_all();
    }

    /// The next event, waiting at most `timeout` (zero never blocks).
    pub fn pop(&self, timeout: Duration) -> Result<Event, Wait> {
        let deadline = Instant::now().checked_add(timeout);
        let mut state = self.lock();
        loop {
            if let Some(event) = state.events.pop_front() {
                self.space.add_permits(1);
                if state.events.is_empty() && !state.ended {
                    self.unsignal(&mut state);
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

    /// The descriptor that is readable while an event or the end is pending.
    pub fn fd(&self) -> RawFd {
        self.wake_reader.as_raw_fd()
    }

    fn signal(&self, state: &mut State) {
        if !state.signalled {
            // One byte in an empty socket buffer cannot fail with WouldBlock.
            state.signalled = (&self.wake_writer).write(&[1]).is_ok();
        }
    }

    fn unsignal(&self, state: &mut State) {
        if state.signalled {
            let mut byte = [0u8; 1];
            state.signalled = (&self.wake_reader).read(&mut byte).is_err();
        }
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
    use serde_json::json;

    /// Whether the wake socket holds its byte (the C tests check the descriptor with poll).
    fn readable(queue: &EventQueue) -> bool {
        queue.lock().signalled
    }

    #[test]
    fn events_come_out_in_order_and_the_fd_tracks_pending_ones() {
        let queue = EventQueue::new(4).unwrap();
        assert_eq!(queue.pop(Duration::ZERO), Err(Wait::Timeout));
        assert!(!readable(&queue));
        queue.push(Event::from_wire("a", json!(1)));
        queue.push(Event::from_wire("b", json!(2)));
        assert!(readable(&queue));
        assert_eq!(queue.pop(Duration::ZERO).unwrap().name(), "a");
        assert!(readable(&queue));
        assert_eq!(queue.pop(Duration::ZERO).unwrap().name(), "b");
        assert!(!readable(&queue));
        queue.push(Event::from_wire("c", json!(3)));
        queue.end();
        assert_eq!(queue.pop(Duration::ZERO).unwrap().name(), "c");
        assert!(readable(&queue), "the end stays readable");
        assert_eq!(queue.pop(Duration::from_secs(5)), Err(Wait::Closed));
    }

    #[test]
    fn end_wakes_a_blocked_pop() {
        let queue = Arc::new(EventQueue::new(1).unwrap());
        let waiter = {
            let queue = queue.clone();
            std::thread::spawn(move || queue.pop(Duration::from_secs(600)))
        };
        queue.end();
        assert_eq!(waiter.join().unwrap(), Err(Wait::Closed));
        assert_eq!(queue.pop(Duration::MAX), Err(Wait::Closed));
    }
}
