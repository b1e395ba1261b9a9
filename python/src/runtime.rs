//! The one tokio runtime of the native module, and blocking waits on it that release the GIL
//! and stay interruptible (Ctrl-C raises `KeyboardInterrupt` within a poll interval).

use std::future::Future;
use std::pin::pin;
use std::sync::OnceLock;
use std::time::Duration;

use pyo3::prelude::*;
use tokio::runtime::{Builder, Runtime};

use crate::errors::{das_error, Kind};

/// How often a blocked call wakes to let Python handle signals.
const SIGNAL_POLL: Duration = Duration::from_millis(100);

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

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
    let rt = runtime()?;
    let _guard = rt.enter();
    let mut future = pin!(future);
    loop {
        let slice = py.detach(|| rt.block_on(tokio::time::timeout(SIGNAL_POLL, &mut future)));
        match slice {
            Ok(output) => return Ok(output),
            Err(_) => py.check_signals()?,
        }
    }
}
