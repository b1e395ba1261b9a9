//! Recording one server-side session as it happens: the received audio streamed into a PCM16
//! WAV in the negotiated channel order, and a JSON log of the session's events, each stamped
//! with seconds since open, written event by event. Nothing of the session is kept in
//! memory, and an existing recording is never overwritten.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use das::audio::wav_writer::{WavWriteError, WavWriter};
use das::audiohook::messages::SAMPLE_RATE;
use das::audiohook::server::{ServerSession, SessionEnd, SessionEvent};
use serde_json::{json, Value};
use tokio::time::Instant;

/// How many numbered alternatives (`<session>.1.wav`, …) are tried when a recording with
/// the session's name exists.
const MAX_ALTERNATIVES: u32 = 1000;

/// One session's recording: what was received, and its files when recording to disk.
pub struct Recording {
    opened: Instant,
    channels: usize,
    frames: u64,
    files: Option<Files>,
    /// The first thing that went wrong writing the files; the recording stops there.
    problem: Option<String>,
}

struct Files {
    wav: Option<(WavWriter<BufWriter<File>>, PathBuf)>,
    log: BufWriter<File>,
    log_path: PathBuf,
    events_logged: u64,
}

impl Recording {
    /// Starts recording `session`; into `dir` when given, else only counting its audio.
    pub fn start(session: &ServerSession, dir: Option<&Path>) -> Recording {
        // A probe sends no audio: nothing to record but its log.
        let channels = match &session.media {
            Some(media) if !session.is_probe() => media.channels.len(),
            _ => 0,
        };
        let mut recording = Recording {
            opened: Instant::now(),
            channels,
            frames: 0,
            files: None,
            problem: None,
        };
        if let Some(dir) = dir {
            match Files::create(dir, session, channels) {
                Ok(files) => recording.files = Some(files),
                Err(e) => recording.problem = Some(e.to_string()),
            }
        }
        recording.log(json!({
            "event": "open",
            "parameters": session.open,
            "selected": session.media,
        }));
        recording
    }

    fn log(&mut self, mut entry: Value) {
        let Some(files) = &mut self.files else { return };
        if let Value::Object(map) = &mut entry {
            let t = (self.opened.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
            map.insert("t".into(), json!(t));
        }
        if let Err(e) = files.log_event(&entry) {
            let problem = format!("{}: {e}", files.log_path.display());
            self.stop(problem);
        }
    }

    /// Stops writing after the first failure, keeping what was written.
    fn stop(&mut self, problem: String) {
        tracing::warn!(%problem, "recording stopped");
        self.problem.get_or_insert(problem);
        if let Some(files) = self.files.take() {
            if let Err(e) = files.finish() {
                tracing::warn!(error = %e, "cannot complete the recording");
            }
        }
    }

    /// Adds one session event to the log (audio also to the WAV).
    pub fn event(&mut self, event: &SessionEvent) {
        let entry = match event {
            SessionEvent::Audio(frame) => {
                let frames = frame.samples.first().map_or(0, Vec::len);
                self.frames += frames as u64;
                self.write_audio(&frame.samples, frames);
                json!({"event": "audio", "position": frame.position, "bytes": frame.raw.len(), "samples": frames})
            }
            SessionEvent::Paused { position } => json!({"event": "paused", "position": position}),
            SessionEvent::Resumed(gap) => json!({"event": "resumed", "gap": gap}),
            SessionEvent::Discarded(gap) => json!({"event": "discarded", "gap": gap}),
            SessionEvent::Update(update) => json!({"event": "update", "parameters": update}),
            SessionEvent::ClientError(error) => json!({"event": "error", "parameters": error}),
            SessionEvent::Ended(end) => match end {
                SessionEnd::Closed(reason) => json!({"event": "close", "reason": reason}),
                SessionEnd::ProtocolError(info) => {
                    json!({"event": "protocol-error", "info": info})
                }
                SessionEnd::Unauthorized(info) => json!({"event": "unauthorized", "info": info}),
                SessionEnd::RateExceeded(info) => json!({"event": "rate-exceeded", "info": info}),
                SessionEnd::ConnectionLost => json!({"event": "connection-lost"}),
            },
        };
        self.log(entry);
    }

    fn write_audio(&mut self, channels: &[Vec<i16>], frames: usize) {
        let Some((wav, path)) = self.files.as_mut().and_then(|f| f.wav.as_mut()) else {
            return;
        };
        let mut interleaved = Vec::with_capacity(frames * channels.len());
        for i in 0..frames {
            interleaved.extend(channels.iter().map(|channel| channel[i]));
        }
        match wav.write_samples(&interleaved) {
            Ok(()) => {}
            Err(WavWriteError::Full { max_bytes }) => {
                let problem = format!("{} is full ({max_bytes} bytes of audio)", path.display());
                self.stop(problem);
            }
            Err(e) => {
                let problem = format!("{}: {e}", path.display());
                self.stop(problem);
            }
        }
    }

    /// Notes that the server stopped before the session ended.
    pub fn server_stopped(&mut self) {
        self.log(json!({"event": "server-stopped"}));
    }

    /// Seconds of audio received.
    pub fn seconds(&self) -> f64 {
        if self.channels == 0 {
            return 0.0;
        }
        self.frames as f64 / f64::from(SAMPLE_RATE)
    }

    /// Completes the files; returns the paths written, or why the recording is incomplete.
    pub fn finish(mut self) -> Result<Vec<PathBuf>, String> {
        let written = match self.files.take() {
            Some(files) => files.finish().map_err(|e| e.to_string())?,
            None => Vec::new(),
        };
        match self.problem {
            Some(problem) => Err(problem),
            None => Ok(written),
        }
    }
}

impl Files {
    fn create(dir: &Path, session: &ServerSession, channels: usize) -> io::Result<Files> {
        let id = session.session_id.to_string();
        let (stem, log, wav) = claim_names(dir, &id, channels > 0)?;
        let opened_unix_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let mut header = json!({
            "session_id": session.session_id,
            "correlation_id": session.correlation_id,
            "conversation_id": session.open.conversation_id,
            "opened_unix_ms": opened_unix_ms,
            "media": session.media,
            "probe": session.is_probe(),
        });
        let wav = match wav {
            Some(file) => {
                let path = dir.join(format!("{stem}.wav"));
                header["wav"] = json!(format!("{stem}.wav"));
                let writer = WavWriter::new(BufWriter::new(file), channels as u16, SAMPLE_RATE)?;
                Some((writer, path))
            }
            None => None,
        };
        // The header's fields, then the events array, which `finish` closes.
        let text = serde_json::to_string_pretty(&header).map_err(io::Error::other)?;
        let fields = text.trim_end().trim_end_matches('}').trim_end();
        let mut log = BufWriter::new(log);
        write!(log, "{fields},\n  \"events\": [")?;
        Ok(Files {
            wav,
            log,
            log_path: dir.join(format!("{stem}.json")),
            events_logged: 0,
        })
    }

    fn log_event(&mut self, entry: &Value) -> io::Result<()> {
        let separator = if self.events_logged == 0 {
            "\n    "
        } else {
            ",\n    "
        };
        self.log.write_all(separator.as_bytes())?;
        serde_json::to_writer(&mut self.log, entry).map_err(io::Error::other)?;
        self.events_logged += 1;
        Ok(())
    }

    fn finish(mut self) -> io::Result<Vec<PathBuf>> {
        let mut written = Vec::new();
        if let Some((wav, path)) = self.wav.take() {
            wav.finish()?
                .into_inner()
                .map_err(|e| e.into_error())?
                .sync_all()?;
            written.push(path);
        }
        self.log.write_all(b"\n  ]\n}\n")?;
        self.log.flush()?;
        written.push(self.log_path);
        Ok(written)
    }
}

/// Creates `<stem>.json` (and `<stem>.wav`) for `id` without replacing any file: the first
/// of `id`, `id.1`, `id.2`, … whose files do not exist yet.
fn claim_names(dir: &Path, id: &str, wav: bool) -> io::Result<(String, File, Option<File>)> {
    let create = |path: PathBuf| OpenOptions::new().write(true).create_new(true).open(path);
    for n in 0..=MAX_ALTERNATIVES {
        let stem = if n == 0 {
            id.to_owned()
        } else {
            format!("{id}.{n}")
        };
        let log = match create(dir.join(format!("{stem}.json"))) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        };
        if !wav {
            return Ok((stem, log, None));
        }
        match create(dir.join(format!("{stem}.wav"))) {
            Ok(file) => return Ok((stem, log, Some(file))),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                // Ours, just created and still empty: give the name back.
                drop(log);
                std::fs::remove_file(dir.join(format!("{stem}.json")))?;
            }
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("recordings of session {id} already exist up to {id}.{MAX_ALTERNATIVES}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_already_taken_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("s.wav"), b"earlier").unwrap();
        std::fs::write(dir.path().join("s.1.json"), b"earlier").unwrap();
        let (stem, _, wav) = claim_names(dir.path(), "s", true).unwrap();
        assert_eq!(stem, "s.2");
        assert!(wav.is_some());
        assert_eq!(std::fs::read(dir.path().join("s.wav")).unwrap(), b"earlier");
        assert_eq!(
            std::fs::read(dir.path().join("s.1.json")).unwrap(),
            b"earlier"
        );
        assert!(
            !dir.path().join("s.json").exists(),
            "the half-claimed name was given back"
        );
        let (stem, _, wav) = claim_names(dir.path(), "probe", false).unwrap();
        assert_eq!((stem.as_str(), wav.is_none()), ("probe", true));
    }
}
