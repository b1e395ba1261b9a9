//! After `os.fork()`, in the child (the package registers this with `os.register_at_fork`):
//! only the forking thread exists there, so the state that counts on the parent's other
//! threads (the runtime's driver, the log forwarder, threads inside blocking waits) is
//! forgotten, and the child starts its own on first use.

use pyo3::prelude::*;

use crate::{blocked, log, runtime};

#[pyfunction]
pub fn after_fork_in_child() {
    runtime::forget_parent_runtime();
    blocked::forget_other_threads();
    log::forget_parent_records();
}
