//! The process-wide tokio runtime behind every blocking C call. Created lazily on first use and
//! entered only at the C edge (`block_on`), so C callers never see async.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use tokio::runtime::{Builder, Runtime};

use crate::error::Error;
use crate::result::das_result;

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();
static STARTS: AtomicUsize = AtomicUsize::new(0);

/// Worker threads: the work is network I/O, so two are plenty and leave the host's cores alone.
const WORKER_THREADS: usize = 2;

/// The shared runtime, started on first call.
pub fn runtime() -> Result<&'static Runtime, Error> {
    RUNTIME
        .get_or_init(|| {
            STARTS.fetch_add(1, Ordering::Relaxed);
            Builder::new_multi_thread()
                .worker_threads(WORKER_THREADS)
                .thread_name("das-runtime")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| {
            Error::new(
                das_result::Internal,
                format!("the async runtime could not start: {e}"),
            )
        })
}

/// Runs `future` to completion on the shared runtime, blocking the calling C thread.
///
/// Must not be called from a runtime thread (for example, from inside a log callback).
pub fn block_on<F: Future>(future: F) -> Result<F::Output, Error> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::new(
            das_result::Internal,
            "a blocking das call was made from a libdas runtime thread (a callback?)",
        ));
    }
    Ok(runtime()?.block_on(future))
}

/// How many times a runtime was started in this process (0 or 1).
pub fn starts() -> usize {
    STARTS.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runtime_starts_once_for_every_thread() {
        let addresses: Vec<usize> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..4)
                .map(|_| scope.spawn(|| runtime().unwrap() as *const Runtime as usize))
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        assert!(addresses.windows(2).all(|pair| pair[0] == pair[1]));
        assert_eq!(starts(), 1);
        assert_eq!(block_on(async { 40 + 2 }).unwrap(), 42);
        let nested = block_on(async { block_on(async {}).unwrap_err().code() }).unwrap();
        assert_eq!(nested, das_result::Internal);
    }
}
