//! Caller-driven mode, shared by the bindings: the program asks for it before the process's
//! binding runtime starts ([`request`]), the runtime is then [`BindingRuntime::caller_driven`]
//! (no libdas thread), and the program's own event loop waits in [`run`], which runs every
//! session on the loop's thread until an event is queued, the loop's own descriptor is
//! readable, or the timeout. Event queues made with [`EventQueue::notifying`]`(`[`note_queue_change`]`)`
//! wake that wait.
//!
//! [`EventQueue::notifying`]: super::queue::EventQueue::notifying

use std::io;
use std::os::fd::BorrowedFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::unix::AsyncFd;
use tokio::io::Interest;
use tokio::sync::Notify;

use super::BindingRuntime;

/// Asked for by the program before the runtime started (process-wide, like the runtime).
static REQUESTED: AtomicBool = AtomicBool::new(false);
/// Counts the changes to any session's event queue (an event or the end queued), so that a
/// wait returns for a change made while no one was waiting.
static QUEUE_CHANGES: AtomicU64 = AtomicU64::new(0);
static QUEUE_CHANGED: Notify = Notify::const_new();
/// `QUEUE_CHANGES` when [`run`] last returned: what the program has been told to look at.
static RUN_SEEN: AtomicU64 = AtomicU64::new(0);

/// Why [`run`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Woke {
    /// An event (or a session's end) was queued since the previous `run` returned.
    Event,
    /// The descriptor given to `run` is readable.
    Descriptor,
    /// The time ran out first.
    Timeout,
}

/// Caller-driven mode was asked for too late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "libdas's runtime already runs on its own thread: ask for caller-driven mode before the \
     first session, client or receiver"
)]
pub struct AlreadyRunning;

/// Asks for caller-driven mode, given the binding's runtime if it started already (the binding
/// holds its lock across this call and the runtime's start, and starts it with
/// [`BindingRuntime::caller_driven`] from then on). Refused when that runtime runs on a thread
/// of its own; asking again in caller-driven mode changes nothing.
pub fn request(started: Option<&BindingRuntime>) -> Result<(), AlreadyRunning> {
    if started.is_some_and(|runtime| !runtime.is_caller_driven()) {
        return Err(AlreadyRunning);
    }
    REQUESTED.store(true, Ordering::Release);
    Ok(())
}

/// True once caller-driven mode was asked for.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::Acquire)
}

/// Called when an event (or the end) is queued for any session: wakes a [`run`].
pub fn note_queue_change() {
    // Only a caller-driven wait listens: the default mode pays one load.
    if !requested() {
        return;
    }
    QUEUE_CHANGES.fetch_add(1, Ordering::AcqRel);
    QUEUE_CHANGED.notify_waiters();
}

/// Resolves once `QUEUE_CHANGES` differs from `seen` (at once if it already does).
async fn queue_changed_since(seen: u64) {
    let changed = QUEUE_CHANGED.notified();
    tokio::pin!(changed);
    // Registered before the count is read: a change in between still wakes this wait.
    changed.as_mut().enable();
    if QUEUE_CHANGES.load(Ordering::Acquire) != seen {
        return;
    }
    changed.await;
}

/// Resolves once `fd` is readable (never without one). An epoll or kqueue descriptor (a
/// selector's) may be watched too: that is how one event loop waits inside another.
async fn readable(fd: Option<BorrowedFd<'_>>) -> io::Result<()> {
    let Some(fd) = fd else {
        return std::future::pending().await;
    };
    // Registered for the time of this wait only; the descriptor stays the caller's. Tokio
    // deprecates this constructor for descriptors that could close while registered (its
    // replacement is `unsafe`, which this crate forbids); a `BorrowedFd` cannot: it outlives
    // the registration by construction.
    #[allow(deprecated)]
    let watched = AsyncFd::with_interest(fd, Interest::READABLE)?;
    let _ready = watched.readable().await?;
    Ok(())
}

/// The wait of a caller-driven event loop, to be run on the caller-driven runtime (through
/// its `block_on`): one turn of every ready task, I/O and timer first (so a zero timeout still
/// makes progress), then until an event was queued since the previous `run` returned, `fd` is
/// readable, or `timeout` (`None`: no limit). A zero timeout returns after that turn, without
/// looking at `fd` (the caller polls its own descriptors next). An error is the descriptor's
/// (not pollable).
pub async fn run(timeout: Option<Duration>, fd: Option<BorrowedFd<'_>>) -> io::Result<Woke> {
    let seen = RUN_SEEN.load(Ordering::Acquire);
    tokio::task::yield_now().await;
    let woke = match timeout {
        // Not a zero sleep: the timer would hold it until its next millisecond tick (1.1 ms
        // a call measured), and an event loop with callbacks ready asks for this every turn.
        Some(timeout) if timeout.is_zero() => match QUEUE_CHANGES.load(Ordering::Acquire) {
            changes if changes != seen => Woke::Event,
            _ => Woke::Timeout,
        },
        _ => {
            let limit = async {
                match timeout {
                    Some(timeout) => tokio::time::sleep(timeout).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                () = queue_changed_since(seen) => Woke::Event,
                readable = readable(fd) => readable.map(|()| Woke::Descriptor)?,
                () = limit => Woke::Timeout,
            }
        }
    };
    RUN_SEEN.store(QUEUE_CHANGES.load(Ordering::Acquire), Ordering::Release);
    Ok(woke)
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::os::fd::AsFd;
    use std::os::unix::net::UnixStream;

    use super::*;

    /// The queue-change count is process-wide: one test at a time looks at it.
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

    #[test]
    fn run_returns_for_a_readable_descriptor_a_queued_event_or_the_timeout() {
        let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
        let runtime = BindingRuntime::caller_driven().unwrap();
        let (reader, mut writer) = UnixStream::pair().unwrap();
        let short = Some(Duration::from_millis(20));
        let woke = runtime.block_on(run(short, Some(reader.as_fd()))).unwrap();
        assert_eq!(woke, Woke::Timeout);
        writer.write_all(&[1]).unwrap();
        let woke = runtime.block_on(run(None, Some(reader.as_fd()))).unwrap();
        assert_eq!(woke, Woke::Descriptor);
        // A change noted while no one waited wakes the next run, once.
        request(Some(&runtime)).unwrap();
        note_queue_change();
        assert_eq!(runtime.block_on(run(None, None)).unwrap(), Woke::Event);
        assert_eq!(runtime.block_on(run(short, None)).unwrap(), Woke::Timeout);
        // A change made by a task while the loop waits.
        runtime.handle().spawn(async {
            tokio::time::sleep(Duration::from_millis(5)).await;
            note_queue_change();
        });
        assert_eq!(runtime.block_on(run(None, None)).unwrap(), Woke::Event);
        runtime.shutdown(Duration::from_millis(100));
    }

    #[test]
    fn asking_is_refused_once_a_runtime_runs_on_its_own_thread() {
        let threaded = BindingRuntime::with_threads("das-test", 1).unwrap();
        assert_eq!(request(Some(&threaded)), Err(AlreadyRunning));
        threaded.shutdown(Duration::from_millis(100));
    }

    #[test]
    fn a_zero_timeout_runs_what_is_ready_and_reports_changes() {
        let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
        let runtime = BindingRuntime::caller_driven().unwrap();
        request(None).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        runtime.handle().spawn(async move { tx.send(()).unwrap() });
        let zero = Some(Duration::ZERO);
        assert_eq!(runtime.block_on(run(zero, None)).unwrap(), Woke::Timeout);
        assert_eq!(
            rx.try_recv(),
            Ok(()),
            "the ready task ran inside the zero wait"
        );
        runtime.handle().spawn(async { note_queue_change() });
        assert_eq!(runtime.block_on(run(zero, None)).unwrap(), Woke::Event);
        runtime.shutdown(Duration::from_millis(100));
    }
}
