//! The setters of [`SessionSettings`]: each checks its value and leaves the settings unchanged
//! when it refuses one.

use std::time::Duration;

use serde_json::Value;

use super::audio::{checked_channels, checked_sample_rate, checked_scheme, checked_url};
use super::audio::{AudioProtocol, AudioSettings};
use super::model::{Auth, SessionSettings, TimeoutKind};
use super::model::{
    AUDIO_BUFFER_RANGE, EVENT_CAPACITY_RANGE, MAX_AUDIO_TOTAL_DURATION, MAX_TIMEOUT,
};
use super::secret::Secret;
use super::SettingError;
use crate::audio::codec::Codec;
use crate::audio::pacing::Pacing;
use crate::audiohook::secret::ClientSecret;
use crate::auth::TokenProvider;
use crate::channel::AudioChannelConfig;
use crate::proxy::ProxySetting;
use crate::session::SessionKind;
use crate::tls::{TlsOptions, TrustedRoots};

fn non_empty(setting: &'static str, text: &str) -> Result<String, SettingError> {
    if text.is_empty() {
        return Err(SettingError::out_of_range(setting, "must not be empty"));
    }
    Ok(text.to_owned())
}

/// A threshold: a number in `[0, 1]` (NaN is not).
fn unit(setting: &'static str, value: f64) -> Result<f64, SettingError> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(SettingError::out_of_range(
            setting,
            format!("{value:?} is not in [0, 1]"),
        ))
    }
}

fn in_range<T: PartialOrd + std::fmt::Debug>(
    setting: &'static str,
    value: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, SettingError> {
    if !range.contains(&value) {
        return Err(SettingError::out_of_range(
            setting,
            format!("{value:?} is not in {range:?}"),
        ));
    }
    Ok(value)
}

/// Signalling: where, as whom, and how long to wait.
impl SessionSettings {
    /// Register or verify (also picks the default namespace and the request key).
    pub fn set_kind(&mut self, kind: SessionKind) {
        self.kind = Some(kind);
    }

    /// The signalling (Socket.IO) base URL: `http`, `https`, `ws` or `wss`.
    pub fn set_endpoint_url(&mut self, url: &str) -> Result<(), SettingError> {
        self.endpoint_url = Some(checked_scheme(
            "endpoint_url",
            url,
            &["http", "https", "ws", "wss"],
        )?);
        Ok(())
    }

    /// The OAuth2 token URL (`http` or `https`), required with client credentials.
    pub fn set_token_url(&mut self, url: &str) -> Result<(), SettingError> {
        self.token_url = Some(checked_scheme("token_url", url, &["http", "https"])?);
        Ok(())
    }

    /// OAuth2 client credentials, both non-empty; replaces any other authentication.
    pub fn set_client_credentials(&mut self, id: &str, secret: &str) -> Result<(), SettingError> {
        self.auth = Some(Auth::ClientCredentials {
            client_id: non_empty("client_id", id)?,
            client_secret: Secret::new(non_empty("client_secret", secret)?),
        });
        Ok(())
    }

    /// A fixed `Authorization` header value; replaces any other authentication.
    pub fn set_authorization(&mut self, value: &str) -> Result<(), SettingError> {
        let value = non_empty("authorization", value)?;
        http::HeaderValue::from_str(&value)
            .map_err(|_| SettingError::invalid("authorization", "not a valid HTTP header value"))?;
        self.auth = Some(Auth::Header(Secret::new(value)));
        Ok(())
    }

    /// A token provider of the caller's; replaces any other authentication.
    pub fn set_token_provider(&mut self, provider: TokenProvider) {
        self.auth = Some(Auth::Provider(provider));
    }

    /// The Socket.IO namespace: starts with `/`, no whitespace.
    pub fn set_namespace(&mut self, namespace: &str) -> Result<(), SettingError> {
        if !namespace.starts_with('/') || namespace.chars().any(char::is_whitespace) {
            return Err(SettingError::invalid(
                "namespace",
                "must start with `/` and contain no whitespace",
            ));
        }
        self.namespace = Some(namespace.to_owned());
        Ok(())
    }

    /// The Engine.IO path (default `socket.io`).
    pub fn set_socketio_path(&mut self, path: &str) {
        self.socketio_path = path.to_owned();
    }

    /// Replaces the roots trusted for every TLS connection the session makes.
    pub fn set_tls(&mut self, tls: TlsOptions) {
        self.tls = tls;
    }

    /// Also trusts the certificates in `pem` (token endpoint, signalling, audio channel).
    /// Checked now, so a PEM without a valid certificate fails here.
    pub fn add_trusted_root_pem(&mut self, pem: &str) -> Result<(), SettingError> {
        crate::tls::check_pem(pem.as_bytes())
            .map_err(|e| SettingError::invalid("root_certificate_pem", e))?;
        self.tls = self.tls.clone().trust_pem(pem);
        Ok(())
    }

    /// The proxy of every connection the session makes (token endpoint, signalling,
    /// audio channel); default: from the environment.
    pub fn set_proxy(&mut self, proxy: ProxySetting) {
        self.proxy = proxy;
    }

    /// Chooses the root sets trusted besides the extra PEM roots (default both).
    pub fn set_trusted_roots(&mut self, trusted: TrustedRoots) {
        self.tls = self.tls.clone().trusted_roots(trusted);
    }

    /// One timeout, from 1 ms to one hour.
    pub fn set_timeout(
        &mut self,
        which: TimeoutKind,
        timeout: Duration,
    ) -> Result<(), SettingError> {
        if timeout < Duration::from_millis(1) || timeout > MAX_TIMEOUT {
            return Err(SettingError::out_of_range(
                "timeout",
                format!(
                    "{} ms is not in 1..={} ms",
                    timeout.as_millis(),
                    MAX_TIMEOUT.as_millis()
                ),
            ));
        }
        self.timeouts[which as usize] = timeout;
        Ok(())
    }

    /// Most events queued before the oldest unread ones hold back new ones.
    pub fn set_event_capacity(&mut self, events: usize) -> Result<(), SettingError> {
        self.event_capacity = in_range("event_capacity", events, EVENT_CAPACITY_RANGE)?;
        Ok(())
    }

    /// Bytes of unread events (as received on the wire) queued before the session stops
    /// reading signalling; one larger event still passes, alone.
    pub fn set_event_queue_bytes(&mut self, bytes: usize) {
        self.event_queue_bytes = bytes.max(1);
    }

    /// Largest signalling message accepted; a larger one ends the session.
    pub fn set_max_event_bytes(&mut self, bytes: usize) {
        self.max_event_bytes = bytes;
    }

    /// Most audio bytes queued before pushes answer `WouldBlock`.
    pub fn set_audio_buffer_bytes(&mut self, bytes: usize) -> Result<(), SettingError> {
        self.audio_buffer_bytes = in_range("audio_buffer_bytes", bytes, AUDIO_BUFFER_RANGE)?;
        Ok(())
    }
}

/// The `initialize` payload: metadata and the request object.
impl SessionSettings {
    /// The `call_id` joining signalling and audio, sent verbatim: non-empty, no NUL (it becomes
    /// a C string and a protocol id). AudioHook also needs a UUID, checked by
    /// [`validate`](Self::validate) since the protocol may be chosen after the id.
    pub fn set_call_id(&mut self, call_id: &str) -> Result<(), SettingError> {
        let call_id = non_empty("call_id", call_id)?;
        if call_id.contains('\0') {
            return Err(SettingError::invalid("call_id", "contains a NUL character"));
        }
        self.call_id = Some(call_id);
        Ok(())
    }

    /// Announces this `audio_protocol` whatever the audio channel speaks.
    pub fn set_metadata_audio_protocol(&mut self, protocol: &str) {
        self.metadata.audio_protocol = Some(protocol.to_owned());
    }

    /// Announces this `audio_codec` whatever the audio channel sends.
    pub fn set_metadata_audio_codec(&mut self, codec: &str) {
        self.metadata.audio_codec = Some(codec.to_owned());
    }

    /// Announces this `sample_rate` whatever the audio channel sends.
    pub fn set_metadata_sample_rate(&mut self, hz: u32) {
        self.metadata.sample_rate = Some(hz);
    }

    /// Announces this many `channels` whatever the audio channel sends.
    pub fn set_metadata_channels(&mut self, channels: u16) {
        self.metadata.channels = Some(channels);
    }

    /// Sends `sample_rate` and `channels` as strings (the default, as the example does) or
    /// as numbers.
    pub fn set_metadata_numbers_as_strings(&mut self, as_strings: bool) {
        self.numbers_as_strings = as_strings;
    }

    /// Overrides or adds a `metadata` key, sent verbatim after the typed ones.
    pub fn set_metadata_field(&mut self, key: &str, value: Value) {
        self.metadata.extra.insert(key.to_owned(), value);
    }

    /// `authenticity_threshold`, in `[0, 1]`.
    pub fn set_authenticity_threshold(&mut self, threshold: f64) -> Result<(), SettingError> {
        self.request.authenticity_threshold = Some(unit("authenticity_threshold", threshold)?);
        Ok(())
    }

    /// `score_threshold` of a verification, in `[0, 1]`: the similarity at or above which the
    /// speaker is accepted (also what a result's [`Verdict`](crate::session::Verdict) compares
    /// its score with when the result says nothing else).
    pub fn set_score_threshold(&mut self, threshold: f64) -> Result<(), SettingError> {
        self.request.score_threshold = Some(unit("score_threshold", threshold)?);
        Ok(())
    }

    /// `audio_total_duration`, the seconds of speech to collect, in `(0, 3600]`.
    pub fn set_audio_total_duration(&mut self, seconds: f64) -> Result<(), SettingError> {
        if !(seconds > 0.0 && seconds <= MAX_AUDIO_TOTAL_DURATION) {
            return Err(SettingError::out_of_range(
                "audio_total_duration",
                format!("{seconds:?} is not in (0, {MAX_AUDIO_TOTAL_DURATION}]"),
            ));
        }
        self.request.audio_total_duration = Some(seconds);
        Ok(())
    }

    /// `model_hash`, non-empty.
    pub fn set_model_hash(&mut self, hash: &str) -> Result<(), SettingError> {
        self.request.model_hash = Some(non_empty("model_hash", hash)?);
        Ok(())
    }

    /// `credential`, the voice credential a verify session compares against; non-empty.
    pub fn set_credential(&mut self, credential: &str) -> Result<(), SettingError> {
        self.request.credential = Some(Secret::new(non_empty("credential", credential)?));
        Ok(())
    }

    /// Overrides or adds a key of the request object (it wins over the typed setters).
    pub fn set_request_field(&mut self, key: &str, value: Value) {
        self.request.extra.insert(key.to_owned(), value);
    }

    /// Replaces the extra request keys with the members of a JSON object's text.
    pub fn set_request_extra_json(&mut self, text: &str) -> Result<(), SettingError> {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(members)) => {
                self.request.extra = members;
                Ok(())
            }
            Ok(_) => Err(SettingError::invalid(
                "request_extra",
                "must be a JSON object",
            )),
            Err(e) => Err(SettingError::invalid("request_extra", e)),
        }
    }

    /// Adds a top-level key to the `initialize` payload.
    pub fn set_payload_field(&mut self, key: &str, value: Value) {
        self.payload_extra.insert(key.to_owned(), value);
    }
}

/// The audio channel, opened with the session's `call_id` at `info-consumer-ready`.
impl SessionSettings {
    /// The whole channel at once; the metadata then announces its protocol and layout.
    pub fn set_audio_channel(&mut self, channel: AudioChannelConfig) -> Result<(), SettingError> {
        self.audio = AudioSettings::from_config(channel)?;
        Ok(())
    }

    /// Refuses to start a session without an audio URL (unless it is signalling only).
    pub fn require_audio_channel(&mut self, required: bool) {
        self.audio_required = required;
    }

    /// Signalling only: the session opens no audio channel, even when an audio URL is set,
    /// and someone else streams the call to the audio consumer with the session's `call_id`
    /// (in production Genesys Cloud does, with `call_id` = the conversation id). The metadata
    /// still announces the audio settings' protocol, codec, rate and channels.
    pub fn set_signalling_only(&mut self, signalling_only: bool) {
        self.signalling_only = signalling_only;
    }

    /// The audio consumer URL (`ws` or `wss`).
    pub fn set_audio_url(&mut self, url: &str) -> Result<(), SettingError> {
        self.audio.url = Some(checked_url(url)?);
        Ok(())
    }

    /// The protocol of the audio channel (AudioHook by default, or Twilio).
    pub fn set_audio_protocol(&mut self, protocol: AudioProtocol) {
        self.audio.protocol = protocol;
    }

    /// The codec the audio channel sends (µ-law by default).
    pub fn set_audio_codec(&mut self, codec: Codec) {
        self.audio.codec = codec;
    }

    /// Sample rate of the audio pushed, in Hz, `8000..=48000`.
    pub fn set_audio_sample_rate(&mut self, hz: u32) -> Result<(), SettingError> {
        self.audio.sample_rate = checked_sample_rate(hz)?;
        Ok(())
    }

    /// Channels of the audio pushed: 1, or 2 interleaved as (external, internal).
    pub fn set_audio_channels(&mut self, channels: u32) -> Result<(), SettingError> {
        self.audio.channels = checked_channels(channels)?;
        Ok(())
    }

    /// How fast the audio channel sends: real time, or as fast as allowed.
    pub fn set_audio_pacing(&mut self, pacing: Pacing) {
        self.audio.pacing = pacing;
    }

    /// The AudioHook API key (non-empty) and client secret (base64; empty: unsigned).
    pub fn set_audiohook_credentials(
        &mut self,
        api_key: &str,
        client_secret: &str,
    ) -> Result<(), SettingError> {
        let api_key = non_empty("api_key", api_key)?;
        let secret = ClientSecret::from_base64(client_secret)
            .map_err(|_| SettingError::invalid("api_secret", "not valid base64"))?;
        self.audio.api_key = Some(api_key);
        self.audio.client_secret = Some(secret);
        Ok(())
    }

    /// The AudioHook `organizationId`, a UUID (default the nil UUID).
    pub fn set_audiohook_organization_id(&mut self, id: &str) -> Result<(), SettingError> {
        self.audio.organization_id = id.parse().map_err(|_| {
            SettingError::invalid("organization_id", format!("`{id}` is not a UUID"))
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a session would do with `settings`: payload and description.
    fn observable(settings: &SessionSettings) -> (Value, Value) {
        let mut with_kind = settings.clone();
        with_kind.set_kind(SessionKind::Register);
        (
            with_kind.initialize_payload().unwrap(),
            settings.redacted_json(),
        )
    }

    #[test]
    fn setters_refuse_bad_values_and_change_nothing() {
        let mut s = SessionSettings::default();
        let before = observable(&s);
        let refusals = [
            s.set_endpoint_url("not a url"),
            s.set_endpoint_url("ftp://x.example/"),
            s.set_token_url("ws://x.example/"),
            s.set_audio_url("https://x.example/"),
            s.set_client_credentials("", "secret"),
            s.set_client_credentials("id", ""),
            s.set_authorization("a\r\nb"),
            s.set_namespace("register"),
            s.set_namespace("/with space"),
            s.add_trusted_root_pem("not a certificate"),
            s.set_timeout(TimeoutKind::Ready, Duration::ZERO),
            s.set_timeout(TimeoutKind::Connect, MAX_TIMEOUT + Duration::from_millis(1)),
            s.set_event_capacity(0),
            s.set_audio_buffer_bytes(1023),
            s.set_authenticity_threshold(f64::NAN),
            s.set_authenticity_threshold(1.01),
            s.set_score_threshold(-0.1),
            s.set_audio_total_duration(0.0),
            s.set_audio_total_duration(3600.5),
            s.set_model_hash(""),
            s.set_credential(""),
            s.set_request_extra_json("[1]"),
            s.set_request_extra_json("{"),
            s.set_audio_sample_rate(7999),
            s.set_audio_channels(3),
            s.set_audiohook_credentials("", "c2VjcmV0"),
            s.set_audiohook_credentials("k", "%%%"),
            s.set_audiohook_organization_id("not-a-uuid"),
        ];
        for (n, refusal) in refusals.into_iter().enumerate() {
            assert!(refusal.is_err(), "setter {n} accepted a bad value");
        }
        assert_eq!(observable(&s), before, "failed setters change nothing");
    }

    #[test]
    fn refusals_name_the_setting_and_say_why() {
        let mut s = SessionSettings::default();
        assert_eq!(
            s.set_audio_channels(5),
            Err(SettingError::OutOfRange {
                setting: "channels",
                problem: "5 is not 1 or 2".into()
            })
        );
        assert_eq!(
            s.set_audio_buffer_bytes(5).unwrap_err().to_string(),
            "`audio_buffer_bytes` is out of range: 5 is not in 1024..=67108864"
        );
        let Err(SettingError::Invalid { setting, problem }) = s.set_audio_url("https://x/") else {
            panic!("an https audio URL was accepted");
        };
        assert_eq!(setting, "audio_url");
        assert_eq!(problem, r#"scheme `https` is not one of ["ws", "wss"]"#);
        let channel = crate::channel::AudioChannelConfig::new(
            "http://x/".parse().unwrap(),
            crate::channel::ProtocolConfig::Twilio {
                mode: crate::twilio::TwilioMode::Subset,
            },
        );
        let Err(SettingError::Invalid { setting, problem }) = s.set_audio_channel(channel) else {
            panic!("an audio channel to an http URL was accepted");
        };
        assert_eq!(setting, "audio_url");
        assert_eq!(problem, r#"scheme `http` is not one of ["ws", "wss"]"#);
        assert_eq!(
            s.set_endpoint_url("").unwrap_err().to_string(),
            "`endpoint_url` is invalid: the URL is empty: expected one starting with http://, \
             https://, ws://, wss://"
        );
        assert_eq!(
            s.set_token_url("auth.example/oauth2/token")
                .unwrap_err()
                .to_string(),
            "`token_url` is invalid: the URL has no scheme: expected one starting with http://, \
             https://"
        );
        assert_eq!(
            s.set_audio_url("wss://").unwrap_err().to_string(),
            "`audio_url` is invalid: empty host"
        );
    }

    #[test]
    fn values_in_range_are_kept() {
        let mut s = SessionSettings::default();
        s.set_timeout(TimeoutKind::Result, Duration::from_millis(2500))
            .unwrap();
        s.set_event_capacity(64).unwrap();
        s.set_audio_buffer_bytes(65536).unwrap();
        s.set_audiohook_organization_id("d7934305-0972-4844-938e-9060eef73d05")
            .unwrap();
        assert_eq!(s.timeout(TimeoutKind::Result), Duration::from_millis(2500));
        assert_eq!((s.event_capacity(), s.audio_buffer_bytes()), (64, 65536));
        let described = s.redacted_json();
        assert_eq!(
            described["audio"]["organization_id"],
            "d7934305-0972-4844-938e-9060eef73d05"
        );
    }
}
