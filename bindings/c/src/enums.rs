//! The C enums taken as `uint32_t` arguments; each converts with `TryFrom<u32>` so that an
//! integer from C is never trusted as an enum.

use das_core::audio::codec::Codec;
use das_core::audio::pacing::Pacing;
use das_core::session::settings::{AudioProtocol, TimeoutKind};
use das_core::session::SessionKind;

use crate::error::Error;

/// Implements `TryFrom<u32>` (error: the rejected number) and a checked conversion with an
/// `INVALID_ENUM` error naming the argument.
macro_rules! checked_c_enum {
    ($name:ident { $($variant:ident),+ $(,)? }) => {
        impl TryFrom<u32> for $name {
            type Error = u32;
            fn try_from(value: u32) -> Result<Self, u32> {
                $(if value == $name::$variant as u32 {
                    return Ok($name::$variant);
                })+
                Err(value)
            }
        }

        impl $name {
            /// Converts an integer received from C, naming `argument` in the error.
            pub fn from_c(value: u32, argument: &str) -> Result<Self, Error> {
                Self::try_from(value)
                    .map_err(|value| Error::invalid_enum(argument, stringify!($name), value))
            }
        }
    };
}

/// The kind of das-Peak Streaming session.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum das_session_kind {
    /// Enrol a speaker (`register_request`).
    Register = 1,
    /// Verify a speaker against a credential (`verify_request`).
    Verify = 2,
}
checked_c_enum!(das_session_kind { Register, Verify });

impl From<das_session_kind> for SessionKind {
    fn from(kind: das_session_kind) -> Self {
        match kind {
            das_session_kind::Register => Self::Register,
            das_session_kind::Verify => Self::Verify,
        }
    }
}

/// A string field of the `metadata` object sent with `initialize`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum das_metadata_field {
    /// `audio_protocol`, e.g. `"audiohook"` or `"twilio"`.
    AudioProtocol = 1,
    /// `audio_format`, e.g. `"raw"`.
    AudioFormat = 2,
    /// `audio_codec`, e.g. `"mulaw"`.
    AudioCodec = 3,
    /// `sample_format`, `""` in the documented example.
    SampleFormat = 4,
    /// `sample_rate`, a decimal string such as `"8000"`.
    SampleRate = 5,
    /// `channels`, a decimal string such as `"1"`.
    Channels = 6,
    /// `call_id`, which joins the signalling session to the audio stream.
    CallId = 7,
}
checked_c_enum!(das_metadata_field {
    AudioProtocol,
    AudioFormat,
    AudioCodec,
    SampleFormat,
    SampleRate,
    Channels,
    CallId,
});

impl das_metadata_field {
    /// Every field, in wire order (for the tests; crate-private keeps it out of the header).
    #[cfg(test)]
    const ALL: [das_metadata_field; 7] = [
        Self::AudioProtocol,
        Self::AudioFormat,
        Self::AudioCodec,
        Self::SampleFormat,
        Self::SampleRate,
        Self::Channels,
        Self::CallId,
    ];

    /// The JSON key.
    pub fn key(self) -> &'static str {
        match self {
            Self::AudioProtocol => "audio_protocol",
            Self::AudioFormat => "audio_format",
            Self::AudioCodec => "audio_codec",
            Self::SampleFormat => "sample_format",
            Self::SampleRate => "sample_rate",
            Self::Channels => "channels",
            Self::CallId => "call_id",
        }
    }
}

/// The audio channel protocol.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum das_audio_protocol {
    /// Genesys AudioHook; the session acts as the AudioHook client.
    Audiohook = 1,
    /// Twilio Media Streams (`start`/`media` frames, `callSid = call_id`).
    Twilio = 2,
}
checked_c_enum!(das_audio_protocol { Audiohook, Twilio });

impl From<das_audio_protocol> for AudioProtocol {
    fn from(protocol: das_audio_protocol) -> Self {
        match protocol {
            das_audio_protocol::Audiohook => Self::AudioHook,
            das_audio_protocol::Twilio => Self::Twilio,
        }
    }
}

/// The codec of the audio sent on the audio channel.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum das_audio_codec {
    /// G.711 µ-law.
    Mulaw = 1,
    /// G.711 A-law.
    Alaw = 2,
    /// Linear 16-bit little-endian PCM.
    L16 = 3,
}
checked_c_enum!(das_audio_codec { Mulaw, Alaw, L16 });

impl From<das_audio_codec> for Codec {
    fn from(codec: das_audio_codec) -> Self {
        match codec {
            das_audio_codec::Mulaw => Self::Mulaw,
            das_audio_codec::Alaw => Self::Alaw,
            das_audio_codec::L16 => Self::L16,
        }
    }
}

/// How fast pushed audio is sent on the audio channel.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum das_audio_pacing {
    /// At 1x real time, as a live call produces it (the default).
    RealTime = 1,
    /// As fast as the consumer accepts it (files, tests).
    AsFastAsPossible = 2,
}
checked_c_enum!(das_audio_pacing {
    RealTime,
    AsFastAsPossible
});

impl From<das_audio_pacing> for Pacing {
    fn from(pacing: das_audio_pacing) -> Self {
        match pacing {
            das_audio_pacing::RealTime => Self::RealTime,
            das_audio_pacing::AsFastAsPossible => Self::AsFastAsPossible,
        }
    }
}

/// Which roots TLS connections trust besides those added with
/// `das_config_add_trusted_root_pem`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum das_trusted_roots {
    /// Only the Mozilla roots built into libdas.
    Bundled = 1,
    /// Only the machine's: `SSL_CERT_FILE` / `SSL_CERT_DIR` when set, else the system store.
    System = 2,
    /// Both (the default).
    Both = 3,
}
checked_c_enum!(das_trusted_roots {
    Bundled,
    System,
    Both
});

impl das_trusted_roots {
    /// The core's policy.
    pub fn policy(self) -> das_core::tls::TrustedRoots {
        match self {
            Self::Bundled => das_core::tls::TrustedRoots::Bundled,
            Self::System => das_core::tls::TrustedRoots::System,
            Self::Both => das_core::tls::TrustedRoots::Both,
        }
    }
}

/// Which wait a timeout bounds.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum das_timeout {
    /// Opening a connection (TCP + TLS + WebSocket / HTTP).
    Connect = 1,
    /// The OAuth2 token request.
    Token = 2,
    /// From `initialize` to `info-consumer-ready`.
    Ready = 3,
    /// From the end of audio to the final `result-*` event.
    Result = 4,
    /// A graceful close.
    Close = 5,
}
checked_c_enum!(das_timeout {
    Connect,
    Token,
    Ready,
    Result,
    Close
});

impl From<das_timeout> for TimeoutKind {
    fn from(which: das_timeout) -> Self {
        match which {
            das_timeout::Connect => Self::Connect,
            das_timeout::Token => Self::Token,
            das_timeout::Ready => Self::Ready,
            das_timeout::Result => Self::Result,
            das_timeout::Close => Self::Close,
        }
    }
}

/// How the TRD webhook receiver speaks TLS.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum das_tls_mode {
    /// HTTPS with a freshly generated self-signed certificate (for `127.0.0.1` and `localhost`,
    /// or the bind host); its PEM is what `das_trd_validate` registers with TRD.
    SelfSigned = 1,
    /// HTTPS with the caller's certificate chain and private key (PEM text).
    Pem = 2,
    /// Plain HTTP, for on-premises TRD or a TLS-terminating proxy.
    Plain = 3,
}
checked_c_enum!(das_tls_mode {
    SelfSigned,
    Pem,
    Plain
});

/// Severity of a log event, also used as a threshold.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[allow(non_camel_case_types)]
pub enum das_log_level {
    /// No logging (only as a threshold).
    Off = 0,
    /// Errors.
    Error = 1,
    /// Warnings.
    Warn = 2,
    /// Informational events.
    Info = 3,
    /// Debugging detail, including every failed `das_*` call.
    Debug = 4,
    /// Very verbose tracing (protocol frames).
    Trace = 5,
}
checked_c_enum!(das_log_level {
    Off,
    Error,
    Warn,
    Info,
    Debug,
    Trace
});

impl das_log_level {
    /// The level of a `tracing` event.
    pub fn of(level: &tracing::Level) -> Self {
        match *level {
            tracing::Level::ERROR => Self::Error,
            tracing::Level::WARN => Self::Warn,
            tracing::Level::INFO => Self::Info,
            tracing::Level::DEBUG => Self::Debug,
            tracing::Level::TRACE => Self::Trace,
        }
    }

    /// The lowercase name (`"off"`, `"error"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Error => "error",
            Self::Warn => "warn",
            Self::Info => "info",
            Self::Debug => "debug",
            Self::Trace => "trace",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::das_result;

    #[test]
    fn integers_outside_an_enum_are_refused() {
        assert_eq!(das_session_kind::try_from(2), Ok(das_session_kind::Verify));
        assert_eq!(das_session_kind::try_from(0), Err(0));
        let err = das_audio_codec::from_c(99, "codec").unwrap_err();
        assert_eq!(err.code(), das_result::InvalidEnum);
        assert_eq!(
            err.message(),
            "argument `codec`: 99 is not a valid das_audio_codec"
        );
        for field in das_metadata_field::ALL {
            assert_eq!(das_metadata_field::try_from(field as u32), Ok(field));
        }
        assert_eq!(das_log_level::try_from(6), Err(6));
    }
}
