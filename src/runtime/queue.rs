//! [`EventQueue`]: where a binding's session delivers its events for the program to take,
//! shared by the C ABI and the Python module. Bounded by count and by bytes (a slow reader
//! holds at most the budget, the producer waits for room), ordered, with a blocking pop that
//! the end interrupts, an async wait for the same, and, once asked for, a socket that is
//! readable exactly while an event (or the end) is pending, for the program's own event loop.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use tokio::sync::{Notify, Semaphore};

/// Why a pop returned no event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Nothing arrived in time.
    Timeout,
    /// The queue ended and every event was taken.
    Closed,
}

#[derive(Debug)]
struct State<T> {
    /// Each event with the bytes of the budget it holds.
    events: VecDeque<(T, u32)>,
    ended: bool,
    /// Made by the first `fd()`: a program polling with timeouts never pays its two
    /// descriptors and its two syscalls per event.
    wake: Option<WakeSocket>,
}

impl<T> State<T> {
    fn pending(&self) -> bool {
        !self.events.is_empty() || self.ended
    }

    fn signal(&mut self) {
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
    fn new() -> io::Result<Self> {
        let (reader, writer) = UnixStream::pair()?;
        reader.set_nonblocking(true)?;
        writer.set_nonblocking(true)?;
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

/// Events of one session, waiting for the program to take them.
#[derive(Debug)]
pub struct EventQueue<T> {
    state: Mutex<State<T>>,
    /// Wakes blocked pops.
    changed: Condvar,
    /// Wakes async waits ([`wait_pending`](Self::wait_pending)).
    arrived: Notify,
    space: Arc<Semaphore>,
    bytes: Arc<Semaphore>,
    budget: u32,
    /// Called whenever an event or the end is queued.
    on_change: Option<fn()>,
}

impl<T> EventQueue<T> {
    /// A queue holding at most `capacity` events weighing at most `bytes` together (an event
    /// heavier than the whole budget gets in alone); the producer waits for room.
    pub fn new(capacity: usize, bytes: usize) -> Self {
        // The semaphore takes permits in u32 steps; budgets stay far below.
        let budget = bytes.clamp(1, u32::MAX as usize / 2) as u32;
        Self {
            state: Mutex::new(State {
                events: VecDeque::new(),
                ended: false,
                wake: None,
            }),
            changed: Condvar::new(),
            arrived: Notify::new(),
            space: Arc::new(Semaphore::new(capacity.max(1))),
            bytes: Arc::new(Semaphore::new(budget as usize)),
            budget,
            on_change: None,
        }
    }

    /// Calls `hook` (under the queue's lock: it must not touch the queue) each time an event
    /// or the end is queued, for a loop that waits on many queues at once.
    pub fn notifying(mut self, hook: fn()) -> Self {
        self.on_change = Some(hook);
        self
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // Every critical section below is panic-free bookkeeping.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends an event weighing `weight` bytes, once there is room (count and bytes): the
    /// producer's backpressure. `false` when the queue ended (the event is dropped).
    pub async fn push(&self, event: T, weight: usize) -> bool {
        self.append(event, weight, false).await
    }

    /// Appends the last event and ends the queue in the same step, so a reader that takes it
    /// finds the end right behind it.
    pub async fn push_last(&self, event: T) -> bool {
        self.append(event, 0, true).await
    }

    async fn append(&self, event: T, weight: usize, last: bool) -> bool {
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
        self.announce(&mut state);
        true
    }

    /// Marks the end: after the queued events, pops return [`Wait::Closed`].
    pub fn end(&self) {
        let mut state = self.lock();
        state.ended = true;
        self.space.close();
        self.bytes.close();
        self.announce(&mut state);
    }

    /// Tells every kind of waiter that something is pending.
    fn announce(&self, state: &mut State<T>) {
        if let Some(hook) = self.on_change {
            hook();
        }
        state.signal();
        self.changed.notify_all();
        self.arrived.notify_waiters();
    }

    /// True once the queue ended (its last event may still be pending).
    pub fn is_ended(&self) -> bool {
        self.lock().ended
    }

    /// The next event, waiting at most `timeout` (zero never blocks).
    pub fn pop(&self, timeout: Duration) -> Result<T, Wait> {
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

    /// The next event, waiting at most `timeout` on the binding's runtime rather than on a
    /// thread: `block_on` runs the wait to its end (in caller-driven mode that runs every
    /// session meanwhile) and its own failure comes back as `Err`.
    pub fn pop_on<E>(
        &self,
        timeout: Duration,
        mut block_on: impl FnMut(BoxFuture<'_, ()>) -> Result<(), E>,
    ) -> Result<Result<T, Wait>, E>
    where
        T: Send,
    {
        let deadline = Instant::now().checked_add(timeout);
        loop {
            match self.pop(Duration::ZERO) {
                Err(Wait::Timeout) => {}
                taken => return Ok(taken),
            }
            // A timeout too large to add to `now` waits in day-long steps.
            let remaining = deadline.map_or(Duration::from_secs(86_400), |deadline| {
                deadline.saturating_duration_since(Instant::now())
            });
            if remaining.is_zero() {
                return Ok(Err(Wait::Timeout));
            }
            // Another reader may take what woke this one: then this one waits again.
            block_on(Box::pin(async move {
                let _ = tokio::time::timeout(remaining, self.wait_pending()).await;
            }))?;
        }
    }

    /// Resolves once an event or the end is pending (at once if one already is), for a
    /// reader that waits on the runtime and then pops with a zero timeout.
    pub async fn wait_pending(&self) {
        loop {
            let arrived = self.arrived.notified();
            tokio::pin!(arrived);
            // Registered before the look, so an event queued in between still wakes it.
            arrived.as_mut().enable();
            if self.lock().pending() {
                return;
            }
            arrived.await;
        }
    }

    /// The descriptor that is readable while an event or the end is pending, made on first
    /// call (readable at once if something is already pending). It stays owned by the queue.
    pub fn fd(&self) -> io::Result<RawFd> {
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(future)
    }

    /// Whether the wake socket holds its byte (the C and Python tests poll the descriptor).
    fn readable<T>(queue: &EventQueue<T>) -> bool {
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
        block_on(queue.push("a", 1));
        block_on(queue.push("b", 1));
        assert!(readable(&queue));
        assert_eq!(queue.pop(Duration::ZERO), Ok("a"));
        assert!(readable(&queue));
        assert_eq!(queue.pop(Duration::ZERO), Ok("b"));
        assert!(!readable(&queue));
        block_on(queue.push("c", 1));
        queue.end();
        assert_eq!(queue.pop(Duration::ZERO), Ok("c"));
        assert!(readable(&queue), "the end stays readable");
        assert_eq!(queue.pop(Duration::from_secs(5)), Err(Wait::Closed));
    }

    #[test]
    fn the_last_event_comes_with_the_end() {
        let queue = EventQueue::new(4, 1 << 20);
        block_on(queue.push_last("z"));
        assert_eq!(queue.pop(Duration::ZERO), Ok("z"));
        assert_eq!(queue.pop(Duration::ZERO), Err(Wait::Closed));
        assert!(!block_on(queue.push("late", 1)));
        assert_eq!(
            queue.pop(Duration::ZERO),
            Err(Wait::Closed),
            "nothing after the end"
        );
    }

    #[test]
    fn the_descriptor_is_made_on_demand_and_reflects_what_is_pending() {
        let queue = EventQueue::new(4, 1 << 20);
        block_on(queue.push("a", 1));
        assert!(queue.lock().wake.is_none(), "no descriptor until asked for");
        queue.fd().unwrap();
        assert!(readable(&queue), "an event was already pending");
        assert_eq!(queue.pop(Duration::ZERO), Ok("a"));
        assert!(!readable(&queue));
    }

    #[test]
    fn end_wakes_a_blocked_pop() {
        let queue = Arc::new(EventQueue::<()>::new(1, 1 << 20));
        let waiter = {
            let queue = queue.clone();
            std::thread::spawn(move || queue.pop(Duration::from_secs(600)))
        };
        queue.end();
        assert_eq!(waiter.join().unwrap(), Err(Wait::Closed));
        assert_eq!(queue.pop(Duration::MAX), Err(Wait::Closed));
    }

    /// `future`'s output, unless it takes more than ten seconds.
    fn within<F: std::future::Future>(
        runtime: &tokio::runtime::Runtime,
        future: F,
    ) -> Result<F::Output, tokio::time::error::Elapsed> {
        runtime.block_on(async { tokio::time::timeout(Duration::from_secs(10), future).await })
    }

    #[test]
    fn wait_pending_resolves_for_an_event_and_for_the_end() {
        let queue = Arc::new(EventQueue::new(4, 1 << 20));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let waiter = runtime.spawn({
            let queue = queue.clone();
            async move { queue.wait_pending().await }
        });
        std::thread::sleep(Duration::from_millis(50));
        assert!(!waiter.is_finished(), "nothing pending: it waits");
        runtime.block_on(queue.push("a", 1));
        within(&runtime, waiter)
            .expect("an event wakes the wait")
            .unwrap();
        assert_eq!(queue.pop(Duration::ZERO), Ok("a"));
        let waiter = runtime.spawn({
            let queue = queue.clone();
            async move { queue.wait_pending().await }
        });
        queue.end();
        within(&runtime, waiter)
            .expect("the end wakes the wait")
            .unwrap();
        within(&runtime, queue.wait_pending()).expect("the end stays pending");
        runtime.shutdown_timeout(Duration::from_millis(100));
    }

    #[test]
    fn pop_on_waits_on_the_runtime_it_is_given() {
        // A current-thread runtime runs only inside `block_on`: the producer below gets to
        // run only because `pop_on` waits through it, as in caller-driven mode.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let queue = Arc::new(EventQueue::new(4, 1 << 20));
        runtime.spawn({
            let queue = queue.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                queue.push("a", 1).await;
                queue.end();
            }
        });
        let waits = std::cell::Cell::new(0);
        let mut drive = |waiting: BoxFuture<'_, ()>| -> Result<(), ()> {
            waits.set(waits.get() + 1);
            runtime.block_on(waiting);
            Ok(())
        };
        assert_eq!(
            queue.pop_on(Duration::from_secs(10), &mut drive),
            Ok(Ok("a"))
        );
        assert!(waits.get() >= 1, "the event came through the runtime");
        assert_eq!(
            queue.pop_on(Duration::from_secs(10), &mut drive),
            Ok(Err(Wait::Closed))
        );
        let idle = EventQueue::<()>::new(4, 1 << 20);
        assert_eq!(
            idle.pop_on(Duration::from_millis(30), &mut drive),
            Ok(Err(Wait::Timeout))
        );
        assert_eq!(
            idle.pop_on(Duration::from_secs(10), |_| Err("no runtime")),
            Err("no runtime"),
            "the runtime's own failure comes back"
        );
    }

    static CHANGES: AtomicUsize = AtomicUsize::new(0);

    #[test]
    fn the_hook_hears_every_event_and_the_end() {
        let queue = EventQueue::new(4, 1 << 20).notifying(|| {
            CHANGES.fetch_add(1, Ordering::SeqCst);
        });
        block_on(queue.push("a", 1));
        block_on(queue.push("b", 1));
        queue.end();
        assert_eq!(CHANGES.load(Ordering::SeqCst), 3);
        assert_eq!(queue.pop(Duration::ZERO), Ok("a"));
        assert_eq!(CHANGES.load(Ordering::SeqCst), 3, "taking is no change");
    }

    #[test]
    fn the_byte_budget_holds_the_producer_until_the_reader_takes_events() {
        let queue = Arc::new(EventQueue::new(16, 1000));
        block_on(queue.push("big", 600));
        let producer = {
            let queue = queue.clone();
            std::thread::spawn(move || block_on(queue.push("big", 600)))
        };
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(
            queue.lock().events.len(),
            1,
            "the second event waits for room"
        );
        assert_eq!(queue.pop(Duration::ZERO), Ok("big"));
        assert!(producer.join().unwrap());
        assert_eq!(queue.pop(Duration::ZERO), Ok("big"));
        // Heavier than the whole budget: let in alone.
        block_on(queue.push("huge", 5000));
        assert_eq!(queue.pop(Duration::ZERO), Ok("huge"));
    }

    #[test]
    fn end_lets_a_producer_waiting_for_room_go() {
        // The producer is the session's signalling task: a close must not leave it stuck.
        let queue = Arc::new(EventQueue::new(1, 1 << 20));
        assert!(block_on(queue.push("a", 1)));
        let producer = {
            let queue = queue.clone();
            std::thread::spawn(move || block_on(queue.push("b", 1)))
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
        assert_eq!(queue.pop(Duration::ZERO), Ok("a"));
        assert_eq!(queue.pop(Duration::ZERO), Err(Wait::Closed));
    }
}
