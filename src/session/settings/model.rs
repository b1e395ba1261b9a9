//! [`SessionSettings`]: every setting of a session, each optional until a session needs it,
//! with the defaults of the core.

use std::time::Duration;

use serde_json::{Map, Value};
use url::Url;

use super::audio::AudioSettings;
use super::secret::Secret;
use crate::auth::TokenProvider;
use crate::proxy::ProxySetting;
use crate::session::SessionKind;
use crate::tls::TlsOptions;

/// Longest timeout accepted.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);
/// Audio buffer bounds accepted, in bytes.
pub const AUDIO_BUFFER_RANGE: std::ops::RangeInclusive<usize> = 1024..=64 << 20;
/// Event queue capacities accepted.
pub const EVENT_CAPACITY_RANGE: std::ops::RangeInclusive<usize> = 1..=1_000_000;
/// Most seconds of speech a request may ask for.
pub const MAX_AUDIO_TOTAL_DURATION: f64 = 3600.0;

/// How the signalling connection gets its `Authorization` header.
#[derive(Debug, Clone)]
pub(super) enum Auth {
    /// OAuth2 client credentials, exchanged at the token URL for a bearer token.
    ClientCredentials {
        client_id: String,
        client_secret: Secret,
    },
    /// A fixed header value (a token obtained elsewhere).
    Header(Secret),
    /// A provider made by the caller (possibly shared with other sessions).
    Provider(TokenProvider),
}

/// Which wait a timeout bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutKind {
    /// Opening the signalling connection and the namespace acceptance.
    Connect,
    /// The OAuth2 token request of client credentials.
    Token,
    /// From `initialize` to `info-consumer-ready` (for callers that wait for it).
    Ready,
    /// From the end of audio to the final `result-*` (for callers that wait for it).
    Result,
    /// A graceful close.
    Close,
}

impl TimeoutKind {
    /// Every kind, in the order of [`SessionSettings`]' timeouts.
    pub const ALL: [TimeoutKind; 5] = [
        Self::Connect,
        Self::Token,
        Self::Ready,
        Self::Result,
        Self::Close,
    ];

    /// The lowercase name used in descriptions.
    pub fn name(self) -> &'static str {
        match self {
            Self::Connect => "connect",
            Self::Token => "token",
            Self::Ready => "ready",
            Self::Result => "result",
            Self::Close => "close",
        }
    }
}

/// What the typed metadata setters announce instead of what the audio channel implies.
#[derive(Debug, Clone, Default)]
pub(super) struct MetadataOverrides {
    pub(super) audio_protocol: Option<String>,
    pub(super) audio_codec: Option<String>,
    pub(super) sample_rate: Option<u32>,
    pub(super) channels: Option<u16>,
    /// Any key, sent verbatim after the typed ones.
    pub(super) extra: Map<String, Value>,
}

/// The request object (`register_request` / `verify_request`).
#[derive(Debug, Clone, Default)]
pub(super) struct RequestSettings {
    pub(super) authenticity_threshold: Option<f64>,
    /// Verification: the similarity at or above which the speaker is accepted.
    pub(super) score_threshold: Option<f64>,
    pub(super) audio_total_duration: Option<f64>,
    pub(super) model_hash: Option<String>,
    pub(super) credential: Option<Secret>,
    /// Any key, merged last (it wins over the typed ones).
    pub(super) extra: Map<String, Value>,
}

/// Every setting of a das-Peak session: the one place where settings are validated (when
/// set), where the `initialize` payload is made and where they are described for logs.
/// [`SessionBuilder`](crate::session::SessionBuilder) is its fluent face; the C API fills one
/// setting at a time. `Debug` and the description never show a secret.
#[derive(Debug, Clone)]
pub struct SessionSettings {
    pub(super) kind: Option<SessionKind>,
    pub(in crate::session) endpoint_url: Option<Url>,
    pub(super) token_url: Option<Url>,
    pub(super) auth: Option<Auth>,
    /// `None`: the kind's default namespace.
    pub(super) namespace: Option<String>,
    pub(in crate::session) socketio_path: String,
    pub(in crate::session) tls: TlsOptions,
    pub(in crate::session) proxy: ProxySetting,
    /// Indexed by [`TimeoutKind`].
    pub(super) timeouts: [Duration; 5],
    pub(in crate::session) event_capacity: usize,
    /// Bytes (as received on the wire) of unread events, per queue.
    pub(in crate::session) event_queue_bytes: usize,
    pub(in crate::session) max_event_bytes: usize,
    pub(in crate::session) audio_buffer_bytes: usize,
    pub(super) audio: AudioSettings,
    /// A session cannot start without an audio URL (sessions of the C API), unless it is
    /// signalling only.
    pub(super) audio_required: bool,
    /// No audio channel, even with an audio URL: someone else streams the call with the
    /// `call_id` (Genesys Cloud, in the integrator's flow).
    pub(super) signalling_only: bool,
    pub(super) call_id: Option<String>,
    pub(super) metadata: MetadataOverrides,
    /// Send `sample_rate` and `channels` as strings (`"8000"`, `"1"`), as the example does.
    pub(super) numbers_as_strings: bool,
    pub(super) request: RequestSettings,
    pub(super) payload_extra: Map<String, Value>,
}

impl Default for SessionSettings {
    /// Nothing chosen yet: no kind, endpoint, credentials or `call_id`; a 256-event queue, a
    /// 1 MiB audio buffer, 16 MiB signalling messages, connect and token in 10 s, ready in
    /// 30 s, result in 60 s, close in 5 s.
    fn default() -> Self {
        Self {
            kind: None,
            endpoint_url: None,
            token_url: None,
            auth: None,
            namespace: None,
            socketio_path: "socket.io".into(),
            tls: TlsOptions::default(),
            proxy: ProxySetting::default(),
            timeouts: [10, 10, 30, 60, 5].map(Duration::from_secs),
            event_capacity: 256,
            event_queue_bytes: 16 << 20,
            max_event_bytes: 16 << 20,
            audio_buffer_bytes: 1 << 20,
            audio: AudioSettings::default(),
            audio_required: false,
            signalling_only: false,
            call_id: None,
            metadata: MetadataOverrides::default(),
            numbers_as_strings: true,
            request: RequestSettings::default(),
            payload_extra: Map::new(),
        }
    }
}

impl SessionSettings {
    /// A session of `kind` with the documented example's request (threshold 0.8, 5 s of
    /// speech, `<MODEL_HASH>`) and a new UUIDv4 `call_id`: the defaults of Rust and Python.
    pub fn documented_example(kind: SessionKind) -> Self {
        let mut settings = Self {
            kind: Some(kind),
            call_id: Some(uuid::Uuid::new_v4().to_string()),
            ..Self::default()
        };
        settings.request.authenticity_threshold = Some(0.8);
        settings.request.audio_total_duration = Some(5.0);
        settings.request.model_hash = Some("<MODEL_HASH>".into());
        settings
    }

    /// Register or verify, once set.
    pub fn kind(&self) -> Option<SessionKind> {
        self.kind
    }

    /// The `call_id` the session will announce, once set.
    pub fn call_id(&self) -> Option<&str> {
        self.call_id.as_deref()
    }

    /// How long `which` waits at most.
    pub fn timeout(&self, which: TimeoutKind) -> Duration {
        self.timeouts[which as usize]
    }

    /// The roots every TLS connection of the session trusts (also what a TRD client built from
    /// these settings trusts, in the C ABI).
    pub fn tls(&self) -> &TlsOptions {
        &self.tls
    }

    /// The proxy setting of every connection of the session (also of a TRD client built
    /// from these settings, in the C ABI).
    pub fn proxy(&self) -> &ProxySetting {
        &self.proxy
    }

    /// Capacity of the session's event queue.
    pub fn event_capacity(&self) -> usize {
        self.event_capacity
    }

    /// Bytes of unread events (as received on the wire) the session's queue holds.
    pub fn event_queue_bytes(&self) -> usize {
        self.event_queue_bytes
    }

    /// Bytes of audio buffered before a push answers `WouldBlock`.
    pub fn audio_buffer_bytes(&self) -> usize {
        self.audio_buffer_bytes
    }

    /// The verification's `score_threshold` as the request sends it (an extra request key
    /// wins over the typed setting, as in the payload), when one was set.
    pub fn score_threshold(&self) -> Option<f64> {
        let extra = self.request.extra.get("score_threshold");
        extra
            .and_then(Value::as_f64)
            .or(self.request.score_threshold)
    }

    /// The namespace the session joins: the one set, else the kind's default.
    pub fn namespace(&self) -> Option<&str> {
        self.namespace
            .as_deref()
            .or_else(|| Some(self.kind?.default_namespace()))
    }
}
