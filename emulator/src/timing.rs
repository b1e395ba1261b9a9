//! The opt-in event timing log: one line per emitted session event with the wall-clock
//! time it was handed to Socket.IO, so a benchmark can measure event latency on the client
//! without putting timestamps into the protocol payloads.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// Why the timing log could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("cannot open the event timing log {path}: {source}")]
pub struct TimingLogError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// An append-only file of `call_id sequence event unix_ns bytes` lines. `sequence` counts
/// the events emitted on the session's socket from 1; `unix_ns` is CLOCK_REALTIME in
/// nanoseconds, comparable with any other process on the same machine; `bytes` is the
/// Socket.IO packet's length.
pub(crate) struct EventTimingLog {
    file: Mutex<File>,
}

impl EventTimingLog {
    pub(crate) fn open(path: &Path) -> Result<Self, TimingLogError> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|source| TimingLogError {
                path: path.to_owned(),
                source,
            })?;
        Ok(EventTimingLog {
            file: Mutex::new(file),
        })
    }

    /// Appends one line. One `write` per line keeps lines whole; a failed write costs
    /// the benchmark a sample, never the session, so it is only logged.
    pub(crate) fn record(
        &self,
        call_id: &str,
        sequence: u32,
        event: &str,
        sent: SystemTime,
        bytes: usize,
    ) {
        let unix_ns = sent
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        let line = format!("{call_id} {sequence} {event} {unix_ns} {bytes}\n");
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(error) = file.write_all(line.as_bytes()) {
            tracing::warn!(%error, "event timing log write failed");
        }
    }
}
