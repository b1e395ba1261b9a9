//! [`DasConfig`]: every session setting, validated when set, plus the `initialize` payload and a
//! redacted description derived from it.

use std::time::Duration;

use base64::Engine as _;
use das_core::tls::TlsOptions;
use serde_json::{json, Map, Value};
use url::Url;

use super::secret::Secret;
use crate::enums::{
    das_audio_codec, das_audio_pacing, das_audio_protocol, das_log_level, das_metadata_field,
    das_session_kind, das_timeout, das_trusted_roots,
};
use crate::error::Error;
use crate::result::das_result;

/// How the signalling connection authenticates.
#[derive(Debug, Clone, PartialEq)]
pub enum Auth {
    /// OAuth2 client credentials, exchanged at the token URL for a bearer token.
    ClientCredentials {
        /// `client_id`.
        client_id: String,
        /// `client_secret`.
        client_secret: Secret,
    },
    /// A fixed `Authorization` header value (e.g. a token obtained elsewhere).
    Header(Secret),
}

/// The audio channel settings.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioChannel {
    /// Protocol spoken on the audio channel.
    pub protocol: das_audio_protocol,
    /// WebSocket URL of the audio consumer.
    pub url: Option<Url>,
    /// Codec of the audio sent.
    pub codec: das_audio_codec,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Number of channels (1 or 2).
    pub channels: u32,
    /// AudioHook API key (`X-API-KEY`).
    pub api_key: Option<String>,
    /// AudioHook client secret (base64; empty means unsigned requests).
    pub api_secret: Option<Secret>,
    /// AudioHook `organizationId` (the nil UUID unless set).
    pub organization_id: uuid::Uuid,
    /// How fast pushed audio leaves: at 1x real time, or as fast as the consumer accepts.
    pub pacing: das_audio_pacing,
}

/// Every wait a session makes is bounded by one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Opening a connection.
    pub connect: Duration,
    /// The OAuth2 token request.
    pub token: Duration,
    /// `initialize` → `info-consumer-ready`.
    pub ready: Duration,
    /// End of audio → final result.
    pub result: Duration,
    /// Graceful close.
    pub close: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            token: Duration::from_secs(10),
            ready: Duration::from_secs(30),
            result: Duration::from_secs(60),
            close: Duration::from_secs(5),
        }
    }
}

/// Longest timeout accepted: one hour.
pub const MAX_TIMEOUT_MS: u32 = 3_600_000;
/// Audio buffer bound range in bytes.
pub const AUDIO_BUFFER_RANGE: std::ops::RangeInclusive<usize> = 1024..=64 << 20;
/// Event queue capacity range.
pub const EVENT_QUEUE_RANGE: std::ops::RangeInclusive<usize> = 1..=1_000_000;
/// Audio sample rate range in Hz.
pub const SAMPLE_RATE_RANGE: std::ops::RangeInclusive<u32> = 8000..=48000;

/// A complete session configuration. Setters validate; [`DasConfig::validate`] checks that the
/// required settings are present.
#[derive(Debug, Clone, PartialEq)]
pub struct DasConfig {
    /// Signalling (Socket.IO) base URL.
    pub endpoint_url: Option<Url>,
    /// OAuth2 token URL (needed with client credentials).
    pub token_url: Option<Url>,
    /// Authentication.
    pub auth: Option<Auth>,
    /// Socket.IO namespace; `None` lets the session choose by kind.
    pub namespace: Option<String>,
    /// Register or verify.
    pub session_kind: Option<das_session_kind>,
    /// Explicit `metadata` values, indexed like [`das_metadata_field::ALL`].
    pub metadata: [Option<String>; 7],
    /// `authenticity_threshold` of the request.
    pub authenticity_threshold: Option<f64>,
    /// `audio_total_duration` of the request, in seconds.
    pub audio_total_duration: Option<f64>,
    /// `model_hash` of the request.
    pub model_hash: Option<String>,
    /// `credential` of the request (verify).
    pub credential: Option<Secret>,
    /// Extra keys merged last into the request object.
    pub extra: Map<String, Value>,
    /// Audio channel.
    pub audio: AudioChannel,
    /// Timeouts.
    pub timeouts: Timeouts,
    /// Most audio bytes queued before pushes return `WOULD_BLOCK`.
    pub audio_buffer_bytes: usize,
    /// Most events queued before the oldest unread ones are kept and new audio is refused.
    pub event_queue_capacity: usize,
    /// Log level for this session's events.
    pub log_level: das_log_level,
    /// Roots trusted for `https://`/`wss://` (token endpoint, signalling and audio channel).
    pub tls: TlsOptions,
}

impl Default for DasConfig {
    fn default() -> Self {
        Self {
            endpoint_url: None,
            token_url: None,
            auth: None,
            namespace: None,
            session_kind: None,
            metadata: Default::default(),
            authenticity_threshold: None,
            audio_total_duration: None,
            model_hash: None,
            credential: None,
            extra: Map::new(),
            audio: AudioChannel {
                protocol: das_audio_protocol::Audiohook,
                url: None,
                codec: das_audio_codec::Mulaw,
                sample_rate: 8000,
                channels: 1,
                api_key: None,
                api_secret: None,
                organization_id: uuid::Uuid::nil(),
                pacing: das_audio_pacing::RealTime,
            },
            timeouts: Timeouts::default(),
            audio_buffer_bytes: 256 << 10,
            event_queue_capacity: 1024,
            log_level: das_log_level::Warn,
            tls: TlsOptions::default(),
        }
    }
}

fn parse_url(argument: &str, text: &str, schemes: &[&str]) -> Result<Url, Error> {
    let url = Url::parse(text).map_err(|e| Error::parse(argument, e))?;
    if !schemes.contains(&url.scheme()) {
        return Err(Error::parse(
            argument,
            format!("scheme `{}` is not one of {schemes:?}", url.scheme()),
        ));
    }
    Ok(url)
}

fn non_empty(argument: &str, text: &str) -> Result<String, Error> {
    if text.is_empty() {
        return Err(Error::out_of_range(argument, "must not be empty"));
    }
    Ok(text.to_owned())
}

impl DasConfig {
    /// Sets the signalling URL (`http`, `https`, `ws` or `wss`).
    pub fn set_endpoint_url(&mut self, url: &str) -> Result<(), Error> {
        self.endpoint_url = Some(parse_url("url", url, &["http", "https", "ws", "wss"])?);
        Ok(())
    }

    /// Sets the OAuth2 token URL (`http` or `https`).
    pub fn set_token_url(&mut self, url: &str) -> Result<(), Error> {
        self.token_url = Some(parse_url("url", url, &["http", "https"])?);
        Ok(())
    }

    /// Authenticates with OAuth2 client credentials (replaces a static header).
    pub fn set_client_credentials(&mut self, id: &str, secret: &str) -> Result<(), Error> {
        self.auth = Some(Auth::ClientCredentials {
            client_id: non_empty("client_id", id)?,
            client_secret: Secret::new(non_empty("client_secret", secret)?),
        });
        Ok(())
    }

    /// Authenticates with a fixed `Authorization` header value (replaces client credentials).
    pub fn set_authorization(&mut self, value: &str) -> Result<(), Error> {
        let value = non_empty("authorization", value)?;
        http::HeaderValue::from_str(&value)
            .map_err(|_| Error::parse("authorization", "not a valid HTTP header value"))?;
        self.auth = Some(Auth::Header(Secret::new(value)));
        Ok(())
    }

    /// Sets the Socket.IO namespace, which must start with `/`.
    pub fn set_namespace(&mut self, namespace: &str) -> Result<(), Error> {
        if !namespace.starts_with('/') || namespace.chars().any(char::is_whitespace) {
            return Err(Error::parse(
                "namespace",
                "must start with `/` and contain no whitespace",
            ));
        }
        self.namespace = Some(namespace.to_owned());
        Ok(())
    }

    /// Sets one `metadata` string, sent verbatim.
    pub fn set_metadata(&mut self, field: das_metadata_field, value: &str) {
        self.metadata[field_index(field)] = Some(value.to_owned());
    }

    /// Sets `authenticity_threshold`, in `[0, 1]`.
    pub fn set_authenticity_threshold(&mut self, value: f64) -> Result<(), Error> {
        if !(0.0..=1.0).contains(&value) {
            return Err(Error::out_of_range(
                "threshold",
                format!("{value} is not in [0, 1]"),
            ));
        }
        self.authenticity_threshold = Some(value);
        Ok(())
    }

    /// Sets `audio_total_duration` in seconds, in `(0, 3600]`.
    pub fn set_audio_total_duration(&mut self, seconds: f64) -> Result<(), Error> {
        if !(seconds > 0.0 && seconds <= 3600.0) {
            return Err(Error::out_of_range(
                "seconds",
                format!("{seconds} is not in (0, 3600]"),
            ));
        }
        self.audio_total_duration = Some(seconds);
        Ok(())
    }

    /// Sets `model_hash`.
    pub fn set_model_hash(&mut self, hash: &str) -> Result<(), Error> {
        self.model_hash = Some(non_empty("model_hash", hash)?);
        Ok(())
    }

    /// Sets `credential` (the voice credential a verify session compares against).
    pub fn set_credential(&mut self, credential: &str) -> Result<(), Error> {
        self.credential = Some(Secret::new(non_empty("credential", credential)?));
        Ok(())
    }

    /// Sets extra request keys from a JSON object; they are merged last, so they win.
    pub fn set_extra_json(&mut self, text: &str) -> Result<(), Error> {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => {
                self.extra = map;
                Ok(())
            }
            Ok(_) => Err(Error::parse("json", "must be a JSON object")),
            Err(e) => Err(Error::parse("json", e)),
        }
    }

    /// Sets the audio consumer URL (`ws` or `wss`).
    pub fn set_audio_url(&mut self, url: &str) -> Result<(), Error> {
        self.audio.url = Some(parse_url("url", url, &["ws", "wss"])?);
        Ok(())
    }

    /// Sets the audio sample rate in Hz.
    pub fn set_audio_sample_rate(&mut self, hz: u32) -> Result<(), Error> {
        if !SAMPLE_RATE_RANGE.contains(&hz) {
            return Err(Error::out_of_range(
                "hz",
                format!("{hz} is not in {SAMPLE_RATE_RANGE:?}"),
            ));
        }
        self.audio.sample_rate = hz;
        Ok(())
    }

    /// Sets the number of audio channels (1 or 2).
    pub fn set_audio_channels(&mut self, channels: u32) -> Result<(), Error> {
        if !(1..=2).contains(&channels) {
            return Err(Error::out_of_range(
                "channels",
                format!("{channels} is not 1 or 2"),
            ));
        }
        self.audio.channels = channels;
        Ok(())
    }

    /// Sets the AudioHook API key and client secret (base64, may be empty).
    pub fn set_audiohook_credentials(&mut self, key: &str, secret: &str) -> Result<(), Error> {
        let key = non_empty("api_key", key)?;
        base64::engine::general_purpose::STANDARD
            .decode(secret)
            .map_err(|_| Error::parse("api_secret", "not valid base64"))?;
        self.audio.api_key = Some(key);
        self.audio.api_secret = Some(Secret::new(secret));
        Ok(())
    }

    /// Sets the AudioHook `organizationId` (a UUID).
    pub fn set_audiohook_organization_id(&mut self, id: &str) -> Result<(), Error> {
        self.audio.organization_id = id
            .parse()
            .map_err(|_| Error::parse("id", format!("`{id}` is not a UUID")))?;
        Ok(())
    }

    /// Sets one timeout, in milliseconds `1..=3_600_000`.
    pub fn set_timeout(&mut self, which: das_timeout, ms: u32) -> Result<(), Error> {
        if !(1..=MAX_TIMEOUT_MS).contains(&ms) {
            return Err(Error::out_of_range(
                "ms",
                format!("{ms} is not in 1..={MAX_TIMEOUT_MS}"),
            ));
        }
        let duration = Duration::from_millis(u64::from(ms));
        let slot = match which {
            das_timeout::Connect => &mut self.timeouts.connect,
            das_timeout::Token => &mut self.timeouts.token,
            das_timeout::Ready => &mut self.timeouts.ready,
            das_timeout::Result => &mut self.timeouts.result,
            das_timeout::Close => &mut self.timeouts.close,
        };
        *slot = duration;
        Ok(())
    }

    /// Sets the audio buffer bound in bytes.
    pub fn set_audio_buffer_bytes(&mut self, bytes: usize) -> Result<(), Error> {
        if !AUDIO_BUFFER_RANGE.contains(&bytes) {
            return Err(Error::out_of_range(
                "bytes",
                format!("{bytes} is not in {AUDIO_BUFFER_RANGE:?}"),
            ));
        }
        self.audio_buffer_bytes = bytes;
        Ok(())
    }

    /// Also trusts the certificates in `pem` for every TLS connection a session makes
    /// (a private CA, or a self-signed test bed). Checked now, so a bad PEM fails here.
    pub fn add_trusted_root_pem(&mut self, pem: &str) -> Result<(), Error> {
        das_core::tls::check_pem(pem.as_bytes()).map_err(|e| Error::parse("pem", e))?;
        self.tls = self.tls.clone().trust_pem(pem);
        Ok(())
    }

    /// Chooses the root sets trusted besides the added PEM roots.
    pub fn set_trusted_roots(&mut self, roots: das_trusted_roots) {
        self.tls = self.tls.clone().trusted_roots(roots.policy());
    }

    /// Sets the event queue capacity.
    pub fn set_event_queue_capacity(&mut self, events: usize) -> Result<(), Error> {
        if !EVENT_QUEUE_RANGE.contains(&events) {
            return Err(Error::out_of_range(
                "events",
                format!("{events} is not in {EVENT_QUEUE_RANGE:?}"),
            ));
        }
        self.event_queue_capacity = events;
        Ok(())
    }

    /// The `metadata` value sent for `field`: the explicit one, else derived from the audio
    /// channel (`call_id` has no default).
    pub fn metadata_value(&self, field: das_metadata_field) -> Option<String> {
        if let Some(explicit) = &self.metadata[field_index(field)] {
            return Some(explicit.clone());
        }
        match field {
            das_metadata_field::AudioProtocol => Some(self.audio.protocol.wire_name().into()),
            das_metadata_field::AudioFormat => Some("raw".into()),
            das_metadata_field::AudioCodec => Some(self.audio.codec.wire_name().into()),
            das_metadata_field::SampleFormat => Some(String::new()),
            das_metadata_field::SampleRate => Some(self.audio.sample_rate.to_string()),
            das_metadata_field::Channels => Some(self.audio.channels.to_string()),
            das_metadata_field::CallId => None,
        }
    }

    /// Checks that a session can start: `NOT_READY` naming every missing setting.
    pub fn validate(&self) -> Result<(), Error> {
        let mut missing = Vec::new();
        if self.endpoint_url.is_none() {
            missing.push("endpoint URL");
        }
        match &self.auth {
            None => missing.push("client credentials or Authorization header"),
            Some(Auth::ClientCredentials { .. }) if self.token_url.is_none() => {
                missing.push("token URL (required with client credentials)")
            }
            Some(_) => {}
        }
        match self.session_kind {
            None => missing.push("session kind"),
            Some(das_session_kind::Verify) if self.credential.is_none() => {
                missing.push("credential (required to verify)")
            }
            Some(_) => {}
        }
        if self.metadata_value(das_metadata_field::CallId).is_none() {
            missing.push("call_id");
        }
        if self.audio.url.is_none() {
            missing.push("audio URL");
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(Error::new(
                das_result::NotReady,
                format!("configuration incomplete: missing {}", missing.join(", ")),
            ))
        }
    }

    /// The `initialize` payload: `{"metadata": {...}, "<kind>_request": {...}}`, with
    /// the extra JSON merged last into the request object.
    pub fn initialize_payload(&self) -> Result<Value, Error> {
        let kind = self
            .session_kind
            .ok_or_else(|| Error::new(das_result::NotReady, "the session kind is not set"))?;
        let metadata: Map<String, Value> = das_metadata_field::ALL
            .into_iter()
            .filter_map(|field| {
                Some((
                    field.key().to_owned(),
                    Value::String(self.metadata_value(field)?),
                ))
            })
            .collect();
        let mut request = Map::new();
        if let Some(threshold) = self.authenticity_threshold {
            request.insert("authenticity_threshold".into(), json!(threshold));
        }
        if let Some(seconds) = self.audio_total_duration {
            request.insert("audio_total_duration".into(), json!(seconds));
        }
        if let Some(hash) = &self.model_hash {
            request.insert("model_hash".into(), json!(hash));
        }
        if let Some(credential) = &self.credential {
            request.insert("credential".into(), json!(credential.expose()));
        }
        request.extend(self.extra.clone());
        let request_key = match kind {
            das_session_kind::Register => "register_request",
            das_session_kind::Verify => "verify_request",
        };
        Ok(json!({ "metadata": metadata, request_key: request }))
    }

    /// Every setting as JSON with secrets replaced by `"<redacted>"`, for logs and tests.
    pub fn redacted_json(&self) -> Value {
        let redacted = |secret: &Option<Secret>| secret.as_ref().map(|_| "<redacted>");
        let auth = match &self.auth {
            None => Value::Null,
            Some(Auth::ClientCredentials { client_id, .. }) => {
                json!({ "client_id": client_id, "client_secret": "<redacted>" })
            }
            Some(Auth::Header(_)) => json!({ "authorization": "<redacted>" }),
        };
        let ms = |d: Duration| d.as_millis() as u64;
        json!({
            "endpoint_url": self.endpoint_url.as_ref().map(Url::as_str),
            "token_url": self.token_url.as_ref().map(Url::as_str),
            "auth": auth,
            "namespace": self.namespace,
            "session_kind": self.session_kind.map(|kind| match kind {
                das_session_kind::Register => "register",
                das_session_kind::Verify => "verify",
            }),
            "metadata": das_metadata_field::ALL.into_iter()
                .map(|field| (field.key().to_owned(), json!(self.metadata_value(field))))
                .collect::<Map<String, Value>>(),
            "authenticity_threshold": self.authenticity_threshold,
            "audio_total_duration": self.audio_total_duration,
            "model_hash": self.model_hash,
            "credential": redacted(&self.credential),
            "extra": self.extra,
            "audio": {
                "protocol": self.audio.protocol.wire_name(),
                "url": self.audio.url.as_ref().map(Url::as_str),
                "codec": self.audio.codec.wire_name(),
                "sample_rate": self.audio.sample_rate,
                "channels": self.audio.channels,
                "api_key": self.audio.api_key,
                "api_secret": redacted(&self.audio.api_secret),
                "organization_id": self.audio.organization_id.to_string(),
                "pacing": self.audio.pacing.name(),
            },
            "timeouts_ms": {
                "connect": ms(self.timeouts.connect),
                "token": ms(self.timeouts.token),
                "ready": ms(self.timeouts.ready),
                "result": ms(self.timeouts.result),
                "close": ms(self.timeouts.close),
            },
            "audio_buffer_bytes": self.audio_buffer_bytes,
            "event_queue_capacity": self.event_queue_capacity,
            "log_level": self.log_level.name(),
            "tls": {
                "trusted_roots": self.tls.trusted().name(),
                "extra_roots": self.tls.extra_root_count(),
            },
        })
    }
}

fn field_index(field: das_metadata_field) -> usize {
    field as usize - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn documented_register() -> DasConfig {
        let mut config = DasConfig::default();
        config
            .set_endpoint_url("https://streaming.example/")
            .unwrap();
        config.set_token_url("https://auth.example/token").unwrap();
        config
            .set_client_credentials("my-client", "s3cr3t-value")
            .unwrap();
        config.session_kind = Some(das_session_kind::Register);
        config.set_metadata(
            das_metadata_field::CallId,
            "888806c3-3391-4d73-bb86-e5874e6ed5b4",
        );
        config.set_authenticity_threshold(0.8).unwrap();
        config.set_audio_total_duration(5.0).unwrap();
        config.set_model_hash("<MODEL_HASH>").unwrap();
        config.set_audio_url("wss://audio.example/hook").unwrap();
        config
    }

    #[test]
    fn defaults_reproduce_the_documented_initialize_payload() {
        let payload = documented_register().initialize_payload().unwrap();
        assert_eq!(
            payload,
            json!({
                "metadata": {
                    "audio_protocol": "audiohook", "audio_format": "raw", "audio_codec": "mulaw",
                    "sample_format": "", "sample_rate": "8000", "channels": "1",
                    "call_id": "888806c3-3391-4d73-bb86-e5874e6ed5b4"
                },
                "register_request": {
                    "authenticity_threshold": 0.8, "audio_total_duration": 5.0,
                    "model_hash": "<MODEL_HASH>"
                }
            })
        );
        documented_register().validate().unwrap();
    }

    #[test]
    fn extra_json_is_merged_last_into_the_request() {
        let mut config = documented_register();
        config
            .set_extra_json(r#"{"model_hash": "override", "tenant": 7}"#)
            .unwrap();
        let payload = config.initialize_payload().unwrap();
        assert_eq!(payload["register_request"]["model_hash"], "override");
        assert_eq!(payload["register_request"]["tenant"], 7);
        assert_eq!(
            config.set_extra_json("[1]").unwrap_err().code(),
            das_result::Parse
        );
        assert_eq!(
            config.set_extra_json("{").unwrap_err().code(),
            das_result::Parse
        );
    }

    #[test]
    fn secrets_never_appear_in_debug_or_the_description() {
        let mut config = documented_register();
        config.set_credential("voice-credential-blob").unwrap();
        config.set_audiohook_credentials("key", "c2VjcmV0").unwrap();
        let debug = format!("{config:?}");
        let described = config.redacted_json().to_string();
        for secret in ["s3cr3t-value", "voice-credential-blob", "c2VjcmV0"] {
            assert!(!debug.contains(secret), "{secret} in {debug}");
            assert!(!described.contains(secret), "{secret} in {described}");
        }
        config.set_authorization("Bearer abc.def").unwrap();
        assert!(!format!("{config:?}").contains("abc.def"));
    }

    #[test]
    fn validation_names_every_missing_setting() {
        let err = DasConfig::default().validate().unwrap_err();
        assert_eq!(err.code(), das_result::NotReady);
        assert_eq!(
            err.message(),
            "configuration incomplete: missing endpoint URL, client credentials or Authorization \
             header, session kind, call_id, audio URL"
        );
        let mut verify = documented_register();
        verify.session_kind = Some(das_session_kind::Verify);
        assert!(verify
            .validate()
            .unwrap_err()
            .message()
            .contains("credential"));
    }

    #[test]
    fn setters_refuse_bad_values() {
        let mut config = DasConfig::default();
        assert_eq!(
            config.set_endpoint_url("not a url").unwrap_err().code(),
            das_result::Parse
        );
        assert_eq!(
            config.set_audio_url("https://x/").unwrap_err().code(),
            das_result::Parse
        );
        assert_eq!(
            config
                .set_authenticity_threshold(f64::NAN)
                .unwrap_err()
                .code(),
            das_result::OutOfRange
        );
        assert_eq!(
            config.set_audio_total_duration(0.0).unwrap_err().code(),
            das_result::OutOfRange
        );
        assert_eq!(
            config.set_audio_channels(3).unwrap_err().code(),
            das_result::OutOfRange
        );
        assert_eq!(
            config
                .set_timeout(das_timeout::Ready, 0)
                .unwrap_err()
                .code(),
            das_result::OutOfRange
        );
        assert_eq!(
            config.set_authorization("a\r\nb").unwrap_err().code(),
            das_result::Parse
        );
        assert_eq!(
            config.set_namespace("register").unwrap_err().code(),
            das_result::Parse
        );
        assert_eq!(
            config
                .set_audiohook_credentials("k", "%%%")
                .unwrap_err()
                .code(),
            das_result::Parse
        );
        assert_eq!(
            config,
            DasConfig::default(),
            "failed setters change nothing"
        );
    }
}
