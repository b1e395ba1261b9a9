//! The one tokio runtime of the native module, and blocking waits on it that release the GIL
//! and stay interruptible (Ctrl-C raises `KeyboardInterrupt` within a poll interval), and an
//! orderly way out of them at interpreter exit.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use pyo3::prelude::*;
use tokio::runtime::{Builder, Runtime};

use crate::errors::{das_error, Kind};

/// How often a blocked call wakes to let Python handle signals.
const SIGNAL_POLL: Duration = Duration::from_millis(100);

/// How long interpreter exit waits for threads to leave their blocking calls.
const EXIT_GRACE: Duration = Duration::from_secs(2);

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

/// Set at interpreter exit: blocking calls return `Closed` at their next poll.
static EXITING: AtomicBool = AtomicBool::new(false);
/// Threads currently inside [`block_on`] (without the GIL most of the time).
static BLOCKED: AtomicUsize = AtomicUsize::new(0);

/// Counts a thread as inside a GIL-free wait that exit must wait for.
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

fn exiting() -> PyErr {
    das_error(Kind::Closed, "the Python interpreter is exiting")
}

/// Called from an `atexit` hook: makes every blocked call return and waits (bounded) until no
/// thread is inside one. A daemon thread that is still without the GIL when the interpreter
/// finalizes would be torn down inside Rust frames, which aborts the process.
#[pyfunction]
pub fn prepare_exit(py: Python<'_>) {
    EXITING.store(true, Ordering::SeqCst);
    crate::log::stop_forwarding();
    py.detach(|| {
        let deadline = Instant::now() + EXIT_GRACE;
        while BLOCKED.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
    });
}

/// The shared runtime, started on first use. Two workers: the work is network I/O.
pub fn runtime() -> PyResult<&'static Runtime> {
    RUNTIME
        .get_or_init(|| {
            Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("das-runtime")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| {
            das_error(
                Kind::Internal,
                format!("the async runtime could not start: {e}"),
            )
        })
}

/// Runs `future` to completion without the GIL, checking for signals between polls.
pub fn block_on<F>(py: Python<'_>, future: F) -> PyResult<F::Output>
where
    F: Future + Send,
    F::Output: Send,
{
    if EXITING.load(Ordering::SeqCst) {
        return Err(exiting());
    }
    let rt = runtime()?;
    let _blocked = Blocked::enter();
    let _guard = rt.enter();
    let mut future = pin!(future);
    loop {
        let slice = py.detach(|| rt.block_on(tokio::time::timeout(SIGNAL_POLL, &mut future)));
        match slice {
            Ok(output) => return Ok(output),
            Err(_) if EXITING.load(Ordering::SeqCst) => return Err(exiting()),
            Err(_) => py.check_signals()?,
        }
    }
}
