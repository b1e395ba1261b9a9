//! Threads inside a GIL-free wait of the native module, counted so that interpreter exit can
//! let them return first: a daemon thread still without the GIL when the interpreter finalizes
//! would be torn down inside Rust frames, which aborts the process.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Threads currently inside a [`Blocked`] wait.
static BLOCKED: AtomicUsize = AtomicUsize::new(0);

/// Counts the calling thread as inside a GIL-free wait until dropped.
pub struct Blocked;

impl Blocked {
    pub fn enter() -> Self {
        BLOCKED.fetch_add(1, Ordering::SeqCst);
        Blocked
    }
}

impl Drop for Blocked {
    fn drop(&mut self) {
        BLOCKED.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Waits until no thread is inside a blocked wait, or `grace` has passed. Call without the GIL.
pub fn wait_until_none(grace: Duration) {
    let deadline = Instant::now() + grace;
    while BLOCKED.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
}
