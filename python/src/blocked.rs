//! Threads inside a GIL-free wait of the native module, counted so that interpreter exit can
//! let them return first: a daemon thread still without the GIL when the interpreter finalizes
//! would be torn down inside Rust frames, which aborts the process. Once exit began, no thread
//! may start such a wait: it would let go of the GIL after exit stopped waiting for it.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use pyo3::PyErr;

use crate::errors::{das_error, Kind};

/// Threads currently inside a [`Blocked`] wait.
static BLOCKED: AtomicUsize = AtomicUsize::new(0);
/// Set when interpreter exit began: [`Blocked::enter`] refuses from then on.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// Counts the calling thread as inside a GIL-free wait until dropped.
pub struct Blocked;

impl Blocked {
    /// Counts the calling thread (which holds the GIL) in, or [`exiting`] once exit began: the
    /// caller must then return without releasing the GIL.
    pub fn enter() -> Result<Self, PyErr> {
        BLOCKED.fetch_add(1, Ordering::SeqCst);
        // Counted before the flag is read: either exit sees this thread or it sees the flag.
        if CLOSED.load(Ordering::SeqCst) {
            BLOCKED.fetch_sub(1, Ordering::SeqCst);
            return Err(exiting());
        }
        Ok(Blocked)
    }
}

/// What a call refused or ended by interpreter exit raises.
pub fn exiting() -> PyErr {
    das_error(Kind::Closed, "the Python interpreter is exiting")
}

impl Drop for Blocked {
    fn drop(&mut self) {
        BLOCKED.fetch_sub(1, Ordering::SeqCst);
    }
}

/// In a forked child: the only thread is the one that forked, which held the GIL and so was
/// in no wait; the parent's other threads, counted in, do not exist here.
pub fn forget_other_threads() {
    BLOCKED.store(0, Ordering::SeqCst);
}

/// Refuses new waits from now on (interpreter exit began).
pub fn close() {
    CLOSED.store(true, Ordering::SeqCst);
}

/// Waits until no thread is inside a blocked wait, or `grace` has passed. Call without the GIL.
pub fn wait_until_none(grace: Duration) {
    let deadline = Instant::now() + grace;
    while BLOCKED.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
}
