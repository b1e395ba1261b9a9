//! Core `tracing` events go to the Python logger `das`. Runtime threads never take the GIL
//! (a worker holding a lock while waiting for the GIL would deadlock against a Python thread
//! waiting for that lock): they queue formatted records, and a Python thread of the package
//! (`das/_log.py`) takes them with [`next_log_records`] and hands them to `logging`.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use das::log_line::log_line;
use pyo3::prelude::*;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

use crate::blocked::Blocked;

/// Records waiting for Python; beyond this, new ones are dropped (and counted).
const QUEUE_BOUND: usize = 4096;
/// Longest single wait of [`next_log_records`], so the exit path never waits long for it.
const LONGEST_WAIT: Duration = Duration::from_millis(500);

static FORWARDING: AtomicBool = AtomicBool::new(true);
/// Records below this level are not formatted: the `das` logger's effective level as last
/// reported by Python, but never above INFO, so that a level lowered to INFO takes effect at
/// once (DEBUG and TRACE, which can be chatty, follow within one poll).
static MIN_LEVEL: AtomicU8 = AtomicU8::new(INFO);
const INFO: u8 = 20;
static QUEUE: Mutex<Records> = Mutex::new(Records {
    items: VecDeque::new(),
    dropped: 0,
});
static READY: Condvar = Condvar::new();

struct Records {
    items: VecDeque<(u8, String)>,
    dropped: u64,
}

fn lock() -> MutexGuard<'static, Records> {
    QUEUE.lock().unwrap_or_else(|p| p.into_inner())
}

/// Installs the forwarding subscriber once per process (a second call changes nothing). Not
/// `try_init`: that would also route the `log` crate's records (tungstenite logs every frame
/// at trace level) through this filter only to drop them, a tenth of a session's CPU.
pub fn install() {
    let only_das = Targets::new().with_target("das", Level::TRACE);
    let _ = tracing::subscriber::set_global_default(
        tracing_subscriber::registry().with(ForwardToLogging.with_filter(only_das)),
    );
}

thread_local! {
    /// The queue's lock, held by the forking thread across `fork()`: a runtime thread holding
    /// it at the fork would leave it locked for good in the child, whose first record would
    /// then wait forever. Thread-local: the hooks before and after run on the forking thread.
    static HELD_ACROSS_FORK: RefCell<Option<MutexGuard<'static, Records>>> = const { RefCell::new(None) };
}

/// Before `fork()`: takes the queue's lock (its holders never wait for the GIL, which the
/// forking thread holds).
pub fn hold_across_fork() {
    HELD_ACROSS_FORK.with(|held| *held.borrow_mut() = Some(lock()));
}

/// After `fork()`: lets the queue go; in the child, first forgets the records queued before the
/// fork, which are the parent's to forward.
pub fn release_after_fork(in_child: bool) {
    if let Some(mut records) = HELD_ACROSS_FORK.with(|held| held.borrow_mut().take()) {
        if in_child {
            records.items.clear();
            records.dropped = 0;
        }
    }
}

/// At interpreter exit: no more records, and a waiting reader returns at once.
pub fn stop_forwarding() {
    FORWARDING.store(false, Ordering::SeqCst);
    READY.notify_all();
}

/// Waits at most `timeout` seconds for log records and returns them as `(level, message)`;
/// `min_level` is the `das` logger's effective level (records below it are not even
/// formatted). Returns `None` once the interpreter is exiting.
#[pyfunction]
pub fn next_log_records(py: Python<'_>, timeout: f64, min_level: u8) -> Option<Vec<(u8, String)>> {
    MIN_LEVEL.store(min_level.min(INFO), Ordering::SeqCst);
    let wait = crate::convert::wait_seconds(timeout).min(LONGEST_WAIT);
    // Once exit began this thread keeps the GIL: it returns `None` and its loop ends.
    let Ok(_blocked) = Blocked::enter() else {
        return None;
    };
    py.detach(|| {
        let mut records = lock();
        if records.items.is_empty() && FORWARDING.load(Ordering::SeqCst) {
            records = READY
                .wait_timeout(records, wait)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        if !FORWARDING.load(Ordering::SeqCst) {
            return None;
        }
        let mut out: Vec<(u8, String)> = records.items.drain(..).collect();
        if records.dropped > 0 {
            out.push((
                30,
                format!("{} log records dropped (queue full)", records.dropped),
            ));
            records.dropped = 0;
        }
        Some(out)
    })
}

struct ForwardToLogging;

impl<S: Subscriber> Layer<S> for ForwardToLogging {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let level = match *event.metadata().level() {
            Level::ERROR => 40,
            Level::WARN => 30,
            Level::INFO => 20,
            Level::DEBUG => 10,
            Level::TRACE => 5,
        };
        if !FORWARDING.load(Ordering::Relaxed) || level < MIN_LEVEL.load(Ordering::Relaxed) {
            return;
        }
        let text = log_line(event);
        let mut records = lock();
        if records.items.len() < QUEUE_BOUND {
            records.items.push_back((level, text));
        } else {
            records.dropped += 1;
        }
        drop(records);
        READY.notify_one();
    }
}
