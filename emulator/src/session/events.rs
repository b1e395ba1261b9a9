//! Server events, serialised with their fields in the documented order.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

/// Why a session ended without a result (`reason` of `result-failure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FailureReason {
    /// The audio channel ended before enough voice was collected.
    AudioEnded,
    /// No audio (or no further audio) arrived within `audio_timeout_ms`.
    AudioTimeout,
    /// Enough voice, but the emulated authenticity is under the requested threshold.
    AuthenticityBelowThreshold,
}

impl FailureReason {
    fn code(self) -> &'static str {
        match self {
            FailureReason::AudioEnded => "audio_ended",
            FailureReason::AudioTimeout => "audio_timeout",
            FailureReason::AuthenticityBelowThreshold => "authenticity_below_threshold",
        }
    }
}

/// One event the emulator emits on a session namespace.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Event {
    ConsumerReady,
    VadStatus {
        audio_seconds: f64,
        vad_percentage: u64,
    },
    Registered {
        authenticity: f64,
        voice_audio_collected: f64,
        credential: String,
    },
    Verified {
        authenticity: f64,
        voice_audio_collected: f64,
        accepted: bool,
        score: f64,
    },
    Failure {
        reason: FailureReason,
        content: String,
        audio_seconds: f64,
        voice_audio_collected: f64,
    },
    Error {
        code: &'static str,
        content: String,
        field: Option<String>,
    },
    /// The `malformed_event` fault: a VAD status whose fields have the wrong types.
    Malformed,
    /// The `oversized_event_bytes` fault: an event padded to at least this many bytes.
    Oversized {
        padding: usize,
    },
}

impl Event {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Event::ConsumerReady => "info-consumer-ready",
            Event::VadStatus { .. } | Event::Malformed => "info-vad-status",
            Event::Registered { .. } | Event::Verified { .. } => "result-success",
            Event::Failure { .. } => "result-failure",
            Event::Error { .. } => "error",
            Event::Oversized { .. } => "x-oversized",
        }
    }
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("event", self.name())?;
        match self {
            Event::ConsumerReady => {
                map.serialize_entry(
                    "content",
                    "Audio consumer for provided audio protocol is ready",
                )?;
            }
            Event::VadStatus {
                audio_seconds,
                vad_percentage,
            } => {
                map.serialize_entry("content", "Voice activity detection percentage")?;
                map.serialize_entry("audio_seconds", audio_seconds)?;
                map.serialize_entry("vad_percentage", vad_percentage)?;
            }
            Event::Registered {
                authenticity,
                voice_audio_collected,
                credential,
            } => {
                map.serialize_entry("authenticity", authenticity)?;
                map.serialize_entry("voice_audio_collected", voice_audio_collected)?;
                map.serialize_entry("content", "Registration: approved")?;
                map.serialize_entry("credential", credential)?;
            }
            Event::Verified {
                authenticity,
                voice_audio_collected,
                accepted,
                score,
            } => {
                map.serialize_entry("authenticity", authenticity)?;
                map.serialize_entry("voice_audio_collected", voice_audio_collected)?;
                let verdict = if *accepted { "accepted" } else { "rejected" };
                map.serialize_entry("content", &format!("Verification: {verdict}"))?;
                map.serialize_entry("score", score)?;
            }
            Event::Failure {
                reason,
                content,
                audio_seconds,
                voice_audio_collected,
            } => {
                map.serialize_entry("content", content)?;
                map.serialize_entry("reason", reason.code())?;
                map.serialize_entry("audio_seconds", audio_seconds)?;
                map.serialize_entry("voice_audio_collected", voice_audio_collected)?;
            }
            Event::Error {
                code,
                content,
                field,
            } => {
                map.serialize_entry("content", content)?;
                map.serialize_entry("code", code)?;
                if let Some(field) = field {
                    map.serialize_entry("field", field)?;
                }
            }
            Event::Malformed => {
                map.serialize_entry("content", &42)?;
                map.serialize_entry("audio_seconds", "not-a-number")?;
                map.serialize_entry("vad_percentage", &serde_json::Value::Null)?;
            }
            Event::Oversized { padding } => {
                map.serialize_entry("content", "fault: oversized event")?;
                map.serialize_entry("padding", &"x".repeat(*padding))?;
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn python_json(event: &Event) -> String {
        crate::python_json(&serde_json::to_value(event).unwrap())
    }

    #[test]
    fn events_print_exactly_like_the_documented_example() {
        assert_eq!(
            python_json(&Event::ConsumerReady),
            r#"{"event": "info-consumer-ready", "content": "Audio consumer for provided audio protocol is ready"}"#
        );
        let status = Event::VadStatus {
            audio_seconds: 0.0,
            vad_percentage: 0,
        };
        assert_eq!(
            python_json(&status),
            r#"{"event": "info-vad-status", "content": "Voice activity detection percentage", "audio_seconds": 0.0, "vad_percentage": 0}"#
        );
        let result = Event::Registered {
            authenticity: 0.99,
            voice_audio_collected: 5.13,
            credential: "$CREDENTIAL".into(),
        };
        assert_eq!(
            python_json(&result),
            r#"{"event": "result-success", "authenticity": 0.99, "voice_audio_collected": 5.13, "content": "Registration: approved", "credential": "$CREDENTIAL"}"#
        );
    }

    #[test]
    fn failure_and_error_carry_codes() {
        let failure = Event::Failure {
            reason: FailureReason::AudioTimeout,
            content: "no audio".into(),
            audio_seconds: 0.0,
            voice_audio_collected: 0.0,
        };
        let value = serde_json::to_value(&failure).unwrap();
        assert_eq!(value["event"], "result-failure");
        assert_eq!(value["reason"], "audio_timeout");
        let error = Event::Error {
            code: "invalid_request",
            content: "bad".into(),
            field: Some("metadata.channels".into()),
        };
        let value = serde_json::to_value(&error).unwrap();
        assert_eq!(value["field"], "metadata.channels");
    }
}
