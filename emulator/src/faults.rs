//! Fault-injection switches: each one makes the emulator misbehave in one documented way,
//! so clients can test their error paths against a real peer.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Fault switches. All off by default; change them live with
/// [`crate::EmulatorHandle::set_faults`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// The token endpoint answers 401 `invalid_client` for every request.
    pub reject_auth: bool,
    /// Tokens stop being accepted this many seconds after issue (while `expires_in` still
    /// reports the configured lifetime).
    pub expire_tokens_after_secs: Option<u64>,
    /// The server disconnects the Socket.IO namespace after emitting this many events.
    pub drop_signalling_after_events: Option<u32>,
    /// `info-consumer-ready` is emitted this many milliseconds late.
    pub delay_consumer_ready_ms: Option<u64>,
    /// The audio consumer closes the audio socket after this many media messages, before
    /// any result; the session then fails with reason `audio_ended`.
    pub close_audio_after_messages: Option<u32>,
    /// Right after `info-consumer-ready`, emit an `info-vad-status` whose fields have the
    /// wrong types (see docs/emulator.md, "Fault injection").
    pub malformed_event: bool,
    /// Right after `info-consumer-ready`, emit an `x-oversized` event whose `padding`
    /// field holds this many bytes (to exceed a client's largest accepted message).
    pub oversized_event_bytes: Option<usize>,
    /// The audio consumer (AudioHook or Twilio) stops reading after this many media
    /// messages and waits for the session to end, so the client's writes back up (a slow
    /// consumer). AudioHook: the server's event queue (1,024 messages) fills first.
    pub stall_audio_after_messages: Option<u32>,
    /// The AudioHook consumer sends `pause` after this much audio and `resume` later.
    pub audiohook_pause: Option<AudiohookPause>,
    /// TRD API requests (`/trd/v3/...`) are answered with an error status instead of being
    /// served: 413 (quota), 429 (too many requests), 503 (busy), or any other status (500,
    /// 502, 504: a failing server or gateway).
    pub trd_reject: Option<TrdReject>,
}

/// Which TRD answers are replaced by an error, and how many.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrdReject {
    /// The HTTP status to answer (413, 429 and 503 are the ones TRD documents).
    pub status: u16,
    /// How many requests get it, counted from when the switch was set; `None`: all.
    #[serde(default)]
    pub count: Option<u32>,
    /// The `Retry-After` header, in seconds, when given.
    #[serde(default)]
    pub retry_after_secs: Option<u64>,
}

/// When the AudioHook consumer pauses the stream, and for how long.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AudiohookPause {
    /// Seconds of received audio after which the server sends `pause`.
    pub after_audio_secs: f64,
    /// Milliseconds between `pause` and `resume`.
    pub resume_after_ms: u64,
}

impl AudiohookPause {
    /// `after_audio_secs` as a duration: any number the JSON holds, a negative one as zero,
    /// one past what a `Duration` holds as never.
    pub fn after_audio(&self) -> Duration {
        Duration::try_from_secs_f64(self.after_audio_secs.max(0.0)).unwrap_or(Duration::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pause_after_any_number_of_seconds_is_a_duration() {
        let pause = |after_audio_secs| AudiohookPause {
            after_audio_secs,
            resume_after_ms: 0,
        };
        assert_eq!(pause(1.5).after_audio(), Duration::from_millis(1500));
        assert_eq!(pause(-3.0).after_audio(), Duration::ZERO);
        assert_eq!(pause(1e300).after_audio(), Duration::MAX);
    }
}
