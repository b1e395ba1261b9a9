//! The `das_webhook` handle: a parsed TRD result plus the NUL-terminated copies of the strings
//! lent to C, made on first request and kept until the handle is freed.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use das_core::trd::{JobResult, JobStatus};

use crate::error::Error;
use crate::handle::OpaqueHandle;
use crate::out::{CText, Lent};
use crate::result::das_result;

/// Largest webhook body accepted by `das_webhook_parse`, in bytes (64 MiB; TRD results of long
/// calls with word details run to a few MiB).
pub const DAS_MAX_BODY_LEN: usize = 64 << 20;

/// A parsed TRD job result. Create with `das_webhook_parse` (or `das_delivery_webhook`), read
/// with the getters, release with `das_webhook_free`. The getters (`const das_webhook *`) only
/// read and may run on several threads at once; `das_webhook_free` needs the handle to itself.
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

/// What a `das_webhook` owns. The getters take `const das_webhook *` and only read it, so
/// several threads may call them at once: the one thing they add, a string made on first
/// request, sits behind a lock and is never replaced or removed afterwards.
#[derive(Debug)]
pub struct Webhook {
    result: JobResult,
    texts: Mutex<BTreeMap<TextKey, CText>>,
}

impl Webhook {
    /// Wraps a parsed result.
    pub fn new(result: JobResult) -> Self {
        Self {
            result,
            texts: Mutex::new(BTreeMap::new()),
        }
    }

    /// The parsed result.
    pub fn result(&self) -> &JobResult {
        &self.result
    }

    /// The lent copy of the string `make` produces for `key`, made once (the same address for
    /// every caller); `NOT_PRESENT` (naming `what`) when it produces none. The copy lives until
    /// the handle is freed: its bytes are boxed, so the map may move it but never its text.
    pub fn text(
        &self,
        key: TextKey,
        what: &str,
        make: impl FnOnce(&JobResult) -> Result<Option<String>, Error>,
    ) -> Result<Lent, Error> {
        // A panic in `make` leaves the map as it was (nothing is inserted before it returns).
        let mut texts = self.texts.lock().unwrap_or_else(PoisonError::into_inner);
        let text = match texts.entry(key) {
            Entry::Occupied(made) => made.into_mut(),
            Entry::Vacant(slot) => {
                let text = make(&self.result)?.ok_or_else(|| not_present(what))?;
                slot.insert(CText::new(&text))
            }
        };
        Ok(Lent::from(&*text))
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
