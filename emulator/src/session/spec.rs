//! The validated content of an `initialize` request.

use std::fmt;

use das::audio::codec::Codec;

use crate::analysis::Voiceprint;

/// Which namespace the session was created on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Register,
    Verify,
}

/// The audio channel the session expects (`metadata.audio_protocol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioProtocol {
    Audiohook,
    Twilio,
}

impl fmt::Display for AudioProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AudioProtocol::Audiohook => "audiohook",
            AudioProtocol::Twilio => "twilio",
        })
    }
}

/// The wire format of the session's audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AudioFormat {
    pub codec: Codec,
    /// 8000, or 16000 with L16.
    pub sample_rate: u32,
    /// 1, or 2 (interleaved external, internal).
    pub channels: u16,
}

/// What a verification compares against.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifyTarget {
    pub reference: Voiceprint,
    pub score_threshold: f64,
}

/// A validated session request.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionSpec {
    pub kind: SessionKind,
    pub call_id: String,
    pub protocol: AudioProtocol,
    pub format: AudioFormat,
    /// Seconds of voice to collect before the result.
    pub audio_total_duration: f64,
    pub authenticity_threshold: f64,
    pub model_hash: String,
    /// Present exactly for [`SessionKind::Verify`].
    pub verify: Option<VerifyTarget>,
}
