//! The process-wide tokio runtime behind every blocking C call. Created lazily on first use,
//! entered only at the C edge (`block_on`), so C callers never see async, and shut down when
//! the process exits (after `main` returns or `exit()`), so that no task or thread outlives
//! the program's own clean-up.
//!
//! By default a libdas thread drives it. In caller-driven mode (`das_runtime_caller_driven`,
//! before the first call that starts it) no libdas thread exists: the runtime runs inside the
//! program's own calls (`das_run`, and every blocking call while it waits), so frames and
//! events are never handed between threads.

use std::cell::RefCell;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use das_core::runtime::process::{self, Unavailable};
use das_core::runtime::{drive, BindingRuntime};
use tokio::runtime::Handle;

use crate::error::Error;
use crate::handle::HeldRegistry;
use crate::log::HeldInstall;
use crate::log_sink;
use crate::result::das_result;

/// How long the exit hook lets tasks and blocking threads finish.
const EXIT_GRACE: Duration = Duration::from_secs(1);

/// A handle to the shared runtime, which is started on first call.
pub fn runtime() -> Result<Handle, Error> {
    shared().map(|runtime| runtime.handle().clone())
}

/// The process's runtime (the core's), started on first call.
fn shared() -> Result<Arc<BindingRuntime>, Error> {
    process::shared().map_err(|e| match e {
        Unavailable::ShuttingDown => Error::new(das_result::Closed, e.to_string()),
        Unavailable::NotStarted(_) => Error::new(das_result::Internal, e.to_string()),
    })
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
    process::request_caller_driven()
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

/// Stops the runtime when the process exits: its tasks are dropped (closing their sockets) and
/// its threads joined, within [`EXIT_GRACE`]. Later calls fail with `DAS_RESULT_CLOSED`.
extern "C" fn shut_down_at_exit() {
    // A panic must not unwind out of the C runtime's exit sequence.
    let _ = std::panic::catch_unwind(|| process::shut_down(EXIT_GRACE));
}

/// `fork()`'s three moments: only the forking thread exists in the child, so the core and
/// this library hold their process-wide locks across the fork, and the child forgets the
/// parent's runtime (a call waiting on it would hang past every timeout) and starts its own.
/// Neither kind of lock is held while a log callback runs, so the wait never depends on one.
extern "C" fn before_fork() {
    let _ = std::panic::catch_unwind(|| {
        // A fork from inside the log callback: this thread may hold one of the locks itself
        // (taking it again would deadlock); the child then takes those it finds free.
        if crate::log::in_callback() {
            return;
        }
        // The log subscriber's install comes first: it is the outer step of the call that
        // takes the sink.
        let install = crate::log::hold_install();
        process::before_fork();
        let held = (install, crate::handle::hold_registry(), log_sink::hold());
        let _ = HELD_ACROSS_FORK.try_with(|slot| *slot.borrow_mut() = Some(held));
    });
}

extern "C" fn after_fork_in_parent() {
    let _ = std::panic::catch_unwind(|| {
        let _ = HELD_ACROSS_FORK.try_with(|slot| slot.borrow_mut().take());
        process::after_fork_in_parent();
    });
}

extern "C" fn after_fork_in_child() {
    let _ = std::panic::catch_unwind(|| {
        let held = HELD_ACROSS_FORK
            .try_with(|slot| slot.borrow_mut().take())
            .ok()
            .flatten();
        // Callbacks the parent's other threads were running do not exist here.
        match held {
            Some((_install, _registry, sink)) => sink.forget_calls(),
            None => {
                if let Some(sink) = log_sink::try_hold() {
                    sink.forget_calls();
                }
            }
        }
        process::after_fork_in_child();
    });
}

thread_local! {
    /// This library's locks, held by the forking thread from `before_fork` to after the fork.
    static HELD_ACROSS_FORK: RefCell<Option<(HeldInstall, HeldRegistry, log_sink::Held)>> = const { RefCell::new(None) };
}

/// Registers the fork handlers when the library is loaded: a session's first start takes
/// process-wide locks before any runtime exists (its token provider, the machine's roots).
extern "C" fn hand_runtime_to_forked_children() {
    // SAFETY: registers C-ABI functions with no arguments that live as long as the library;
    // glibc's `pthread_atfork` ties them to this library and drops them if it is unloaded.
    unsafe {
        libc::pthread_atfork(
            Some(before_fork),
            Some(after_fork_in_parent),
            Some(after_fork_in_child),
        );
    }
}

/// Registers [`hand_runtime_to_forked_children`] as an ELF constructor of the library.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static HAND_RUNTIME_TO_FORKED_CHILDREN: extern "C" fn() = hand_runtime_to_forked_children;

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
        assert_eq!(process::starts(), 1);
        assert_eq!(block_on(async { 40 + 2 }).unwrap(), 42);
        let nested = block_on(async { block_on(async {}).unwrap_err().code() }).unwrap();
        assert_eq!(nested, das_result::Internal);
    }

    static CALLBACK_ENTERED: std::sync::atomic::AtomicBool =
        std::sync::atomic::AtomicBool::new(false);

    /// A callback that, once in, waits and then asks for the runtime, as a non-blocking das
    /// call from inside it does.
    unsafe extern "C" fn slow_callback_using_the_runtime(
        _: *mut std::ffi::c_void,
        _: crate::enums::das_log_level,
        _: *const std::ffi::c_char,
        message: *const std::ffi::c_char,
    ) {
        // SAFETY: libdas passes a NUL-terminated string valid during the call.
        let message = unsafe { std::ffi::CStr::from_ptr(message) }.to_string_lossy();
        if message.contains("fork while logging") {
            CALLBACK_ENTERED.store(true, std::sync::atomic::Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(200));
            let _ = runtime();
        }
    }

    #[test]
    fn a_fork_does_not_wait_for_a_log_callback_that_calls_libdas() {
        let _serial = crate::log::CALLBACK_TESTS
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        runtime().unwrap();
        // SAFETY: the callback follows the contract; its userdata is never used.
        let set = unsafe {
            crate::log::das_set_log_callback(
                Some(slow_callback_using_the_runtime),
                std::ptr::null_mut(),
            )
        };
        assert_eq!(set, das_result::Ok);
        let logging = std::thread::spawn(|| tracing::warn!("fork while logging"));
        while !CALLBACK_ENTERED.load(std::sync::atomic::Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(1));
        }
        let (done, forked) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            before_fork();
            after_fork_in_parent();
            done.send(()).unwrap();
        });
        // The fork's hooks used to wait for the callback, which waited for their lock.
        forked
            .recv_timeout(Duration::from_secs(10))
            .expect("the fork's hooks return while a callback runs");
        logging.join().unwrap();
        // SAFETY: NULL removes the callback.
        let removed = unsafe { crate::log::das_set_log_callback(None, std::ptr::null_mut()) };
        assert_eq!(removed, das_result::Ok);
    }

    use libc::{_exit, alarm, fork, waitpid};

    /// Set in the fresh process the test below runs its fork in.
    const FORK_DURING_INSTALL: &str = "DAS_TEST_FORK_DURING_INSTALL";

    #[test]
    fn a_fork_waits_for_the_log_subscriber_being_installed() {
        if std::env::var_os(FORK_DURING_INSTALL).is_none() {
            // The other tests of this binary may have installed it already: a fresh process.
            let name = "runtime::tests::a_fork_waits_for_the_log_subscriber_being_installed";
            let status = std::process::Command::new(std::env::current_exe().unwrap())
                .args([name, "--exact", "--test-threads=1"])
                .env(FORK_DURING_INSTALL, "1")
                .stdout(std::process::Stdio::null())
                .status()
                .unwrap();
            assert!(status.success(), "the fork during the install: {status}");
            return;
        }
        let entered = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let installing = std::thread::spawn({
            let entered = entered.clone();
            move || {
                crate::log::install_with(|| {
                    entered.store(true, std::sync::atomic::Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(300));
                    Ok(())
                })
            }
        });
        while !entered.load(std::sync::atomic::Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(1));
        }
        // SAFETY: the child calls only libdas and `_exit`; `alarm` ends it if that hangs.
        let child = unsafe { fork() };
        assert!(child >= 0, "fork failed");
        if child == 0 {
            // SAFETY: only this thread exists in the child; `_exit` skips the parent's clean-up.
            unsafe {
                alarm(10);
                let installed = crate::log::install_with(|| Err("installed twice".into()));
                _exit(if installed.is_ok() { 0 } else { 2 });
            }
        }
        let mut status = 0;
        // SAFETY: `child` is this process's child; `status` is a valid out pointer.
        assert_eq!(unsafe { waitpid(child, &mut status, 0) }, child);
        installing.join().unwrap().unwrap();
        // Exited (not killed by the alarm), with 0.
        assert_eq!(
            status,
            0,
            "the child hung (signal {}) or failed",
            status & 0x7f
        );
    }

    static FORKED_IN_CALLBACK: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);

    /// A callback that forks on one message, as a program's log handler may.
    unsafe extern "C" fn forking_callback(
        _: *mut std::ffi::c_void,
        _: crate::enums::das_log_level,
        _: *const std::ffi::c_char,
        message: *const std::ffi::c_char,
    ) {
        // SAFETY: libdas passes a NUL-terminated string valid during the call.
        let message = unsafe { std::ffi::CStr::from_ptr(message) }.to_string_lossy();
        if message.contains("fork from the callback") {
            // SAFETY: the child only returns from this callback, then calls libdas and `_exit`.
            FORKED_IN_CALLBACK.store(unsafe { fork() }, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// A fork from inside the callback skips the fork's wait, so another thread may hold the
    /// first install's lock at that moment: the child must not need it once installed.
    #[test]
    fn a_child_forked_in_the_log_callback_sets_the_callback_whatever_the_install_lock() {
        let _serial = crate::log::CALLBACK_TESTS
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        // SAFETY: the callback follows the contract; its userdata is never used.
        let set = unsafe {
            crate::log::das_set_log_callback(Some(forking_callback), std::ptr::null_mut())
        };
        assert_eq!(set, das_result::Ok);
        let (held, holding) = std::sync::mpsc::channel();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let holder = std::thread::spawn(move || {
            let _install = crate::log::hold_install();
            held.send(()).unwrap();
            let _ = released.recv_timeout(Duration::from_secs(30));
        });
        holding.recv().unwrap();
        tracing::warn!("fork from the callback");
        let child = FORKED_IN_CALLBACK.swap(-1, std::sync::atomic::Ordering::SeqCst);
        if child == 0 {
            // SAFETY: only this thread exists in the child; `_exit` skips the parent's clean-up.
            unsafe {
                alarm(10);
                let removed = crate::log::das_set_log_callback(None, std::ptr::null_mut());
                _exit(if removed == das_result::Ok { 0 } else { 2 });
            }
        }
        release.send(()).unwrap();
        holder.join().unwrap();
        assert!(child > 0, "fork failed");
        let mut status = 0;
        // SAFETY: `child` is this process's child; `status` is a valid out pointer.
        assert_eq!(unsafe { waitpid(child, &mut status, 0) }, child);
        assert_eq!(
            status,
            0,
            "the child hung (signal {}) or failed",
            status & 0x7f
        );
        // SAFETY: NULL removes the callback.
        let removed = unsafe { crate::log::das_set_log_callback(None, std::ptr::null_mut()) };
        assert_eq!(removed, das_result::Ok);
    }
}
