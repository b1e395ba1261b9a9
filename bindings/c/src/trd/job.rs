//! `das_trd_job`: what `das_trd_create_job` / `das_trd_transcribe` submit: the recording's path
//! (streamed from disk at upload), `config` items, callback URLs and a tag.

use std::ffi::c_char;

use das_core::trd::CreateJob;

use crate::ffi_boundary;
use crate::handle::{self, OpaqueHandle};
use crate::out;
use crate::result::das_result;
use crate::strings::input_str;

/// A job request. Not thread-safe: one thread at a time.
#[allow(non_camel_case_types)]
pub struct das_trd_job {
    _private: [u8; 0],
}

// SAFETY: `das_trd_job` is a zero-sized marker that is never constructed.
unsafe impl OpaqueHandle for das_trd_job {
    type Rust = CreateJob;
    const NAME: &'static str = "das_trd_job";
}

/// Borrows a job request for one call.
macro_rules! trd_job {
    ($job:ident) => {
        // SAFETY: the caller upholds the handle contract: one thread at a time.
        unsafe {
            crate::handle::borrow(($job as *const crate::trd::das_trd_job).cast_mut(), "job")
        }?
    };
}
pub(crate) use trd_job;

/// A request for the recording at `path`. The file is only opened when the job is submitted
/// (a missing file is reported then, `DAS_RESULT_IO`; an empty one `DAS_RESULT_OUT_OF_RANGE`).
///
/// Ownership: `path` is copied; the caller owns `*out` and releases it with `das_trd_job_free`.
///
/// # Safety
/// `path` follows the string-input convention; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_trd_job_new(
    path: *const c_char,
    path_len: usize,
    out: *mut *mut das_trd_job,
) -> das_result {
    ffi_boundary!({
        out::require(out, "out")?;
        // SAFETY: the caller upholds the string-input contract.
        let path = unsafe { input_str(path, path_len, "path") }?;
        let job = handle::into_raw::<das_trd_job>(CreateJob::new(path));
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { out.write(job) };
        Ok(())
    })
}

/// Which list a `das_trd_job_add` call appends to.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum das_trd_job_field {
    /// A `config` item: `key=value` (several may be comma-joined) or one JSON object.
    Config = 1,
    /// A callback URL; TRD posts the result to `{url}/{job_id}`.
    CallbackUrl = 2,
    /// The job's tag (set, not appended: the last one wins).
    Tag = 3,
}

/// Adds `value` to the request's `field` (a `das_trd_job_field`). Config items are checked
/// when the job is submitted (`DAS_RESULT_PARSE`).
///
/// Errors: an unknown `field` `DAS_RESULT_INVALID_ENUM`.
///
/// Ownership: `value` is copied.
///
/// # Safety
/// `job` is a live job request; `value` follows the string-input convention.
#[no_mangle]
pub unsafe extern "C" fn das_trd_job_add(
    job: *mut das_trd_job,
    field: u32,
    value: *const c_char,
    value_len: usize,
) -> das_result {
    ffi_boundary!({
        let field = match field {
            1 => das_trd_job_field::Config,
            2 => das_trd_job_field::CallbackUrl,
            3 => das_trd_job_field::Tag,
            other => {
                return Err(crate::error::Error::invalid_enum(
                    "field",
                    "das_trd_job_field",
                    other,
                ))
            }
        };
        // SAFETY: the caller upholds the string-input contract.
        let value = unsafe { input_str(value, value_len, "value") }?.to_owned();
        let mut job = trd_job!(job);
        let request = std::mem::replace(&mut *job, CreateJob::new(""));
        *job = match field {
            das_trd_job_field::Config => request.config(value),
            das_trd_job_field::CallbackUrl => request.callback_url(value),
            das_trd_job_field::Tag => request.tag(value),
        };
        Ok(())
    })
}

/// Releases a job request. NULL is ignored.
///
/// Ownership: takes ownership of `job`.
///
/// # Safety
/// No other thread may be using `job`.
#[no_mangle]
pub unsafe extern "C" fn das_trd_job_free(job: *mut das_trd_job) {
    ffi_boundary!({
        // SAFETY: the caller guarantees exclusive use.
        unsafe { handle::free(job, "job") }
    })
}
