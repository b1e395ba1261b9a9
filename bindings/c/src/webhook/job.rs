//! `das_webhook_parse` / `_free` and the job-level getters: id, status, failure reason, output
//! channels, transcripts, JSON and the token check.

use std::ffi::c_char;

use das_core::trd::{parse_webhook, verify_token};

use super::document::{checked_index, das_job_status, das_webhook, not_present, TextKey, Webhook};
use super::DAS_MAX_BODY_LEN;
use crate::error::Error;
use crate::ffi_boundary;
use crate::handle;
use crate::out::{self, lend};
use crate::result::das_result;
use crate::strings::input_str;

/// Borrows the webhook behind a `const das_webhook *` for reading.
macro_rules! webhook {
    ($webhook:ident) => {
        // SAFETY: the caller upholds the handle contract: no free during a getter.
        unsafe { handle::borrow_shared($webhook, "webhook") }?
    };
}
pub(crate) use webhook;

/// Borrows `len` bytes of a caller body, refusing NULL and lengths over `DAS_MAX_BODY_LEN`.
///
/// # Safety
/// `body` must be NULL or point to `len` readable bytes that stay valid for `'a`.
pub(crate) unsafe fn input_body<'a>(body: *const u8, len: usize) -> Result<&'a [u8], Error> {
    if body.is_null() {
        return Err(Error::null("body"));
    }
    if len > DAS_MAX_BODY_LEN {
        return Err(Error::out_of_range(
            "len",
            format!("{len} bytes exceeds DAS_MAX_BODY_LEN ({DAS_MAX_BODY_LEN})"),
        ));
    }
    // SAFETY: non-NULL, at most 64 MiB, readable as the caller promised.
    Ok(unsafe { std::slice::from_raw_parts(body, len) })
}

/// Parses a TRD webhook body (the JSON job result TRD POSTs). Pure: no runtime, no I/O.
///
/// Not JSON, the wrong shape, or truncated: `DAS_RESULT_PARSE` with a message naming the JSON
/// path, line and column (`invalid TRD result at `segments[0].start` (line 3, column 18): ...`).
/// Unknown fields are kept (see `das_webhook_to_json`); unknown statuses are kept verbatim.
///
/// Ownership: `body` is borrowed for the call; the caller owns `*out` and releases it with
/// `das_webhook_free`.
///
/// # Safety
/// `body` points to `len` readable bytes; `out` points to a writable `das_webhook *`.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_parse(
    body: *const u8,
    len: usize,
    out: *mut *mut das_webhook,
) -> das_result {
    ffi_boundary!({
        out::require(out, "out")?;
        // SAFETY: the caller upholds the buffer contract.
        let body = unsafe { input_body(body, len) }?;
        let result =
            parse_webhook(body).map_err(|e| Error::new(das_result::Parse, e.to_string()))?;
        let webhook = handle::into_raw::<das_webhook>(Webhook::new(result));
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { out.write(webhook) };
        Ok(())
    })
}

/// Releases a webhook and every string lent from it. NULL is ignored; a pointer that is not a
/// live webhook is ignored and recorded as the last error.
///
/// Ownership: takes ownership of `webhook`.
///
/// # Safety
/// No other thread may be using `webhook`.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_free(webhook: *mut das_webhook) {
    ffi_boundary!({
        // SAFETY: the caller guarantees exclusive use.
        unsafe { handle::free(webhook, "webhook") }
    })
}

/// Lends the whole result as compact JSON, every field kept (unknown ones too), keys in the
/// order received. That includes the shared `token`, a secret: do not log it as it is.
///
/// Ownership: `*json` (NUL-terminated, `*len` bytes without the NUL) is owned by `webhook` and
/// valid until `das_webhook_free`.
///
/// # Safety
/// `webhook` is a live webhook; `json` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_to_json(
    webhook: *const das_webhook,
    json: *mut *const c_char,
    len: *mut usize,
) -> das_result {
    ffi_boundary!({
        let webhook = webhook!(webhook);
        let text = webhook.text(TextKey::Json, "JSON", |r| Ok(Some(r.to_json())))?;
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { lend(text, json, len) }
    })
}

/// Checks the body's top-level `token` against the one expected, in constant time:
/// `DAS_RESULT_OK`, or `DAS_RESULT_INVALID_TOKEN` when the body has no token or another one, or
/// when `token` is empty (an unset setting would otherwise accept `"token": ""`).
///
/// Ownership: `token` is borrowed for the call; it is never logged.
///
/// # Safety
/// `webhook` is a live webhook; `token`/`len` follow the string-input convention.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_verify_token(
    webhook: *const das_webhook,
    token: *const c_char,
    len: usize,
) -> das_result {
    ffi_boundary!({
        let webhook = webhook!(webhook);
        // SAFETY: the caller upholds the string-input contract.
        let expected = unsafe { input_str(token, len, "token") }?;
        verify_token(webhook.result(), expected)
            .map_err(|e| Error::new(das_result::InvalidToken, e.to_string()))
    })
}

/// Lends `job.id`.
///
/// Ownership: `*id` is owned by `webhook` and valid until `das_webhook_free` (NUL-terminated).
///
/// # Safety
/// `webhook` is a live webhook; `id` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_job_id(
    webhook: *const das_webhook,
    id: *mut *const c_char,
    len: *mut usize,
) -> das_result {
    ffi_boundary!({
        let webhook = webhook!(webhook);
        let text = webhook.text(TextKey::JobId, "job id", |r| Ok(Some(r.job.id.clone())))?;
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { lend(text, id, len) }
    })
}

/// Lends `job.status` exactly as received (`"COMPLETED"`, `"FAILED"`, or any other value).
///
/// Ownership: `*status` is owned by `webhook` and valid until `das_webhook_free`.
///
/// # Safety
/// `webhook` is a live webhook; `status` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_status(
    webhook: *const das_webhook,
    status: *mut *const c_char,
    len: *mut usize,
) -> das_result {
    ffi_boundary!({
        let webhook = webhook!(webhook);
        let text = webhook.text(TextKey::Status, "status", |r| {
            Ok(Some(r.job.status.as_str().to_owned()))
        })?;
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { lend(text, status, len) }
    })
}

/// Writes `job.status` as a `das_job_status` (`DAS_JOB_STATUS_OTHER` for unknown values).
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `webhook` is a live webhook; `status` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_job_status(
    webhook: *const das_webhook,
    status: *mut das_job_status,
) -> das_result {
    ffi_boundary!({
        let webhook = webhook!(webhook);
        let value = das_job_status::from(&webhook.result().job.status);
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { out::write(status, value, "status") }
    })
}

/// Lends `job.failure_reason`; `DAS_RESULT_NOT_PRESENT` when it is `null` or absent. TRD
/// sends `""` on jobs that did not fail: that is lent as is (`*len` 0), so test the status,
/// not this call, to know whether the job failed.
///
/// Ownership: `*reason` is owned by `webhook` and valid until `das_webhook_free`.
///
/// # Safety
/// `webhook` is a live webhook; `reason` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_failure_reason(
    webhook: *const das_webhook,
    reason: *mut *const c_char,
    len: *mut usize,
) -> das_result {
    ffi_boundary!({
        out::require(reason, "reason")?;
        let webhook = webhook!(webhook);
        let text = webhook.text(TextKey::FailureReason, "failure reason", |r| {
            Ok(r.job.failure_reason.clone())
        })?;
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { lend(text, reason, len) }
    })
}

/// Writes the number of output channels described in `job.media.output.channels` (0 when
/// absent).
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `webhook` is a live webhook; `count` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_channel_count(
    webhook: *const das_webhook,
    count: *mut usize,
) -> das_result {
    ffi_boundary!({
        let webhook = webhook!(webhook);
        let value = webhook.result().output_channels().len();
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { out::write(count, value, "count") }
    })
}

/// Writes the channel number and duration in seconds of output channel `index`
/// (`0..das_webhook_channel_count`). `DAS_RESULT_OUT_OF_RANGE` past the end;
/// `DAS_RESULT_NOT_PRESENT` when that channel has no duration (nothing is written then).
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `webhook` is a live webhook; `channel` and `seconds` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_channel(
    webhook: *const das_webhook,
    index: usize,
    channel: *mut u32,
    seconds: *mut f64,
) -> das_result {
    ffi_boundary!({
        out::require(channel, "channel")?;
        out::require(seconds, "seconds")?;
        let webhook = webhook!(webhook);
        let channels = webhook.result().output_channels();
        let entry = &channels[checked_index(channels.len(), index, "index")?];
        let duration = entry
            .duration
            .ok_or_else(|| not_present("channel duration"))?;
        // SAFETY: both checked non-NULL above; the caller guarantees they are writable.
        unsafe {
            channel.write(entry.channel);
            seconds.write(duration);
        }
        Ok(())
    })
}

/// Lends the whole transcript: the best hypothesis of every segment in time order, separated by
/// spaces (`""` when nothing was recognized).
///
/// Ownership: `*text` is owned by `webhook` and valid until `das_webhook_free`.
///
/// # Safety
/// `webhook` is a live webhook; `text` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_transcript(
    webhook: *const das_webhook,
    text: *mut *const c_char,
    len: *mut usize,
) -> das_result {
    ffi_boundary!({
        let webhook = webhook!(webhook);
        let value = webhook.text(TextKey::Transcript, "transcript", |r| {
            Ok(Some(r.transcript()))
        })?;
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { lend(value, text, len) }
    })
}

/// Lends the transcript of one audio channel (segments whose `channel` equals `channel`), in
/// time order; `""` for a channel without recognized text.
///
/// Ownership: `*text` is owned by `webhook` and valid until `das_webhook_free`.
///
/// # Safety
/// `webhook` is a live webhook; `text` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_transcript_of_channel(
    webhook: *const das_webhook,
    channel: u32,
    text: *mut *const c_char,
    len: *mut usize,
) -> das_result {
    ffi_boundary!({
        let webhook = webhook!(webhook);
        let value = webhook.text(TextKey::TranscriptOfChannel(channel), "transcript", |r| {
            Ok(Some(r.transcript_of_channel(channel)))
        })?;
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { lend(value, text, len) }
    })
}
