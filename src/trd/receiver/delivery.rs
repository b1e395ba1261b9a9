//! One accepted webhook delivery, handed to the application.

use std::fmt;
use std::path::{Path, PathBuf};

use bytes::Bytes;

use super::error::ReceiverError;
use crate::trd::JobResult;

/// A result TRD delivered and the receiver answered 200 for.
///
/// With a spool directory the body stays on disk until [`Delivery::ack`]; a delivery that is
/// dropped without `ack` is delivered again by the next receiver started on the same spool.
pub struct Delivery {
    /// The `job_id` of the URL path (equal to `result.job.id`).
    pub job_id: String,
    /// The callback name for `POST /{name}/{job_id}`, `None` for the root route.
    pub name: Option<String>,
    /// The parsed body.
    pub result: JobResult,
    /// The body exactly as received.
    pub body: Bytes,
    /// This receiver (or a previous one on the same spool) already handed off this job for
    /// this callback name: TRD delivered it again.
    pub duplicate: bool,
    /// Read back from the spool at start-up: a previous receiver accepted it but the
    /// application never acknowledged it.
    pub recovered: bool,
    pub(crate) spool_file: Option<PathBuf>,
}

impl Delivery {
    /// Tells the receiver the application has taken responsibility for this result: its spool
    /// file, if any, is deleted. Without a spool this does nothing.
    pub fn ack(self) -> Result<(), ReceiverError> {
        match &self.spool_file {
            Some(path) => match std::fs::remove_file(path) {
                Ok(()) => Ok(()),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(error) => Err(ReceiverError::spool(path)(error)),
            },
            None => Ok(()),
        }
    }

    /// The spool file holding this delivery until it is acknowledged.
    pub fn spool_file(&self) -> Option<&Path> {
        self.spool_file.as_deref()
    }
}

impl fmt::Debug for Delivery {
    // The raw body carries the shared token, so only its length is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delivery")
            .field("job_id", &self.job_id)
            .field("name", &self.name)
            .field("status", &self.result.job.status)
            .field("body_len", &self.body.len())
            .field("duplicate", &self.duplicate)
            .field("recovered", &self.recovered)
            .field("spool_file", &self.spool_file)
            .finish()
    }
}
