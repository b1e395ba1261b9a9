//! The one tokio runtime of the native module, and blocking waits on it that release the GIL
//! and stay interruptible (Ctrl-C raises `KeyboardInterrupt` within a poll interval on the main
//! thread, the only one Python delivers signals to), and that all return at interpreter exit.
//!
//! By default a libdas thread drives the runtime. In caller-driven mode (asked for with
//! [`set_caller_driven`] before anything starts it) no libdas thread exists: the runtime runs
//! inside these waits, on the caller's thread (`das._native.run` is the event loop's).

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::thread::ThreadId;
use std::time::Duration;

use das::runtime::{drive, process, BindingRuntime};
use pyo3::prelude::*;
use tokio::runtime::Handle;
use tokio::sync::Notify;

use crate::blocked::{exiting, Blocked};
use crate::errors::{das_error, Kind};

/// How often a blocked call wakes to let Python handle signals.
const SIGNAL_POLL: Duration = Duration::from_millis(100);

/// Set at interpreter exit: blocking calls return `Closed` at their next poll.
static EXITING: AtomicBool = AtomicBool::new(false);
/// Wakes every waiter of [`block_on`] when `EXITING` is set.
/// A forked child replaces it ([`after_fork_in_child`]): the parent's lists the waits of
/// threads the child does not have.
static EXIT: RwLock<&'static Notify> = RwLock::new(&FIRST_EXIT);
static FIRST_EXIT: Notify = Notify::const_new();

/// Read with the GIL held, so never held by another thread when the GIL's holder forks.
fn exit_notify() -> &'static Notify {
    *EXIT.read().unwrap_or_else(|p| p.into_inner())
}
/// Python's main thread: the only one where waking up to check for signals does anything.
/// Written at import and in a forked child (whose only thread becomes its main thread), read
/// with the GIL held.
static MAIN_THREAD: RwLock<Option<ThreadId>> = RwLock::new(None);

/// Remembers the calling thread if it is Python's main thread (called at module import).
/// Unknown, every thread polls for signals as the main thread does.
pub fn remember_main_thread(py: Python<'_>) -> PyResult<()> {
    let threading = py.import("threading")?;
    let current = threading.call_method0("current_thread")?;
    if current.is(&threading.call_method0("main_thread")?) {
        set_main_thread();
    }
    Ok(())
}

/// `try_write`: in a forked child (the hook runs on every `fork()`, also one a native library
/// makes without the GIL) a parent's thread may have held the lock at the fork; the child
/// then keeps the parent's answer rather than wait for good.
fn set_main_thread() {
    if let Ok(mut main) = MAIN_THREAD.try_write() {
        *main = Some(std::thread::current().id());
    }
}

fn on_other_thread() -> bool {
    MAIN_THREAD
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .is_some_and(|main| main != std::thread::current().id())
}

/// At interpreter exit: every call inside [`block_on`] returns `Closed` at once, and so does
/// every later one.
pub fn end_blocking_calls() {
    EXITING.store(true, Ordering::SeqCst);
    exit_notify().notify_waiters();
}

/// The process's runtime (the core's), started on first use: caller-driven when asked for,
/// else one driver thread unless `DAS_RUNTIME_THREADS` asks for more.
fn shared() -> PyResult<Arc<BindingRuntime>> {
    process::shared().map_err(|e| das_error(Kind::Internal, e))
}

/// In a forked child, after the core forgot the parent's runtime: waits register with a new
/// exit notification (the parent's lists the waits of threads the child does not have), and
/// the forking thread, the child's only one, is its main thread.
pub fn after_fork_in_child() {
    // Only the forking thread exists in the child, and it held the GIL across the fork, so
    // no other thread held these locks.
    if let Ok(mut exit) = EXIT.try_write() {
        *exit = Box::leak(Box::new(Notify::new()));
    }
    set_main_thread();
}

/// The shared runtime's handle, to spawn on (started on first use).
pub fn runtime() -> PyResult<Handle> {
    shared().map(|runtime| runtime.handle().clone())
}

/// Asks for caller-driven mode: `AlreadyStarted` once the runtime runs on its own thread.
pub fn set_caller_driven() -> PyResult<()> {
    process::request_caller_driven().map_err(|e| das_error(Kind::AlreadyStarted, e))
}

/// True in caller-driven mode.
pub fn is_caller_driven() -> bool {
    drive::requested()
}

/// Runs `future` to completion without the GIL. The main thread wakes every `SIGNAL_POLL` to
/// let Python handle signals; other threads sleep until the future or interpreter exit ends
/// the wait (with a hundred sessions, periodic wake-ups were a measurable share of the CPU).
pub fn block_on<F>(py: Python<'_>, future: F) -> PyResult<F::Output>
where
    F: Future + Send,
    F::Output: Send,
{
    let mut exit = pin!(exit_notify().notified());
    // Registered before the flag is read, so an exit between the two still wakes this wait.
    exit.as_mut().enable();
    // Refused once exit began (which comes before `EXITING` is set).
    let _blocked = Blocked::enter()?;
    // A caller-driven runtime must be run by `BindingRuntime::block_on`: the handle's would
    // wait without driving its I/O and timers.
    let rt = shared()?;
    let _guard = rt.handle().enter();
    let mut future = pin!(future);
    if on_other_thread() {
        let output = py.detach(|| {
            rt.block_on(async {
                tokio::select! {
                    output = &mut future => Some(output),
                    () = &mut exit => None,
                }
            })
        });
        return output.ok_or_else(exiting);
    }
    loop {
        let slice = py.detach(|| rt.block_on(tokio::time::timeout(SIGNAL_POLL, &mut future)));
        match slice {
            Ok(output) => return Ok(output),
            Err(_) if EXITING.load(Ordering::SeqCst) => return Err(exiting()),
            Err(_) => py.check_signals()?,
        }
    }
}
