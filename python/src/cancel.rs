//! `das._native.StartCancel`: the core's start cancellation switch, made before a session
//! starts so that `close()` from another thread can end a `start()` still connecting.

use pyo3::prelude::*;

/// Ends a `Session.start` given this switch (it raises `Closed`), from any thread.
#[pyclass(module = "das._native", frozen)]
#[derive(Default)]
pub struct StartCancel {
    pub inner: das::session::StartCancel,
}

#[pymethods]
impl StartCancel {
    #[new]
    fn new() -> Self {
        Self::default()
    }

    /// Cancels the start (now, or as soon as one begins); idempotent.
    fn cancel(&self) {
        self.inner.cancel();
    }

    /// Whether `cancel()` was called.
    #[getter]
    fn cancelled(&self) -> bool {
        self.inner.is_cancelled()
    }
}
