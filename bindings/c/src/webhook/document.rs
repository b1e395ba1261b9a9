//! The `das_webhook` handle: a parsed TRD result plus the NUL-terminated copies of the strings
//! lent to C, made on first request and kept until the handle is freed.

use std::collections::BTreeMap;

use das_core::trd::{JobResult, JobStatus};

use crate::error::Error;
use crate::handle::OpaqueHandle;
use crate::out::CText;
use crate::result::das_result;

/// Largest webhook body accepted by `das_webhook_parse`, in bytes (64 MiB; TRD results of long
/// calls with word details run to a few MiB).
pub const DAS_MAX_BODY_LEN: usize = 64 << 20;

/// A parsed TRD job result. Create with `das_webhook_parse` (or `das_delivery_webhook`), read
/// with the getters, release with `das_webhook_free`. Not thread-safe: one thread at a time.
#[allow(non_camel_case_types)]
pub struct das_webhook {
    _private: [u8; 0],
}

// SAFETY: `das_webhook` is a zero-sized marker that is never constructed.
unsafe impl OpaqueHandle for das_webhook {
    type Rust = Webhook;
    const NAME: &'static str = "das_webhook";
}

/// `job.status` as a number. Unknown statuses are `DAS_JOB_STATUS_OTHER`; the string getter
/// `das_webhook_status` always has the exact value.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum das_job_status {
    /// A status this library does not know (read it with `das_webhook_status`).
    Other = 0,
    /// `QUEUED`: waiting for normalization.
    Queued = 1,
    /// `IN_PROGRESS`: being transcribed.
    InProgress = 2,
    /// `COMPLETED`: segments hold the transcript.
    Completed = 3,
    /// `FAILED`: see `das_webhook_failure_reason`.
    Failed = 4,
}

impl From<&JobStatus> for das_job_status {
    fn from(status: &JobStatus) -> Self {
        match status {
            JobStatus::Queued => Self::Queued,
            JobStatus::InProgress => Self::InProgress,
            JobStatus::Completed => Self::Completed,
            JobStatus::Failed => Self::Failed,
            JobStatus::Other(_) => Self::Other,
        }
    }
}

/// Which string a lent pointer belongs to, so asking twice returns the same pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TextKey {
    JobId,
    Status,
    FailureReason,
    Json,
    Transcript,
    TranscriptOfChannel(u32),
    SegmentSpeaker(usize),
    SegmentStatus(usize),
    AlternativeText(usize, usize),
    WordText(usize, usize, usize),
}

/// What a `das_webhook` owns.
#[derive(Debug)]
pub struct Webhook {
    result: JobResult,
    texts: BTreeMap<TextKey, CText>,
}

impl Webhook {
    /// Wraps a parsed result.
    pub fn new(result: JobResult) -> Self {
        Self {
            result,
            texts: BTreeMap::new(),
        }
    }

    /// The parsed result.
    pub fn result(&self) -> &JobResult {
        &self.result
    }

    /// The lent copy of the string `make` produces for `key`; `NOT_PRESENT` (naming `what`)
    /// when it produces none. The copy lives until the handle is freed.
    pub fn text(
        &mut self,
        key: TextKey,
        what: &str,
        make: impl FnOnce(&JobResult) -> Result<Option<String>, Error>,
    ) -> Result<&CText, Error> {
        if !self.texts.contains_key(&key) {
            let text = make(&self.result)?.ok_or_else(|| not_present(what))?;
            self.texts.insert(key, CText::new(&text));
        }
        Ok(&self.texts[&key])
    }
}

/// `NOT_PRESENT` for an absent optional field.
pub fn not_present(what: &str) -> Error {
    Error::new(das_result::NotPresent, format!("the webhook has no {what}"))
}

/// `OUT_OF_RANGE` for an index past the end of a list.
pub fn checked_index(items: usize, index: usize, what: &str) -> Result<usize, Error> {
    if index < items {
        Ok(index)
    } else {
        Err(Error::out_of_range(
            what,
            format!("index {index} but there are {items}"),
        ))
    }
}
