//! The spool directory: each accepted body is written to a temporary file, fsynced, renamed to
//! its final name and the directory fsynced, all before the receiver answers 200. A file is
//! deleted when the application acknowledges it; whatever remains is delivered again on restart.
//!
//! File names are `{unix_nanos:020}-{counter:06}@{name}@{job_id}.json` (`name` empty for the root
//! route), so sorting by name gives arrival order. Path segments are restricted to URL-unreserved
//! characters before they get here, so they are safe in file names.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use super::error::ReceiverError;

const TEMP_PREFIX: &str = ".tmp-";
const SUFFIX: &str = ".json";
const REJECTED_SUFFIX: &str = ".rejected";

pub(crate) struct Spool {
    dir: PathBuf,
    counter: AtomicU64,
}

/// A file found in the spool at start-up.
pub(crate) struct PendingFile {
    pub(crate) path: PathBuf,
    pub(crate) name: Option<String>,
    pub(crate) job_id: String,
    pub(crate) body: Vec<u8>,
}

impl Spool {
    /// Opens (creating if needed) the spool directory and removes temporary files of writes that
    /// never completed: those deliveries were not answered 200, so TRD sends them again.
    pub(crate) fn open(dir: &Path) -> Result<Spool, ReceiverError> {
        fs::create_dir_all(dir).map_err(ReceiverError::spool(dir))?;
        for entry in fs::read_dir(dir).map_err(ReceiverError::spool(dir))? {
            let path = entry.map_err(ReceiverError::spool(dir))?.path();
            if file_name(&path).starts_with(TEMP_PREFIX) {
                fs::remove_file(&path).map_err(ReceiverError::spool(&path))?;
            }
        }
        Ok(Spool {
            dir: dir.to_owned(),
            counter: AtomicU64::new(0),
        })
    }

    /// Durably stores one body and returns its final path.
    pub(crate) fn store(
        &self,
        name: Option<&str>,
        job_id: &str,
        body: &[u8],
    ) -> Result<PathBuf, ReceiverError> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let sequence = self.counter.fetch_add(1, Ordering::Relaxed) % 1_000_000;
        let stem = format!("{nanos:020}-{sequence:06}");
        let temp = self.dir.join(format!("{TEMP_PREFIX}{stem}"));
        let target = self.dir.join(format!(
            "{stem}@{}@{job_id}{SUFFIX}",
            name.unwrap_or_default()
        ));
        let write = || -> std::io::Result<()> {
            // Owner-only: the body carries the webhook token.
            let mut file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&temp)?;
            file.write_all(body)?;
            file.sync_all()?;
            fs::rename(&temp, &target)?;
            File::open(&self.dir)?.sync_all()
        };
        write().map_err(|error| {
            // Best effort: a leftover temporary file is removed at the next start anyway.
            let _ = fs::remove_file(&temp);
            ReceiverError::spool(&target)(error)
        })?;
        Ok(target)
    }

    /// Every stored delivery, oldest first. A file whose name does not follow the scheme is
    /// renamed to `*.rejected` (kept for inspection, never deleted).
    pub(crate) fn pending(&self) -> Result<Vec<PendingFile>, ReceiverError> {
        let mut paths = Vec::new();
        for entry in fs::read_dir(&self.dir).map_err(ReceiverError::spool(&self.dir))? {
            let path = entry.map_err(ReceiverError::spool(&self.dir))?.path();
            if file_name(&path).ends_with(SUFFIX) {
                paths.push(path);
            }
        }
        paths.sort();
        let mut pending = Vec::new();
        for path in paths {
            let Some((name, job_id)) = parse_file_name(file_name(&path)) else {
                self.reject(&path)?;
                continue;
            };
            let body = fs::read(&path).map_err(ReceiverError::spool(&path))?;
            pending.push(PendingFile {
                path,
                name,
                job_id,
                body,
            });
        }
        Ok(pending)
    }

    /// Moves a file aside so it is neither redelivered nor lost.
    pub(crate) fn reject(&self, path: &Path) -> Result<(), ReceiverError> {
        let mut rejected = path.as_os_str().to_owned();
        rejected.push(REJECTED_SUFFIX);
        fs::rename(path, &rejected).map_err(ReceiverError::spool(path))
    }
}

fn file_name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

fn parse_file_name(file: &str) -> Option<(Option<String>, String)> {
    let stem = file.strip_suffix(SUFFIX)?;
    let mut parts = stem.split('@');
    let (_order, name, job_id) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || job_id.is_empty() {
        return None;
    }
    let name = (!name.is_empty()).then(|| name.to_owned());
    Some((name, job_id.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_lists_in_order_and_cleans_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".tmp-partial"), b"half").unwrap();
        std::fs::write(dir.path().join("garbage.json"), b"{}").unwrap();
        let spool = Spool::open(dir.path()).unwrap();
        assert!(!dir.path().join(".tmp-partial").exists());
        spool.store(None, "job1", b"one").unwrap();
        spool.store(Some("crm"), "job2", b"two").unwrap();
        let pending = spool.pending().unwrap();
        assert_eq!(pending.len(), 2);
        assert_eq!(
            (pending[0].name.as_deref(), pending[0].job_id.as_str()),
            (None, "job1")
        );
        assert_eq!(pending[0].body, b"one");
        assert_eq!(pending[1].name.as_deref(), Some("crm"));
        assert!(dir.path().join("garbage.json.rejected").exists());
    }

    #[test]
    fn stored_bodies_are_readable_by_their_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::open(dir.path()).unwrap();
        let stored = spool.store(None, "job1", b"{\"token\": \"t\"}").unwrap();
        let mode = std::fs::metadata(stored).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
