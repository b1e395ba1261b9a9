//! Around `os.fork()` (the package registers these with `os.register_at_fork`). Only the
//! forking thread exists in the child, so the state that counts on the parent's other threads
//! (the runtime's driver, threads inside blocking waits, the log queue's users) is forgotten
//! there, and the child starts its own on first use.

use pyo3::prelude::*;

use crate::{blocked, log, runtime};

/// In the parent, just before the fork.
#[pyfunction]
pub fn before_fork() {
    das::runtime::process::before_fork();
    log::hold_across_fork();
}

/// In the parent, after the fork (or a failed one).
#[pyfunction]
pub fn after_fork_in_parent() {
    log::release_after_fork(false);
    das::runtime::process::after_fork_in_parent();
}

/// In the child.
#[pyfunction]
pub fn after_fork_in_child() {
    log::release_after_fork(true);
    das::runtime::process::after_fork_in_child();
    runtime::after_fork_in_child();
    blocked::forget_other_threads();
}
