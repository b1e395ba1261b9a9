//! The process-wide tokio runtime behind every blocking C call. Created lazily on first use,
//! entered only at the C edge (`block_on`), so C callers never see async, and shut down when
//! the process exits (after `main` returns or `exit()`), so that no task or thread outlives
//! the program's own clean-up.
//!
//! By default a libdas thread drives it. In caller-driven mode (`das_runtime_caller_driven`,
//! before the first call that starts it) no libdas thread exists: the runtime runs inside the
//! program's own calls (`das_run`, and every blocking call while it waits), so frames and
//! events are never handed between threads.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use das_core::runtime::{drive, BindingRuntime};
use tokio::runtime::Handle;

use crate::error::Error;
use crate::result::das_result;

static RUNTIME: Mutex<Option<Arc<BindingRuntime>>> = Mutex::new(None);
/// Runtimes a forked child inherited from its parent: never dropped (their threads do not
/// exist there) and kept reachable, so leak checkers do not report them.
static ORPHANED: Mutex<Vec<Arc<BindingRuntime>>> = Mutex::new(Vec::new());
static SHUT_DOWN: AtomicBool = AtomicBool::new(false);
static STARTS: AtomicUsize = AtomicUsize::new(0);

/// How long the exit hook lets tasks and blocking threads finish.
const EXIT_GRACE: Duration = Duration::from_secs(1);

fn slot() -> MutexGuard<'static, Option<Arc<BindingRuntime>>> {
    // The critical sections below only build or take the runtime.
    RUNTIME.lock().unwrap_or_else(|p| p.into_inner())
}

/// A handle to the shared runtime, which is started on first call.
pub fn runtime() -> Result<Handle, Error> {
    shared().map(|runtime| runtime.handle().clone())
}

/// The shared runtime, started on first call.
fn shared() -> Result<Arc<BindingRuntime>, Error> {
    let mut slot = slot();
    if SHUT_DOWN.load(Ordering::Acquire) {
        return Err(Error::new(
            das_result::Closed,
            "libdas is shutting down (the process is exiting)",
        ));
    }
    if slot.is_none() {
        // One driver thread unless DAS_RUNTIME_THREADS asks for more (see the core's
        // `runtime` module for why).
        let started = match drive::requested() {
            true => BindingRuntime::caller_driven(),
            false => BindingRuntime::start("das-runtime"),
        };
        let runtime = started.map_err(|e| {
            Error::new(
                das_result::Internal,
                format!("the async runtime could not start: {e}"),
            )
        })?;
        STARTS.fetch_add(1, Ordering::Relaxed);
        forget_runtime_in_forked_children();
        *slot = Some(Arc::new(runtime));
    }
    slot.clone()
        .ok_or_else(|| Error::new(das_result::Internal, "the async runtime is missing"))
}

/// Runs `future` to completion on the shared runtime, blocking the calling C thread (and, in
/// caller-driven mode, running every session while it waits).
///
/// Must not be called from a runtime thread (for example, from inside a log callback).
pub fn block_on<F: Future>(future: F) -> Result<F::Output, Error> {
    if Handle::try_current().is_ok() {
        return Err(Error::new(
            das_result::Internal,
            "a blocking das call was made from a libdas runtime thread (a callback?)",
        ));
    }
    Ok(shared()?.block_on(future))
}

/// Asks for caller-driven mode; refused once the runtime runs on its own thread.
pub fn set_caller_driven() -> Result<(), Error> {
    let slot = slot();
    drive::request(slot.as_deref())
        .map_err(|e| Error::new(das_result::AlreadyStarted, e.to_string()))
}

/// True in caller-driven mode.
pub fn is_caller_driven() -> bool {
    drive::requested()
}

/// `das_run`: runs every session for at most `timeout`, returning early once an event was
/// queued since the previous `das_run` returned. True when one was.
pub fn run(timeout: Duration) -> Result<bool, Error> {
    if !is_caller_driven() {
        return Err(Error::new(
            das_result::NotReady,
            "das_run drives libdas only in caller-driven mode (das_runtime_caller_driven)",
        ));
    }
    // Without a descriptor to watch, the wait cannot fail.
    let woke = block_on(drive::run(Some(timeout), None))?
        .map_err(|e| Error::new(das_result::Internal, e.to_string()))?;
    Ok(woke == drive::Woke::Event)
}

/// How many times a runtime was started in this process (0 or 1; a forked child also counts
/// its parent's).
pub fn starts() -> usize {
    STARTS.load(Ordering::Relaxed)
}

/// Stops the runtime when the process exits: its tasks are dropped (closing their sockets) and
/// its threads joined, within [`EXIT_GRACE`]. Later calls fail with `DAS_RESULT_CLOSED`.
extern "C" fn shut_down_at_exit() {
    // A panic must not unwind out of the C runtime's exit sequence.
    let _ = std::panic::catch_unwind(|| {
        SHUT_DOWN.store(true, Ordering::Release);
        // exit() called from a runtime thread cannot wait for that same runtime.
        if Handle::try_current().is_ok() {
            return;
        }
        let runtime = slot().take();
        // A call still inside `block_on` holds the runtime: it goes with that call.
        if let Some(Ok(runtime)) = runtime.map(Arc::try_unwrap) {
            runtime.shutdown(EXIT_GRACE);
        }
    });
}

/// In a forked child: no thread of the parent's runtime exists there, so a call waiting on it
/// would hang past every timeout. The child forgets it (and the core's state that refers to
/// it), and its next call starts a runtime of its own.
extern "C" fn forget_parent_runtime() {
    let _ = std::panic::catch_unwind(|| {
        // Only the forking thread exists here. A lock another thread held at the fork stays
        // held: then the parent's runtime stays too, as without this handler.
        let Ok(mut slot) = RUNTIME.try_lock() else {
            return;
        };
        if let Some(parent) = slot.take() {
            match ORPHANED.try_lock() {
                Ok(mut orphaned) => orphaned.push(parent),
                Err(_) => std::mem::forget(parent),
            }
        }
        das_core::runtime::fork::after_fork_in_child();
    });
}

// glibc's, imported for `forget_runtime_in_forked_children`; not part of libdas's API, so
// kept out of the generated header (cbindgen reads the annotation from the block's doc).
#[allow(unused_doc_comments)]
/// cbindgen:ignore
extern "C" {
    fn pthread_atfork(
        prepare: Option<extern "C" fn()>,
        parent: Option<extern "C" fn()>,
        child: Option<extern "C" fn()>,
    ) -> std::ffi::c_int;
}

/// Registers [`forget_parent_runtime`] for forked children, once (when a runtime first starts:
/// a child of a process that never started one has nothing to forget).
fn forget_runtime_in_forked_children() {
    static REGISTERED: std::sync::Once = std::sync::Once::new();
    REGISTERED.call_once(|| {
        // SAFETY: registers a C-ABI function with no arguments that lives as long as the
        // library; glibc's `pthread_atfork` ties it to this library and drops it if unloaded.
        unsafe {
            pthread_atfork(None, None, Some(forget_parent_runtime));
        }
    });
}

/// Registers [`shut_down_at_exit`] as an ELF destructor of the library.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".fini_array"]
static SHUT_DOWN_AT_EXIT: extern "C" fn() = shut_down_at_exit;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runtime_starts_once_for_every_thread() {
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..4)
                .map(|_| scope.spawn(|| runtime().map(|_| ()).unwrap()))
                .collect();
            workers.into_iter().for_each(|w| w.join().unwrap());
        });
        assert_eq!(starts(), 1);
        assert_eq!(block_on(async { 40 + 2 }).unwrap(), 42);
        let nested = block_on(async { block_on(async {}).unwrap_err().code() }).unwrap();
        assert_eq!(nested, das_result::Internal);
    }
}
