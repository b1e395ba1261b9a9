use std::time::Duration;

use serde_json::{json, Map, Value};

use super::running::{Session, SessionError};
use crate::auth::TokenProvider;
use crate::channel::{AudioChannelConfig, ProtocolConfig};
use crate::tls::TlsOptions;

/// Registration (enrol a speaker) or verification (compare against a credential).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionKind {
    /// Enrol a speaker: the result carries a `credential`.
    Register,
    /// Compare a speaker with a `credential`: the result carries a `score`.
    Verify,
}

impl SessionKind {
    /// Default namespace: `/socket.io/register`; `/socket.io/verify` by analogy (undocumented).
    pub fn default_namespace(self) -> &'static str {
        match self {
            Self::Register => "/socket.io/register",
            Self::Verify => "/socket.io/verify",
        }
    }

    /// Key of the request object in the `initialize` payload.
    pub fn request_key(self) -> &'static str {
        match self {
            Self::Register => "register_request",
            Self::Verify => "verify_request",
        }
    }
}

/// The `metadata` object of `initialize`. Defaults are the documented example's values.
#[derive(Clone, Debug, PartialEq)]
pub struct Metadata {
    /// `audiohook` or `twilio`.
    pub audio_protocol: String,
    /// `raw`.
    pub audio_format: String,
    /// `mulaw`, `alaw` or `l16`.
    pub audio_codec: String,
    /// Empty in the documented example.
    pub sample_format: String,
    /// Samples per second per channel (8000).
    pub sample_rate: u32,
    /// 1, or 2 interleaved (external first).
    pub channels: u16,
    /// Joins signalling and audio; a new UUIDv4 unless given.
    pub call_id: String,
    /// Send `sample_rate` and `channels` as strings (`"8000"`, `"1"`), as the example does.
    pub numbers_as_strings: bool,
}

impl Default for Metadata {
    fn default() -> Self {
        Self {
            audio_protocol: "audiohook".into(),
            audio_format: "raw".into(),
            audio_codec: "mulaw".into(),
            sample_format: String::new(),
            sample_rate: 8000,
            channels: 1,
            call_id: uuid::Uuid::new_v4().to_string(),
            numbers_as_strings: true,
        }
    }
}

impl Metadata {
    fn to_json(&self) -> Map<String, Value> {
        let number = |n: u64| {
            if self.numbers_as_strings {
                json!(n.to_string())
            } else {
                json!(n)
            }
        };
        let mut map = Map::new();
        map.insert("audio_protocol".into(), json!(self.audio_protocol));
        map.insert("audio_format".into(), json!(self.audio_format));
        map.insert("audio_codec".into(), json!(self.audio_codec));
        map.insert("sample_format".into(), json!(self.sample_format));
        map.insert("sample_rate".into(), number(self.sample_rate.into()));
        map.insert("channels".into(), number(self.channels.into()));
        map.insert("call_id".into(), json!(self.call_id));
        map
    }
}

/// Starts configuring a registration session.
#[derive(Debug)]
pub struct RegisterSession;

impl RegisterSession {
    /// `url` as in the documented example (`https://host/socket.io`).
    pub fn builder(url: impl Into<String>, token: TokenProvider) -> SessionBuilder {
        SessionBuilder::new(SessionKind::Register, url.into(), token)
    }
}

/// Starts configuring a verification session against a stored `credential`.
#[derive(Debug)]
pub struct VerifySession;

impl VerifySession {
    /// `url` as for registration; `credential` is the one a registration returned.
    pub fn builder(
        url: impl Into<String>,
        token: TokenProvider,
        credential: impl Into<String>,
    ) -> SessionBuilder {
        SessionBuilder::new(SessionKind::Verify, url.into(), token)
            .request_field("credential", credential.into())
    }
}

/// Configuration of a session; [`start`](Self::start) connects and sends `initialize`.
///
/// Every key of `metadata` and of the request object can be overridden and extra keys merged
/// ([`metadata_field`](Self::metadata_field), [`request_field`](Self::request_field),
/// [`payload_field`](Self::payload_field)), since only registration is publicly documented.
#[derive(Clone, Debug)]
pub struct SessionBuilder {
    pub(crate) kind: SessionKind,
    pub(crate) url: String,
    pub(crate) token: TokenProvider,
    pub(crate) namespace: String,
    pub(crate) socketio_path: String,
    pub(crate) tls: TlsOptions,
    pub(crate) connect_timeout: Duration,
    pub(crate) event_capacity: usize,
    pub(crate) max_event_bytes: usize,
    pub(crate) audio_buffer_limit: usize,
    pub(crate) audio_channel: Option<AudioChannelConfig>,
    metadata: Metadata,
    metadata_extra: Map<String, Value>,
    request: Map<String, Value>,
    payload_extra: Map<String, Value>,
}

impl SessionBuilder {
    fn new(kind: SessionKind, url: String, token: TokenProvider) -> Self {
        let mut request = Map::new();
        request.insert("authenticity_threshold".into(), json!(0.8));
        request.insert("audio_total_duration".into(), json!(5.0));
        request.insert("model_hash".into(), json!("<MODEL_HASH>"));
        Self {
            kind,
            url,
            token,
            namespace: kind.default_namespace().into(),
            socketio_path: "socket.io".into(),
            tls: TlsOptions::default(),
            connect_timeout: Duration::from_secs(10),
            event_capacity: 256,
            max_event_bytes: 16 << 20,
            audio_buffer_limit: 1 << 20,
            audio_channel: None,
            metadata: Metadata::default(),
            metadata_extra: Map::new(),
            request,
            payload_extra: Map::new(),
        }
    }

    /// The Socket.IO namespace (default [`SessionKind::default_namespace`]).
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// The Engine.IO path on the server (default `socket.io`).
    pub fn socketio_path(mut self, path: impl Into<String>) -> Self {
        self.socketio_path = path.into();
        self
    }

    /// Roots trusted for the signalling connection (the token provider and the audio
    /// channel have their own).
    pub fn tls(mut self, tls: TlsOptions) -> Self {
        self.tls = tls;
        self
    }

    /// Bound on connecting and on the namespace acceptance (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Capacity of the event queue (default 256).
    pub fn event_capacity(mut self, capacity: usize) -> Self {
        self.event_capacity = capacity.max(1);
        self
    }

    /// Largest signalling message accepted (default 16 MiB). A larger one ends the session
    /// with [`Event::Disconnected`](super::Event::Disconnected) (reason
    /// `transport error: …Message too long…`): it cannot be skipped without reading it.
    pub fn max_event_bytes(mut self, bytes: usize) -> Self {
        self.max_event_bytes = bytes;
        self
    }

    /// Bytes of audio buffered before `push_audio` answers `WouldBlock` (default 1 MiB).
    pub fn audio_buffer_limit(mut self, bytes: usize) -> Self {
        self.audio_buffer_limit = bytes;
        self
    }

    /// Replaces the whole typed metadata.
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = metadata;
        self
    }

    /// `metadata.call_id`: a UUID for AudioHook, Twilio's `callSid` otherwise.
    pub fn call_id(mut self, call_id: impl Into<String>) -> Self {
        self.metadata.call_id = call_id.into();
        self
    }

    /// `metadata.audio_protocol`.
    pub fn audio_protocol(mut self, protocol: impl Into<String>) -> Self {
        self.metadata.audio_protocol = protocol.into();
        self
    }

    /// `metadata.audio_codec`.
    pub fn audio_codec(mut self, codec: impl Into<String>) -> Self {
        self.metadata.audio_codec = codec.into();
        self
    }

    /// `metadata.sample_rate`.
    pub fn sample_rate(mut self, rate: u32) -> Self {
        self.metadata.sample_rate = rate;
        self
    }

    /// `metadata.channels`.
    pub fn channels(mut self, channels: u16) -> Self {
        self.metadata.channels = channels;
        self
    }

    /// Overrides or adds a `metadata` key (applied after the typed fields).
    pub fn metadata_field(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.metadata_extra.insert(key.into(), value.into());
        self
    }

    /// The request's `authenticity_threshold` (default 0.8, as in the documented example).
    pub fn authenticity_threshold(self, threshold: f64) -> Self {
        self.request_field("authenticity_threshold", threshold)
    }

    /// The request's `audio_total_duration`, in seconds (default 5.0).
    pub fn audio_total_duration(self, seconds: f64) -> Self {
        self.request_field("audio_total_duration", seconds)
    }

    /// The request's `model_hash` (default the documented placeholder `<MODEL_HASH>`).
    pub fn model_hash(self, hash: impl Into<String>) -> Self {
        self.request_field("model_hash", hash.into())
    }

    /// Overrides or adds a key of the request object (`register_request` / `verify_request`).
    pub fn request_field(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.request.insert(key.into(), value.into());
        self
    }

    /// The audio channel to open when `info-consumer-ready` arrives (keyed by this session's
    /// `call_id`). Also sets `audio_protocol`, `audio_codec`, `sample_rate` and `channels` in
    /// the metadata to match it; later metadata setters can still override them.
    pub fn audio_channel(mut self, channel: AudioChannelConfig) -> Self {
        self.metadata.audio_protocol = match channel.protocol {
            ProtocolConfig::AudioHook { .. } => "audiohook",
            ProtocolConfig::Twilio { .. } => "twilio",
        }
        .into();
        self.metadata.audio_codec = channel.codec.das_name().into();
        self.metadata.sample_rate = channel.sample_rate;
        self.metadata.channels = channel.channels;
        self.audio_channel = Some(channel);
        self
    }

    /// Adds a top-level key to the `initialize` payload.
    pub fn payload_field(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.payload_extra.insert(key.into(), value.into());
        self
    }

    /// Register or verify.
    pub fn kind(&self) -> SessionKind {
        self.kind
    }

    /// The `call_id` this session will announce.
    pub fn current_call_id(&self) -> &str {
        &self.metadata.call_id
    }

    /// The `initialize` payload exactly as it will be sent.
    pub fn payload(&self) -> Value {
        let mut metadata = self.metadata.to_json();
        metadata.extend(self.metadata_extra.clone());
        let mut payload = Map::new();
        payload.insert("metadata".into(), Value::Object(metadata));
        payload.insert(
            self.kind.request_key().into(),
            Value::Object(self.request.clone()),
        );
        payload.extend(self.payload_extra.clone());
        Value::Object(payload)
    }

    /// Connects (fetching a token), waits for the namespace to be accepted and emits
    /// `initialize`. Events then arrive on the returned session.
    ///
    /// When the server refuses the connection (Socket.IO CONNECT_ERROR, or HTTP 401/403 on
    /// the upgrade) and the token came from a client-credentials provider, the refused token
    /// is dropped and the connection tried once more with a fresh one: a token can stop being
    /// accepted before its `expires_in` (revoked, or the service restarted). Sessions sharing
    /// the provider that are refused together fetch one new token between them. A second
    /// refusal is returned as [`SocketIoError::ConnectRefused`](crate::socketio::SocketIoError).
    pub async fn start(self) -> Result<Session, SessionError> {
        // Boxed: the connection handshake's state is ≈ 16 KB and only needed until the
        // session runs; inline, it would stay in the size of every caller's task.
        Box::pin(Session::start(self)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> TokenProvider {
        TokenProvider::static_header("Bearer t")
    }

    #[test]
    fn defaults_reproduce_the_documented_example() {
        let b = RegisterSession::builder("https://h/socket.io", token())
            .call_id("888806c3-3391-4d73-bb86-e5874e6ed5b4");
        assert_eq!(b.namespace, "/socket.io/register");
        assert_eq!(
            b.payload(),
            json!({
                "metadata": {
                    "audio_protocol": "audiohook", "audio_format": "raw", "audio_codec": "mulaw",
                    "sample_format": "", "sample_rate": "8000", "channels": "1",
                    "call_id": "888806c3-3391-4d73-bb86-e5874e6ed5b4"
                },
                "register_request": {
                    "authenticity_threshold": 0.8, "audio_total_duration": 5.0, "model_hash": "<MODEL_HASH>"
                }
            })
        );
    }

    #[test]
    fn verify_overrides_and_extras() {
        let b = VerifySession::builder("https://h/socket.io", token(), "CRED")
            .sample_rate(16000)
            .metadata_field("channels", 2)
            .metadata_field("tenant", "t1")
            .authenticity_threshold(0.5)
            .request_field("similarity_threshold", 0.7)
            .payload_field("trace", true);
        let p = b.payload();
        assert_eq!(b.namespace, "/socket.io/verify");
        assert_eq!(p["metadata"]["sample_rate"], "16000");
        assert_eq!(p["metadata"]["channels"], 2);
        assert_eq!(p["metadata"]["tenant"], "t1");
        assert_eq!(p["verify_request"]["credential"], "CRED");
        assert_eq!(p["verify_request"]["authenticity_threshold"], 0.5);
        assert_eq!(p["verify_request"]["similarity_threshold"], 0.7);
        assert_eq!(p["trace"], true);
        assert!(uuid::Uuid::parse_str(b.current_call_id()).is_ok());
    }

    #[test]
    fn numbers_can_be_sent_as_numbers() {
        let b = RegisterSession::builder("https://h/socket.io", token()).metadata(Metadata {
            numbers_as_strings: false,
            ..Metadata::default()
        });
        assert_eq!(b.payload()["metadata"]["sample_rate"], 8000);
    }
}
