//! Emulator settings: clients, timeouts, VAD and verification knobs, fault switches.
//! Every field has a default, so a config file only names what it changes.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::faults::Faults;

/// The client id of the default configuration.
pub const DEMO_CLIENT_ID: &str = "demo-client";
/// The client secret of the default configuration. Public on purpose: the emulator is a
/// local development target, never a place for real secrets.
pub const DEMO_CLIENT_SECRET: &str = "demo-secret-change-me";
/// The AudioHook API key (`X-API-KEY`) of the default configuration.
pub const DEMO_AUDIOHOOK_API_KEY: &str = "demo-audiohook-key";
/// The AudioHook client secret (base64 of `demo-audiohook-secret`) of the default
/// configuration; public on purpose, like the client secret.
pub const DEMO_AUDIOHOOK_CLIENT_SECRET: &str = "ZGVtby1hdWRpb2hvb2stc2VjcmV0";
/// The TRD bearer token of the default configuration.
pub const DEMO_TRD_TOKEN: &str = "demo-trd-token";
/// The license-server user the default configuration accepts at `/auth/token`.
pub const DEMO_TRD_LICENSE_USER: &str = "demo-trd-user";
/// Its password.
pub const DEMO_TRD_LICENSE_PASSWORD: &str = "demo-trd-password";

/// Everything [`crate::Emulator::start`] needs. Deserialises from partial documents.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmulatorConfig {
    /// Where to listen; port 0 picks a free port.
    pub bind: SocketAddr,
    /// OAuth2 clients allowed to obtain tokens.
    pub clients: Vec<ClientCredentials>,
    /// Lifetime of issued access tokens, reported as `expires_in`.
    pub token_ttl_secs: u64,
    /// How long a session waits for its audio channel to attach, and for more audio once
    /// attached, before it fails with reason `audio_timeout`.
    pub audio_timeout_ms: u64,
    /// Largest accepted audio-channel WebSocket message, in bytes.
    pub max_audio_message_bytes: usize,
    /// Connections open at once (WebSockets included). When all are taken the oldest one
    /// that has not sent a request yet is closed to make room, else the oldest idle between
    /// requests, else a newcomer gets `503`.
    pub max_connections: usize,
    /// Time a connection gets for each request's headers (the wait for the next request on
    /// a kept-alive connection included).
    pub header_read_timeout_ms: u64,
    /// How event payloads travel on Socket.IO.
    pub payload_encoding: PayloadEncoding,
    /// Send the audio the session collected (its first 60 s, in the session's codec and rate)
    /// as a second, binary argument of `result-success`. Off by default.
    pub send_collected_audio: bool,
    /// With `send_collected_audio`, nest the audio in the `result-success` payload as its
    /// `collected_audio` field, in binary (a placeholder inside the object, as python-socketio
    /// sends `bytes` in a dict), instead of a second argument. That payload travels as an
    /// object whatever `payload_encoding` says: JSON text cannot hold binary. Off by default.
    pub collected_audio_in_payload: bool,
    /// Voice-activity detection settings.
    pub vad: VadConfig,
    /// Verification settings.
    pub verify: VerifyConfig,
    /// AudioHook consumer settings.
    pub audiohook: AudiohookConfig,
    /// TRD endpoint settings.
    pub trd: TrdConfig,
    /// Fault-injection switches (all off by default).
    pub faults: Faults,
    /// Opt-in benchmark aid: append one line per emitted session event
    /// (`call_id sequence event unix_ns bytes`) to this file. Off by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_timing_log: Option<PathBuf>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            clients: vec![ClientCredentials::new(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)],
            token_ttl_secs: 3600,
            audio_timeout_ms: 30_000,
            max_audio_message_bytes: 64 * 1024,
            max_connections: 4096,
            header_read_timeout_ms: 10_000,
            payload_encoding: PayloadEncoding::default(),
            send_collected_audio: false,
            collected_audio_in_payload: false,
            vad: VadConfig::default(),
            verify: VerifyConfig::default(),
            audiohook: AudiohookConfig::default(),
            trd: TrdConfig::default(),
            faults: Faults::default(),
            event_timing_log: None,
        }
    }
}

/// One OAuth2 client. `Debug` redacts the secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientCredentials {
    pub client_id: String,
    pub client_secret: String,
}

impl ClientCredentials {
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        ClientCredentials {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
        }
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// How an event's payload is carried in the Socket.IO EVENT packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayloadEncoding {
    /// A JSON *string* holding the event object, formatted like Python's `json.dumps`:
    /// what the documented example's `print(data)` output shows the service sends.
    #[default]
    JsonString,
    /// The event object itself.
    Object,
}

/// Which channel of stereo audio the VAD and voiceprint listen to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VadChannel {
    /// The first channel (the caller in AudioHook and Twilio stereo).
    #[default]
    External,
    /// The second channel (the agent).
    Internal,
    /// The average of all channels.
    Mix,
}

/// How the emulator decides that a 16 ms frame is voiced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VadDetector {
    /// earshot's neural voice-activity detector, scored against `threshold`.
    #[default]
    Earshot,
    /// Frame energy alone: voiced at or above [`ENERGY_VOICED_DBFS`]. Several times cheaper
    /// than earshot and fooled by any loud noise; for load benchmarks, where the emulator
    /// must not be what runs out of CPU first.
    Energy,
}

/// The RMS level, in dB below full scale, at or above which the energy detector calls a
/// frame voiced.
pub const ENERGY_VOICED_DBFS: f64 = -40.0;

/// Voice-activity detection settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VadConfig {
    /// Which detector judges frames.
    pub detector: VadDetector,
    /// earshot score at or above which a 16 ms frame counts as voiced.
    pub threshold: f32,
    /// Seconds of audio between two `info-vad-status` events.
    pub status_interval_secs: f64,
    /// The channel analysed in stereo sessions.
    pub channel: VadChannel,
}

impl Default for VadConfig {
    fn default() -> Self {
        VadConfig {
            detector: VadDetector::Earshot,
            threshold: 0.5,
            status_interval_secs: 0.5,
            channel: VadChannel::External,
        }
    }
}

/// Verification settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VerifyConfig {
    /// Score at or above which a verification is accepted when the request sets no
    /// `score_threshold`.
    pub default_score_threshold: f64,
}

impl Default for VerifyConfig {
    fn default() -> Self {
        VerifyConfig {
            default_score_threshold: 0.85,
        }
    }
}

/// AudioHook consumer settings. `Debug` redacts the secrets.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AudiohookConfig {
    /// Accepted API keys and their base64 client secrets; an empty secret accepts unsigned
    /// upgrades for that key.
    pub keys: BTreeMap<String, String>,
}

impl Default for AudiohookConfig {
    fn default() -> Self {
        AudiohookConfig {
            keys: BTreeMap::from([(
                DEMO_AUDIOHOOK_API_KEY.to_owned(),
                DEMO_AUDIOHOOK_CLIENT_SECRET.to_owned(),
            )]),
        }
    }
}

impl fmt::Debug for AudiohookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AudiohookConfig")
            .field("keys", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// TRD endpoint settings. `Debug` redacts the tokens.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrdConfig {
    /// Bearer tokens accepted on `/trd/v3`.
    pub tokens: Vec<String>,
    /// Callback delivery attempts per URL before giving up.
    pub callback_attempts: u32,
    /// Delay before the first retry; doubles on each further retry.
    pub callback_backoff_ms: u64,
    /// Largest accepted upload, in bytes.
    pub max_upload_bytes: usize,
    /// License-server users (`username` → `password`) accepted with HTTP Basic at
    /// `POST /auth/token`; the tokens issued there are accepted on `/trd/v3` until they expire.
    pub license_users: BTreeMap<String, String>,
    /// Lifetime of license-server tokens (`expires_in`), in seconds.
    pub license_token_ttl_secs: u64,
    /// Time a created (or retried) job stays `QUEUED` before it starts, in milliseconds.
    pub job_queued_ms: u64,
    /// Shortest time a job stays `IN_PROGRESS`, in milliseconds (the VAD may take longer).
    pub job_processing_ms: u64,
    /// Longest accepted recording, in seconds: a longer WAV gets 413 at `job/create`.
    /// `None`: no limit.
    pub max_media_secs: Option<f64>,
}

impl Default for TrdConfig {
    fn default() -> Self {
        TrdConfig {
            tokens: vec![DEMO_TRD_TOKEN.to_owned()],
            callback_attempts: 3,
            callback_backoff_ms: 200,
            max_upload_bytes: 32 * 1024 * 1024,
            license_users: BTreeMap::from([(
                DEMO_TRD_LICENSE_USER.to_owned(),
                DEMO_TRD_LICENSE_PASSWORD.to_owned(),
            )]),
            license_token_ttl_secs: 3600,
            job_queued_ms: 0,
            job_processing_ms: 0,
            max_media_secs: None,
        }
    }
}

impl fmt::Debug for TrdConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrdConfig")
            .field("tokens", &format_args!("<{} redacted>", self.tokens.len()))
            .field("callback_attempts", &self.callback_attempts)
            .field("callback_backoff_ms", &self.callback_backoff_ms)
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field(
                "license_users",
                &self.license_users.keys().collect::<Vec<_>>(),
            )
            .field("license_token_ttl_secs", &self.license_token_ttl_secs)
            .field("job_queued_ms", &self.job_queued_ms)
            .field("job_processing_ms", &self.job_processing_ms)
            .field("max_media_secs", &self.max_media_secs)
            .finish()
    }
}
