//! Caller-driven mode for Python (`das._native.caller_driven`, `das._native.run`): no libdas
//! thread; an event loop's selector waits in `run`, which runs every session on the loop's
//! thread until an event is queued, the selector's own descriptor is readable, or the timeout.
//! The wait itself is the core's (`das::runtime::drive`), shared with the C ABI.

use std::os::fd::BorrowedFd;
use std::time::Duration;

use das::runtime::drive::{self, Woke};
use pyo3::prelude::*;

use crate::errors::{das_error, Kind};
use crate::runtime::{block_on, is_caller_driven, set_caller_driven};

/// Runs libdas on the program's threads instead of a libdas thread. Call it before anything
/// starts the runtime (the first session, client or receiver); afterwards it raises
/// `AlreadyStarted` (calling it again in caller-driven mode does nothing).
#[pyfunction]
pub fn caller_driven() -> PyResult<()> {
    set_caller_driven()
}

/// Runs every session (I/O, timers, audio) for at most `timeout` seconds (`None`: no limit;
/// 0 runs what is ready and returns), returning early when an event was queued since the
/// previous `run` returned (then True) or when `wake_fd` (which must stay open until `run`
/// returns; a selector's epoll descriptor, for example) is readable. The GIL is released while
/// it waits. `NotReady` unless caller-driven mode was asked for.
#[pyfunction]
#[pyo3(signature = (timeout, wake_fd=None))]
pub fn run(py: Python<'_>, timeout: Option<f64>, wake_fd: Option<i32>) -> PyResult<bool> {
    if !is_caller_driven() {
        return Err(das_error(
            Kind::NotReady,
            "run() drives libdas only in caller-driven mode (das._native.caller_driven())",
        ));
    }
    let timeout = match timeout {
        None => None,
        // Negative or NaN: what is ready only.
        Some(seconds) if seconds.is_nan() || seconds <= 0.0 => Some(Duration::ZERO),
        // Too large for a Duration: no limit.
        Some(seconds) => Duration::try_from_secs_f64(seconds).ok(),
    };
    let fd = match wake_fd {
        Some(fd) if fd < 0 => {
            return Err(das_error(
                Kind::InvalidArgument,
                format!("wake_fd {fd} is not a descriptor"),
            ))
        }
        #[allow(unsafe_code)]
        // SAFETY: the caller keeps the descriptor open until `run` returns (documented), and
        // the borrow ends with this call: the wait registers it only while it lasts.
        Some(fd) => Some(unsafe { BorrowedFd::borrow_raw(fd) }),
        None => None,
    };
    let woke = block_on(py, drive::run(timeout, fd))?.map_err(|e| {
        das_error(
            Kind::InvalidArgument,
            format!("wake_fd cannot be waited on: {e}"),
        )
    })?;
    Ok(woke == Woke::Event)
}
