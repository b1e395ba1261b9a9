//! The one boundary every exported function goes through: panics become `DAS_RESULT_PANIC`,
//! errors become their code plus the thread-local message, and nothing unwinds into C.

use std::any::Any;
use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::Error;
use crate::last_error;
use crate::result::das_result;

/// How an exported function's C return value is built from the closure's outcome.
pub trait FfiReturn: Sized {
    /// What the closure yields on success.
    type Success;
    /// The C value for a success.
    fn success(value: Self::Success) -> Self;
    /// The C value for a failure (the message is already recorded).
    fn failure(code: das_result) -> Self;
}

impl FfiReturn for das_result {
    type Success = ();
    fn success((): ()) -> Self {
        das_result::Ok
    }
    fn failure(code: das_result) -> Self {
        code
    }
}

impl FfiReturn for () {
    type Success = ();
    fn success((): ()) {}
    fn failure(_: das_result) {}
}

/// A failure (a bad handle) reads as `false`.
impl FfiReturn for bool {
    type Success = bool;
    fn success(value: bool) -> bool {
        value
    }
    fn failure(_: das_result) -> bool {
        false
    }
}

impl FfiReturn for u32 {
    type Success = u32;
    fn success(value: u32) -> u32 {
        value
    }
    fn failure(_: das_result) -> u32 {
        0
    }
}

impl FfiReturn for *const c_char {
    type Success = *const c_char;
    fn success(value: *const c_char) -> Self {
        value
    }
    /// Static-string functions never return NULL; a failure yields "".
    fn failure(_: das_result) -> Self {
        c"".as_ptr()
    }
}

/// Whether the call records its outcome as this thread's last error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LastError {
    /// Clear the message on entry and store it on failure (every function but the next).
    Record,
    /// Leave the message alone (`das_last_error_message` and the static-string functions).
    Keep,
}

/// Runs the body of an exported function. Use it through [`ffi_boundary!`](crate::ffi_boundary).
pub fn run<R: FfiReturn>(mode: LastError, body: impl FnOnce() -> Result<R::Success, Error>) -> R {
    if mode == LastError::Record {
        last_error::clear();
    }
    let outcome = catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|payload| {
        Err(Error::new(
            das_result::Panic,
            format!("internal panic: {}", panic_text(payload.as_ref())),
        ))
    });
    match outcome {
        Ok(value) => R::success(value),
        Err(error) => {
            if mode == LastError::Record {
                tracing::debug!(code = error.code().name(), "{}", error.message());
                last_error::set(&error);
            }
            R::failure(error.code())
        }
    }
}

fn panic_text(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

/// Wraps the body of every exported `das_*` function.
///
/// `ffi_boundary!({ ... })` records the outcome as the thread's last error;
/// `ffi_boundary!(keep_last_error, { ... })` leaves it untouched. The block returns
/// `Result<Success, Error>`; the macro yields the function's C return value.
#[macro_export]
macro_rules! ffi_boundary {
    (keep_last_error, $body:block) => {
        $crate::boundary::run($crate::boundary::LastError::Keep, || $body)
    };
    ($body:block) => {
        $crate::boundary::run($crate::boundary::LastError::Record, || $body)
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_the_panic_code_with_a_message() {
        fn explode() -> Result<(), Error> {
            panic!("boom")
        }
        let code: das_result = crate::ffi_boundary!({ explode() });
        assert_eq!(code, das_result::Panic);
        assert_eq!(last_error::message(), "internal panic: boom");
    }

    #[test]
    fn success_clears_the_previous_message() {
        let failed: das_result = crate::ffi_boundary!({ Err(Error::null("x")) });
        assert_eq!(failed, das_result::NullArgument);
        assert_eq!(last_error::message(), "argument `x` is NULL");
        let ok: das_result = crate::ffi_boundary!({ Ok(()) });
        assert_eq!(ok, das_result::Ok);
        assert_eq!(last_error::message(), "");
    }

    #[test]
    fn keep_mode_leaves_the_message_alone() {
        let _: das_result = crate::ffi_boundary!({ Err(Error::null("y")) });
        let _: das_result = crate::ffi_boundary!(keep_last_error, { Err(Error::null("z")) });
        assert_eq!(last_error::message(), "argument `y` is NULL");
    }
}
