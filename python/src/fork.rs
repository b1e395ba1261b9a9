//! Around `fork()`. Only the forking thread exists in the child, so the state that counts on
//! the parent's other threads (the runtime's driver, threads inside blocking waits, the log
//! queue's users) is forgotten there, and the child starts its own on first use.
//!
//! Registered with `pthread_atfork` when the module loads, so they run inside `fork()`
//! itself, where `os.fork()` keeps the GIL on the forking thread from before the locks are
//! taken until after they are let go. Hooks registered with `os.register_at_fork` run as
//! Python code, which may hand the GIL to another thread in between: a thread that then waited
//! for one of the held locks (starting a session) kept the GIL from the hook that would let
//! the lock go, and the parent hung. The package's own Python hook only restarts the log
//! forwarding thread in the child.

use crate::{blocked, log, runtime};

/// Registers the hooks, once: the module's init may run again (in a sub-interpreter), and
/// hooks registered twice would take the locks twice on one thread.
pub fn register() {
    static REGISTERED: std::sync::Once = std::sync::Once::new();
    REGISTERED.call_once(|| {
        // SAFETY: registers functions of no arguments that live as long as the process (a
        // Python extension module is never unloaded).
        #[allow(unsafe_code)]
        unsafe {
            libc::pthread_atfork(
                Some(before_fork),
                Some(after_fork_in_parent),
                Some(after_fork_in_child),
            );
        }
    });
}

/// In the parent, just before the fork.
extern "C" fn before_fork() {
    let _ = std::panic::catch_unwind(|| {
        das::runtime::process::before_fork();
        log::hold_across_fork();
    });
}

/// In the parent, after the fork (or a failed one).
extern "C" fn after_fork_in_parent() {
    let _ = std::panic::catch_unwind(|| {
        log::release_after_fork(false);
        das::runtime::process::after_fork_in_parent();
    });
}

/// In the child.
extern "C" fn after_fork_in_child() {
    let _ = std::panic::catch_unwind(|| {
        log::release_after_fork(true);
        das::runtime::process::after_fork_in_child();
        runtime::after_fork_in_child();
        blocked::forget_other_threads();
    });
}
