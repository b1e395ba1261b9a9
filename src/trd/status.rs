//! Open status enums: the documented values are variants, anything else is kept as `Other`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value this library does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            /// The value as written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)*
                    $name::Other(other) => other,
                }
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $($wire => $name::$variant,)*
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let key = $crate::trd::wire::Key::deserialize(deserializer)?;
                Ok($name::from(key.0.as_ref()))
            }
        }

        /// Any string, as `Deserialize` reads it.
        impl<'de> $crate::trd::tape::FromTape<'de> for $name {
            fn from_tape(tape: &mut $crate::trd::tape::Cursor<'_, 'de>) -> Option<Self> {
                tape.string().map($name::from)
            }
        }
    };
}

open_enum! {
    /// `job.status`. TRD documents these four; others (e.g. after `job/stop`) may exist.
    JobStatus {
        /// Waiting for normalization to start.
        Queued = "QUEUED",
        /// In the recognition/transcription pipeline.
        InProgress = "IN_PROGRESS",
        /// Finished; segments hold the transcript.
        Completed = "COMPLETED",
        /// Could not be transcribed; see `failure_reason`.
        Failed = "FAILED",
    }
}

open_enum! {
    /// `segments[].status`: the CPqD ASR recognition status of one segment.
    SegmentStatus {
        /// No recognition has run.
        None = "NONE",
        /// Recognition is running.
        Processing = "PROCESSING",
        /// Recognized; `alternatives` hold the text.
        Recognized = "RECOGNIZED",
        /// Speech was found but nothing matched.
        NoMatch = "NO_MATCH",
        /// No speech was found.
        NoInputTimeout = "NO_INPUT_TIMEOUT",
        /// The speech was too long.
        MaxSpeech = "MAX_SPEECH",
        /// Speech started without a leading silence margin.
        EarlySpeech = "EARLY_SPEECH",
        /// Recognition took too long.
        RecognitionTimeout = "RECOGNITION_TIMEOUT",
        /// The input ended with no speech.
        NoSpeech = "NO_SPEECH",
        /// Recognition was cancelled.
        Canceled = "CANCELED",
        /// Recognition failed.
        Failure = "FAILURE",
    }
}

crate::trd::wire::required_wire_fields!(JobStatus);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_values_round_trip() {
        for text in [
            "QUEUED",
            "IN_PROGRESS",
            "COMPLETED",
            "FAILED",
            "STOPPED",
            "",
        ] {
            let status = JobStatus::from(text);
            assert_eq!(status.as_str(), text);
        }
        assert_eq!(JobStatus::from("COMPLETED"), JobStatus::Completed);
        assert_eq!(SegmentStatus::from("NO_MATCH"), SegmentStatus::NoMatch);
        assert_eq!(
            JobStatus::from("completed"),
            JobStatus::Other("completed".into())
        );
    }
}
