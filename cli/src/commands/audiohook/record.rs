//! Recording one server-side session: the received audio as a PCM16 WAV in the negotiated
//! channel order, and a JSON log of the session's events, each stamped with seconds since open.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use das::audio::codec::Codec;
use das::audio::wav::Wav;
use das::audiohook::messages::SAMPLE_RATE;
use das::audiohook::server::{ServerSession, SessionEnd, SessionEvent};
use serde_json::{json, Value};
use tokio::time::Instant;

/// The recording of one session, kept in memory until it ends.
pub struct Recording {
    opened: Instant,
    header: Value,
    events: Vec<Value>,
    channels: usize,
    samples: Vec<i16>,
}

impl Recording {
    /// Starts a recording with the session's `open` as its first event.
    pub fn start(session: &ServerSession) -> Recording {
        let opened_unix_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let header = json!({
            "session_id": session.session_id,
            "correlation_id": session.correlation_id,
            "conversation_id": session.open.conversation_id,
            "opened_unix_ms": opened_unix_ms,
            "media": session.media,
            "probe": session.is_probe(),
        });
        let mut recording = Recording {
            opened: Instant::now(),
            header,
            events: Vec::new(),
            // A probe sends no audio: nothing to record but its log.
            channels: match &session.media {
                Some(media) if !session.is_probe() => media.channels.len(),
                _ => 0,
            },
            samples: Vec::new(),
        };
        recording.log(json!({
            "event": "open",
            "parameters": session.open,
            "selected": session.media,
        }));
        recording
    }

    fn log(&mut self, mut entry: Value) {
        if let Value::Object(map) = &mut entry {
            let t = (self.opened.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
            map.insert("t".into(), json!(t));
        }
        self.events.push(entry);
    }

    /// Adds one session event to the log (audio also to the samples).
    pub fn event(&mut self, event: &SessionEvent) {
        let entry = match event {
            SessionEvent::Audio(frame) => {
                let frames = frame.samples.first().map_or(0, Vec::len);
                for i in 0..frames {
                    self.samples
                        .extend(frame.samples.iter().map(|channel| channel[i]));
                }
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
                SessionEnd::ConnectionLost => json!({"event": "connection-lost"}),
            },
        };
        self.log(entry);
    }

    /// Notes that the server stopped before the session ended.
    pub fn server_stopped(&mut self) {
        self.log(json!({"event": "server-stopped"}));
    }

    /// Seconds of audio received.
    pub fn seconds(&self) -> f64 {
        (self.samples.len() / self.channels.max(1)) as f64 / f64::from(SAMPLE_RATE)
    }

    /// Writes `dir/<session>.wav` (when media was selected, except for probes) and `dir/<session>.json`; returns
    /// the paths written.
    pub fn save(mut self, dir: &Path, session: &str) -> std::io::Result<Vec<PathBuf>> {
        let mut written = Vec::new();
        if self.channels > 0 {
            let wav = Wav {
                source_codec: Codec::L16,
                sample_rate: SAMPLE_RATE,
                channels: self.channels as u16,
                samples: std::mem::take(&mut self.samples),
            };
            let path = dir.join(format!("{session}.wav"));
            std::fs::write(&path, wav.to_bytes())?;
            self.header["wav"] = json!(path.file_name().and_then(|n| n.to_str()));
            written.push(path);
        }
        self.header["events"] = Value::Array(self.events);
        let path = dir.join(format!("{session}.json"));
        let text = serde_json::to_string_pretty(&self.header).map_err(std::io::Error::other)?;
        std::fs::write(&path, text)?;
        written.push(path);
        Ok(written)
    }
}
