//! The blocking job calls. Each job or result comes back as a `das_webhook` (a job alone has
//! no segments), read with the same getters as a parsed webhook body.

use std::ffi::c_char;

use das_core::trd::{JobResult, ListJobs};

use super::client::{das_trd_client, trd_client};
use super::error::trd_error;
use super::job::{das_trd_job, trd_job};
use crate::error::Error;
use crate::ffi_boundary;
use crate::handle;
use crate::out;
use crate::result::das_result;
use crate::runtime::block_on;
use crate::strings::{input_optional_str, input_str, write_output};
use crate::webhook::{das_webhook, Webhook};

/// Writes a result as a new `das_webhook` to `out`.
///
/// # Safety
/// `out` is non-NULL and writable.
pub(crate) unsafe fn hand_out(result: JobResult, out: *mut *mut das_webhook) {
    let webhook = handle::into_raw::<das_webhook>(Webhook::new(result));
    // SAFETY: the caller checked `out` and guarantees it is writable.
    unsafe { out.write(webhook) };
}

/// `POST /job/create`: uploads the recording of `job` (streamed from disk) with its config,
/// callback URLs and tag; `*out` is the created job (normally `QUEUED`; its id via
/// `das_webhook_job_id`).
///
/// Errors: missing file `DAS_RESULT_IO`, empty file `DAS_RESULT_OUT_OF_RANGE`, a config item
/// that is neither `key=value` nor a JSON object `DAS_RESULT_PARSE`, credentials refused
/// `DAS_RESULT_AUTH`, TRD refused the job (400/413/422, message with the server's detail)
/// `DAS_RESULT_REJECTED`, busy through every retry or a failing server or gateway
/// (500/502/504) `DAS_RESULT_BUSY`, no answer
/// `DAS_RESULT_TIMEOUT`, unreachable `DAS_RESULT_CONNECT_REFUSED`.
///
/// Ownership: `client` and `job` are borrowed; the caller owns `*out` (`das_webhook_free`).
///
/// # Safety
/// `client` and `job` are live; `job` is used by no other thread during the call; `out` is
/// writable.
#[no_mangle]
pub unsafe extern "C" fn das_trd_create_job(
    client: *const das_trd_client,
    job: *const das_trd_job,
    out: *mut *mut das_webhook,
) -> das_result {
    ffi_boundary!({
        out::require(out, "out")?;
        let client = trd_client!(client);
        let request = trd_job!(job).clone();
        let created = block_on(client.create_job(&request))?.map_err(trd_error)?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { hand_out(created.into(), out) };
        Ok(())
    })
}

/// The job calls that take a job id and answer a job or result.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum das_trd_job_call {
    /// `GET /job/status/{id}`: the job without segments.
    Status = 1,
    /// `GET /job/result/{id}`: the whole result.
    Result = 2,
    /// `POST /job/stop/{id}`: the job after stopping it.
    Stop = 3,
    /// `POST /job/retry/{id}`: the job queued again.
    Retry = 4,
}

impl TryFrom<u32> for das_trd_job_call {
    type Error = Error;
    fn try_from(call: u32) -> Result<Self, Error> {
        Ok(match call {
            1 => Self::Status,
            2 => Self::Result,
            3 => Self::Stop,
            4 => Self::Retry,
            other => return Err(Error::invalid_enum("call", "das_trd_job_call", other)),
        })
    }
}

/// Runs `call` (a `das_trd_job_call`) on job `job_id`; `*out` is the answer.
///
/// Errors as `das_trd_create_job`, plus an unknown job `DAS_RESULT_NOT_FOUND`, an id that is
/// not 1-100 URL-safe characters `DAS_RESULT_PARSE`, an unknown `call`
/// `DAS_RESULT_INVALID_ENUM`.
///
/// Ownership: `job_id` is borrowed; the caller owns `*out` (`das_webhook_free`).
///
/// # Safety
/// `client` is live; `job_id` follows the string-input convention; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_trd_call(
    client: *const das_trd_client,
    call: u32,
    job_id: *const c_char,
    job_id_len: usize,
    out: *mut *mut das_webhook,
) -> das_result {
    ffi_boundary!({
        out::require(out, "out")?;
        // SAFETY: the caller upholds the string-input contract.
        let id = unsafe { input_str(job_id, job_id_len, "job_id") }?;
        let client = trd_client!(client);
        let answer = match das_trd_job_call::try_from(call)? {
            das_trd_job_call::Status => block_on(client.status(id))?.map(JobResult::from),
            das_trd_job_call::Result => block_on(client.result(id))?,
            das_trd_job_call::Stop => block_on(client.stop(id))?.map(JobResult::from),
            das_trd_job_call::Retry => block_on(client.retry(id))?.map(JobResult::from),
        }
        .map_err(trd_error)?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { hand_out(answer, out) };
        Ok(())
    })
}

/// `DELETE /job/{id}`. Errors as `das_trd_call`.
///
/// Ownership: `job_id` is borrowed.
///
/// # Safety
/// `client` is live; `job_id` follows the string-input convention.
#[no_mangle]
pub unsafe extern "C" fn das_trd_delete_job(
    client: *const das_trd_client,
    job_id: *const c_char,
    job_id_len: usize,
) -> das_result {
    ffi_boundary!({
        // SAFETY: the caller upholds the string-input contract.
        let id = unsafe { input_str(job_id, job_id_len, "job_id") }?;
        let client = trd_client!(client);
        block_on(client.delete(id))?.map_err(trd_error)
    })
}

/// `GET /job?page=&limit=&tag=`: copies `{"jobs": [...], "total": N|null}` into `buf`
/// (output-buffer convention). `page` and `limit` 0 leave them to TRD (1 and 100); `tag` NULL
/// lists every job. Errors as `das_trd_call`.
///
/// Ownership: strings are borrowed; `buf` and `written` are borrowed.
///
/// # Safety
/// `client` is live; `tag` follows the string-input convention (NULL allowed);
/// `buf`/`len`/`written` the output-buffer one.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn das_trd_list_jobs(
    client: *const das_trd_client,
    page: u32,
    limit: u32,
    tag: *const c_char,
    tag_len: usize,
    buf: *mut c_char,
    len: usize,
    written: *mut usize,
) -> das_result {
    ffi_boundary!({
        out::require(written, "written")?;
        // SAFETY: the caller upholds the string-input contract.
        let tag = unsafe { input_optional_str(tag, tag_len, "tag") }?;
        let client = trd_client!(client);
        let filter = ListJobs {
            page: (page > 0).then_some(page),
            limit: (limit > 0).then_some(limit),
            tag: tag.map(str::to_owned),
        };
        let page = block_on(client.list(&filter))?.map_err(trd_error)?;
        let text = serde_json::json!({"jobs": page.jobs, "total": page.total}).to_string();
        // SAFETY: the caller upholds the output-buffer contract.
        unsafe { write_output(&text, buf, len, written) }
    })
}
