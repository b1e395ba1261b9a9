//! [`SessionBuilder`], the fluent face of [`SessionSettings`] for Rust callers, and its two
//! entry points with the documented example's defaults.

use std::time::Duration;

use serde_json::Value;

use super::running::Session;
use super::settings::{SessionSettings, SettingError, TimeoutKind};
use super::{EventSink, Metadata, SessionError, SessionKind, StartCancel};
use crate::auth::TokenProvider;
use crate::channel::AudioChannelConfig;
use crate::proxy::ProxySetting;
use crate::tls::TlsOptions;

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
        let credential = credential.into();
        SessionBuilder::new(SessionKind::Verify, url.into(), token)
            .apply(|settings| settings.set_credential(&credential))
    }
}

/// Configuration of a session; [`start`](Self::start) connects and sends `initialize`.
///
/// Every key of `metadata` and of the request object can be overridden and extra keys merged
/// ([`metadata_field`](Self::metadata_field), [`request_field`](Self::request_field),
/// [`payload_field`](Self::payload_field)), since only registration is publicly documented.
/// Values are checked by [`SessionSettings`]' setters; the first one refused is returned by
/// [`start`](Self::start) as [`SessionError::Settings`].
#[derive(Clone, Debug)]
pub struct SessionBuilder {
    /// Boxed: the settings are about 1.8 KB, and every async layer of a start keeps its own
    /// copy of the builder in its state, so inline they grew each caller's task by 5.5 KB.
    settings: Box<SessionSettings>,
    refused: Option<SettingError>,
}

impl SessionBuilder {
    /// The documented example's defaults (see [`SessionSettings::documented_example`]).
    fn new(kind: SessionKind, url: String, token: TokenProvider) -> Self {
        let mut settings = SessionSettings::documented_example(kind);
        settings.set_token_provider(token);
        Self {
            settings: Box::new(settings),
            refused: None,
        }
        .apply(|s| s.set_endpoint_url(&url))
    }

    /// A builder for complete settings (see [`SessionSettings::validate`]). Client
    /// credentials become a token provider now, shared by every session started from it.
    pub fn from_settings(mut settings: SessionSettings) -> Result<Self, SessionError> {
        settings.validate()?;
        settings.resolve_auth()?;
        Ok(Self {
            settings: Box::new(settings),
            refused: None,
        })
    }

    /// Applies one setter, keeping the first refusal for `start`.
    fn apply(mut self, set: impl FnOnce(&mut SessionSettings) -> Result<(), SettingError>) -> Self {
        if let Err(refused) = set(&mut self.settings) {
            self.refused.get_or_insert(refused);
        }
        self
    }

    /// Applies one setter that cannot refuse.
    fn with(mut self, set: impl FnOnce(&mut SessionSettings)) -> Self {
        set(&mut self.settings);
        self
    }

    /// The Socket.IO namespace; must start with `/` (default
    /// [`SessionKind::default_namespace`]).
    pub fn namespace(self, namespace: impl Into<String>) -> Self {
        let namespace = namespace.into();
        self.apply(|s| s.set_namespace(&namespace))
    }

    /// The Engine.IO path on the server (default `socket.io`).
    pub fn socketio_path(self, path: impl Into<String>) -> Self {
        let path = path.into();
        self.with(|s| s.set_socketio_path(&path))
    }

    /// Roots trusted for the signalling connection (the token provider and the audio
    /// channel have their own).
    pub fn tls(self, tls: TlsOptions) -> Self {
        self.with(|s| s.set_tls(tls))
    }

    /// The proxy of the token request, the signalling and the audio channel (default:
    /// from the environment, as curl reads it; see [`ProxySetting`]).
    pub fn proxy(self, proxy: ProxySetting) -> Self {
        self.with(|s| s.set_proxy(proxy))
    }

    /// Bound on connecting and on the namespace acceptance, and on connecting the audio
    /// channel (default 10 s, at most 1 h).
    pub fn connect_timeout(self, timeout: Duration) -> Self {
        self.apply(|s| s.set_timeout(TimeoutKind::Connect, timeout))
    }

    /// Capacity of the event queue (default 256, `1..=1_000_000`).
    pub fn event_capacity(self, capacity: usize) -> Self {
        self.apply(|s| s.set_event_capacity(capacity))
    }

    /// Bytes of events (as received on the wire) queued before the session stops reading
    /// signalling until the application takes some (default 16 MiB; one larger event still
    /// passes, alone). Bounds the session's queue and the Socket.IO queue behind it each.
    pub fn event_queue_bytes(self, bytes: usize) -> Self {
        self.with(|s| s.set_event_queue_bytes(bytes))
    }

    /// Largest signalling message accepted (default 16 MiB). A larger one ends the session
    /// with [`Event::Disconnected`](super::Event::Disconnected) (reason
    /// `transport error: …Message too long…`): it cannot be skipped without reading it.
    pub fn max_event_bytes(self, bytes: usize) -> Self {
        self.with(|s| s.set_max_event_bytes(bytes))
    }

    /// Bytes of audio buffered before `push_audio` answers `WouldBlock` (default 1 MiB,
    /// `1024..=64 MiB`).
    pub fn audio_buffer_limit(self, bytes: usize) -> Self {
        self.apply(|s| s.set_audio_buffer_bytes(bytes))
    }

    /// Sends `sample_rate` and `channels` as strings (the default, as the documented example
    /// does) or as numbers.
    pub fn metadata_numbers_as_strings(self, as_strings: bool) -> Self {
        self.with(|s| s.set_metadata_numbers_as_strings(as_strings))
    }

    /// Replaces the whole typed metadata.
    pub fn metadata(self, metadata: Metadata) -> Self {
        self.apply(|s| metadata.apply_to(s))
    }

    /// `metadata.call_id`: a UUID for AudioHook, Twilio's `callSid` otherwise.
    pub fn call_id(self, call_id: impl Into<String>) -> Self {
        let call_id = call_id.into();
        self.apply(|s| s.set_call_id(&call_id))
    }

    /// Announces this `audio_protocol`, whatever the audio channel speaks.
    pub fn audio_protocol(self, protocol: impl Into<String>) -> Self {
        let protocol = protocol.into();
        self.with(|s| s.set_metadata_audio_protocol(&protocol))
    }

    /// Announces this `audio_codec`, whatever the audio channel sends.
    pub fn audio_codec(self, codec: impl Into<String>) -> Self {
        let codec = codec.into();
        self.with(|s| s.set_metadata_audio_codec(&codec))
    }

    /// Announces this `sample_rate`, whatever the audio channel sends.
    pub fn sample_rate(self, rate: u32) -> Self {
        self.with(|s| s.set_metadata_sample_rate(rate))
    }

    /// Announces this many `channels`, whatever the audio channel sends.
    pub fn channels(self, channels: u16) -> Self {
        self.with(|s| s.set_metadata_channels(channels))
    }

    /// Overrides or adds a `metadata` key (sent verbatim, after the typed fields).
    pub fn metadata_field(self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        let (key, value) = (key.into(), value.into());
        self.with(|s| s.set_metadata_field(&key, value))
    }

    /// The request's `authenticity_threshold`, in `[0, 1]` (default 0.8, as in the
    /// documented example).
    pub fn authenticity_threshold(self, threshold: f64) -> Self {
        self.apply(|s| s.set_authenticity_threshold(threshold))
    }

    /// A verification's `score_threshold`, in `[0, 1]`: the similarity at or above which the
    /// speaker is accepted (the service's default when unset).
    pub fn score_threshold(self, threshold: f64) -> Self {
        self.apply(|s| s.set_score_threshold(threshold))
    }

    /// The request's `audio_total_duration`, in seconds, in `(0, 3600]` (default 5.0).
    pub fn audio_total_duration(self, seconds: f64) -> Self {
        self.apply(|s| s.set_audio_total_duration(seconds))
    }

    /// The request's `model_hash`, non-empty (default the documented placeholder
    /// `<MODEL_HASH>`).
    pub fn model_hash(self, hash: impl Into<String>) -> Self {
        let hash = hash.into();
        self.apply(|s| s.set_model_hash(&hash))
    }

    /// Overrides or adds a key of the request object (`register_request` / `verify_request`).
    pub fn request_field(self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        let (key, value) = (key.into(), value.into());
        self.with(|s| s.set_request_field(&key, value))
    }

    /// Signalling only: no audio channel, even if one was configured; someone else streams
    /// the call with this session's `call_id` (see
    /// [`SessionSettings::set_signalling_only`]). A session without
    /// [`audio_channel`](Self::audio_channel) is signalling only too.
    pub fn signalling_only(self) -> Self {
        self.with(|s| s.set_signalling_only(true))
    }

    /// The audio channel to open when `info-consumer-ready` arrives (keyed by this session's
    /// `call_id`). The metadata announces its protocol, codec, sample rate and channels,
    /// unless [`audio_protocol`](Self::audio_protocol) and its siblings say otherwise.
    pub fn audio_channel(self, channel: AudioChannelConfig) -> Self {
        self.apply(|s| s.set_audio_channel(channel))
    }

    /// Adds a top-level key to the `initialize` payload.
    pub fn payload_field(self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        let (key, value) = (key.into(), value.into());
        self.with(|s| s.set_payload_field(&key, value))
    }

    // A builder always has a kind and a `call_id` (`new` sets them, `from_settings` checks).

    /// Register or verify.
    pub fn kind(&self) -> SessionKind {
        self.settings.kind().unwrap_or(SessionKind::Register)
    }

    /// The `call_id` this session will announce.
    pub fn current_call_id(&self) -> &str {
        self.settings.call_id().unwrap_or_default()
    }

    /// The settings as configured so far.
    pub fn settings(&self) -> &SessionSettings {
        &self.settings
    }

    /// The `initialize` payload exactly as it will be sent.
    pub fn payload(&self) -> Value {
        self.settings.initialize_payload().unwrap_or_default()
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
        self.start_delivering(None).await
    }

    /// [`start`](Self::start), with the session's events delivered to `sink` as the
    /// signalling task types them, instead of to the session's own queue (whose
    /// [`next_event`](Session::next_event) then ends at once). See [`EventSink`] for what the
    /// sink is promised; while it has no room the session reads no more signalling.
    pub async fn start_with_sink(self, sink: impl EventSink) -> Result<Session, SessionError> {
        self.start_delivering(Some(Box::new(sink))).await
    }

    async fn start_delivering(
        self,
        sink: Option<Box<dyn EventSink>>,
    ) -> Result<Session, SessionError> {
        if let Some(refused) = self.refused {
            return Err(refused.into());
        }
        self.settings.validate()?;
        // Boxed: the connection handshake's state is ≈ 16 KB and only needed until the
        // session runs; inline, it would stay in the size of every caller's task.
        Box::pin(Session::start(self.settings, sink)).await
    }

    /// [`start`](Self::start), ended early by `cancel`: once it is cancelled (from any thread),
    /// the start drops what it had connected and returns [`SessionError::Cancelled`] (at once
    /// if it already was). What the C and Python `close` use during a start.
    pub async fn start_cancellable(self, cancel: &StartCancel) -> Result<Session, SessionError> {
        self.start_cancellable_delivering(cancel, None).await
    }

    /// [`start_cancellable`](Self::start_cancellable) with the events delivered to `sink`
    /// ([`start_with_sink`](Self::start_with_sink)). A cancelled start ends the sink.
    pub async fn start_cancellable_with_sink(
        self,
        cancel: &StartCancel,
        sink: impl EventSink,
    ) -> Result<Session, SessionError> {
        self.start_cancellable_delivering(cancel, Some(Box::new(sink)))
            .await
    }

    async fn start_cancellable_delivering(
        self,
        cancel: &StartCancel,
        sink: Option<Box<dyn EventSink>>,
    ) -> Result<Session, SessionError> {
        tokio::select! {
            biased;
            () = cancel.cancelled() => Err(SessionError::Cancelled),
            started = self.start_delivering(sink) => started,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> TokenProvider {
        TokenProvider::static_header("Bearer t")
    }

    #[test]
    fn defaults_are_the_documented_request_with_a_fresh_call_id() {
        let b = RegisterSession::builder("https://h/socket.io", token());
        let mut documented = SessionSettings::documented_example(SessionKind::Register);
        documented.set_call_id(b.current_call_id()).unwrap();
        assert_eq!(b.payload(), documented.initialize_payload().unwrap());
        assert_eq!(b.settings().namespace(), Some("/socket.io/register"));
        assert!(uuid::Uuid::parse_str(b.current_call_id()).is_ok());
    }

    #[test]
    fn a_start_adds_little_to_the_callers_task() {
        // The caller's task holds the start future while it runs (and the builder before):
        // the settings and the handshake stay behind pointers.
        let b = RegisterSession::builder("https://h/socket.io", token());
        assert!(
            std::mem::size_of_val(&b) <= 64,
            "{}",
            std::mem::size_of_val(&b)
        );
        let start = b.start();
        assert!(
            std::mem::size_of_val(&start) <= 256,
            "{}",
            std::mem::size_of_val(&start)
        );
        let cancel = StartCancel::new();
        let b = RegisterSession::builder("https://h/socket.io", token());
        let start = b.start_cancellable(&cancel);
        assert!(
            std::mem::size_of_val(&start) <= 512,
            "{}",
            std::mem::size_of_val(&start)
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
        assert_eq!(b.settings().namespace(), Some("/socket.io/verify"));
        assert_eq!(p["metadata"]["sample_rate"], "16000");
        assert_eq!(p["metadata"]["channels"], 2);
        assert_eq!(p["metadata"]["tenant"], "t1");
        assert_eq!(p["verify_request"]["credential"], "CRED");
        assert_eq!(p["verify_request"]["authenticity_threshold"], 0.5);
        assert_eq!(p["verify_request"]["similarity_threshold"], 0.7);
        assert_eq!(p["trace"], true);
    }

    #[test]
    fn numbers_can_be_sent_as_numbers() {
        let b = RegisterSession::builder("https://h/socket.io", token())
            .metadata_numbers_as_strings(false);
        assert_eq!(b.payload()["metadata"]["sample_rate"], 8000);
    }

    #[test]
    fn typed_metadata_replaces_every_field_in_the_documented_order() {
        let metadata = Metadata {
            audio_protocol: "twilio".into(),
            audio_codec: "l16".into(),
            sample_rate: 16000,
            channels: 2,
            call_id: "CA1".into(),
            numbers_as_strings: false,
            ..Metadata::default()
        };
        let b = RegisterSession::builder("https://h/socket.io", token()).metadata(metadata);
        assert_eq!(
            serde_json::to_string(&b.payload()["metadata"]).unwrap(),
            r#"{"audio_protocol":"twilio","audio_format":"raw","audio_codec":"l16","sample_format":"","sample_rate":16000,"channels":2,"call_id":"CA1"}"#
        );
        assert_eq!(b.current_call_id(), "CA1");
    }

    #[tokio::test]
    async fn the_first_refused_setting_is_what_start_reports() {
        let refused = RegisterSession::builder("ftp://h/socket.io", token())
            .authenticity_threshold(2.0)
            .start()
            .await
            .unwrap_err();
        let SessionError::Settings(SettingError::Invalid { setting, .. }) = refused else {
            panic!("{refused:?}");
        };
        assert_eq!(setting, "endpoint_url");
        let refused = RegisterSession::builder("https://h/socket.io", token())
            .authenticity_threshold(2.0)
            .model_hash("")
            .start()
            .await
            .unwrap_err();
        assert_eq!(
            refused.to_string(),
            "`authenticity_threshold` is out of range: 2.0 is not in [0, 1]"
        );
    }
}
