//! Interpreter exit (the package's `atexit` hook): blocked calls return, log forwarding stops,
//! and exit waits, bounded, until no thread is left inside native code without the GIL.

use std::time::Duration;

use pyo3::prelude::*;

use crate::{blocked, log, runtime};

/// How long interpreter exit waits for threads to leave their blocking calls.
const EXIT_GRACE: Duration = Duration::from_secs(2);

/// Called from an `atexit` hook: makes every blocked call return and waits (bounded) until no
/// thread is inside one.
#[pyfunction]
pub fn prepare_exit(py: Python<'_>) {
    blocked::close();
    runtime::end_blocking_calls();
    log::stop_forwarding();
    py.detach(|| blocked::wait_until_none(EXIT_GRACE));
}
