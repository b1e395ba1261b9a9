//! From settings to what a starting session uses: the check that nothing required is
//! missing, the token provider and the audio channel.

use super::audio::AudioProtocol;
use super::model::{Auth, SessionSettings, TimeoutKind};
use super::SettingError;
use crate::auth::TokenProvider;
use crate::channel::{AudioChannelConfig, ChannelError};
use crate::session::{SessionError, SessionKind};

impl SessionSettings {
    /// Checks that a session can start: [`SettingError::Missing`] naming every missing
    /// setting otherwise.
    pub fn validate(&self) -> Result<(), SettingError> {
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
        match self.kind {
            None => missing.push("session kind"),
            Some(SessionKind::Verify) if self.request.credential.is_none() => {
                missing.push("credential (required to verify)")
            }
            Some(_) => {}
        }
        if self.call_id.is_none() {
            missing.push("call_id");
        }
        if self.audio_required && !self.signalling_only && self.audio.url.is_none() {
            missing.push("audio URL");
        }
        if !missing.is_empty() {
            return Err(SettingError::Missing(missing));
        }
        self.check_call_id_fits_protocol()?;
        self.check_audio_fits_protocol()
    }

    /// A codec, rate or channel count the audio protocol cannot carry would otherwise fail the
    /// channel only at `info-consumer-ready`, and the session wait for audio that never comes.
    fn check_audio_fits_protocol(&self) -> Result<(), SettingError> {
        match self.audio_channel() {
            Some(channel) => channel.check().map_err(|e| match e {
                ChannelError::Config(problem) => SettingError::invalid("audio", problem),
                other => SettingError::invalid("audio", other),
            }),
            None => Ok(()),
        }
    }

    /// AudioHook sends `call_id` as its `conversationId`, a UUID (in production, the Genesys
    /// conversation id); caught here rather than as a failed audio channel after `start`.
    fn check_call_id_fits_protocol(&self) -> Result<(), SettingError> {
        let call_id = self.call_id.as_deref().unwrap_or_default();
        if self.audio.protocol == AudioProtocol::AudioHook
            && uuid::Uuid::parse_str(call_id).is_err()
        {
            return Err(SettingError::invalid(
                "call_id",
                format!(
                    "AudioHook (the default audio protocol) needs a UUID such as \
                     888806c3-3391-4d73-bb86-e5874e6ed5b4, and {call_id:?} is not one"
                ),
            ));
        }
        Ok(())
    }

    /// The provider of the `Authorization` header. Client credentials make a provider shared
    /// with every session of the same token URL, credentials, timeout and roots.
    pub(crate) fn token_provider(&self) -> Result<TokenProvider, SessionError> {
        let missing = || SettingError::Missing(vec!["client credentials or Authorization header"]);
        match self.auth.as_ref().ok_or_else(missing)? {
            Auth::Provider(provider) => Ok(provider.clone()),
            Auth::Header(value) => Ok(TokenProvider::static_header(value.expose())),
            Auth::ClientCredentials {
                client_id,
                client_secret,
            } => {
                let token_url = self
                    .token_url
                    .as_ref()
                    .ok_or_else(|| SettingError::Missing(vec!["token URL"]))?;
                TokenProvider::client_credentials(
                    token_url.as_str(),
                    client_id,
                    client_secret.expose(),
                )
                .request_timeout(self.timeout(TimeoutKind::Token))
                .tls(self.tls.clone())
                .proxy(self.proxy.clone())
                .build_shared()
                .map_err(SessionError::Auth)
            }
        }
    }

    /// Resolves the authentication once, so that sessions started from these settings share
    /// the provider (and its cached token).
    pub(crate) fn resolve_auth(&mut self) -> Result<(), SessionError> {
        let provider = self.token_provider()?;
        self.auth = Some(Auth::Provider(provider));
        Ok(())
    }

    /// The audio channel to open at `info-consumer-ready`, when an audio URL is set and the
    /// session is not signalling only.
    pub(crate) fn audio_channel(&self) -> Option<AudioChannelConfig> {
        if self.signalling_only {
            return None;
        }
        let mut channel =
            self.audio
                .channel_config(&self.tls, &self.proxy, self.audio_buffer_bytes)?;
        // One connect bound for the session: signalling and its audio channel.
        channel.connect_timeout = self.timeout(TimeoutKind::Connect);
        Some(channel)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn validation_names_every_missing_setting() {
        let mut settings = SessionSettings::default();
        settings.require_audio_channel(true);
        assert_eq!(
            settings.validate().unwrap_err().to_string(),
            "configuration incomplete: missing endpoint URL, client credentials or \
             Authorization header, session kind, call_id, audio URL"
        );
        settings.set_endpoint_url("wss://x.example").unwrap();
        settings.set_client_credentials("id", "secret").unwrap();
        settings.set_kind(SessionKind::Verify);
        settings.set_call_id("c1").unwrap();
        settings.set_audio_url("wss://audio.example").unwrap();
        assert_eq!(
            settings.validate(),
            Err(SettingError::Missing(vec![
                "token URL (required with client credentials)",
                "credential (required to verify)"
            ]))
        );
        settings
            .set_token_url("https://auth.example/token")
            .unwrap();
        settings.set_credential("cred").unwrap();
        assert_eq!(
            settings.validate().unwrap_err().to_string(),
            "`call_id` is invalid: AudioHook (the default audio protocol) needs a UUID such as \
             888806c3-3391-4d73-bb86-e5874e6ed5b4, and \"c1\" is not one"
        );
        settings.set_audio_protocol(AudioProtocol::Twilio);
        settings.validate().unwrap();
        settings.set_audio_protocol(AudioProtocol::AudioHook);
        settings
            .set_call_id("888806c3-3391-4d73-bb86-e5874e6ed5b4")
            .unwrap();
        settings.validate().unwrap();
    }

    #[test]
    fn audio_the_protocol_cannot_carry_is_refused_before_the_start() {
        let mut settings = SessionSettings::default();
        settings.set_endpoint_url("wss://x.example").unwrap();
        settings.set_authorization("Bearer t").unwrap();
        settings.set_kind(SessionKind::Register);
        settings
            .set_call_id("888806c3-3391-4d73-bb86-e5874e6ed5b4")
            .unwrap();
        settings.set_audio_url("wss://audio.example").unwrap();
        settings.set_audio_codec(crate::audio::codec::Codec::Alaw);
        assert_eq!(
            settings.validate().unwrap_err().to_string(),
            "`audio` is invalid: AudioHook carries PCMU or L16, not A-law"
        );
        settings.set_audio_codec(crate::audio::codec::Codec::Mulaw);
        settings.set_audio_sample_rate(16_000).unwrap();
        assert!(settings
            .validate()
            .unwrap_err()
            .to_string()
            .contains("16000 Hz"));
        // Twilio's channel takes them; a signalling-only session opens none.
        settings.set_audio_protocol(AudioProtocol::Twilio);
        settings.validate().unwrap();
        settings.set_audio_protocol(AudioProtocol::AudioHook);
        settings.set_signalling_only(true);
        settings.validate().unwrap();
    }

    #[test]
    fn a_call_id_is_refused_when_empty_or_holding_a_nul() {
        let mut settings = SessionSettings::default();
        assert!(settings.set_call_id("").is_err());
        assert_eq!(
            settings.set_call_id("ab\0cd").unwrap_err().to_string(),
            "`call_id` is invalid: contains a NUL character"
        );
        assert_eq!(settings.call_id(), None);
    }

    #[test]
    fn the_audio_channel_follows_the_settings() {
        let mut settings = SessionSettings::default();
        assert!(settings.audio_channel().is_none());
        settings.set_audio_url("ws://127.0.0.1:9/hook").unwrap();
        settings.set_audio_buffer_bytes(4096).unwrap();
        settings
            .set_timeout(TimeoutKind::Connect, Duration::from_millis(700))
            .unwrap();
        settings
            .set_audiohook_credentials("key", "c2VjcmV0")
            .unwrap();
        let channel = settings.audio_channel().unwrap();
        assert_eq!(channel.buffer_bytes, 4096);
        assert_eq!(channel.connect_timeout, Duration::from_millis(700));
        let crate::channel::ProtocolConfig::AudioHook {
            api_key,
            client_secret,
            ..
        } = channel.protocol
        else {
            panic!("{channel:?}")
        };
        assert_eq!(
            (api_key.as_str(), client_secret.bytes()),
            ("key", &b"secret"[..])
        );
    }

    #[test]
    fn a_signalling_only_session_needs_no_audio_url_and_opens_no_channel() {
        let mut settings = SessionSettings::default();
        settings.require_audio_channel(true);
        settings.set_endpoint_url("wss://x.example").unwrap();
        settings.set_authorization("Bearer t").unwrap();
        settings.set_kind(SessionKind::Register);
        settings
            .set_call_id(&uuid::Uuid::new_v4().to_string())
            .unwrap();
        assert_eq!(
            settings.validate(),
            Err(SettingError::Missing(vec!["audio URL"]))
        );
        settings.set_signalling_only(true);
        assert_eq!(settings.validate(), Ok(()));
        settings.set_audio_url("ws://127.0.0.1:9/hook").unwrap();
        assert!(settings.audio_channel().is_none());
        assert_eq!(settings.redacted_json()["signalling_only"], true);
    }

    #[tokio::test]
    async fn a_header_becomes_a_static_token_provider() {
        let mut settings = SessionSettings::default();
        settings.set_authorization("Bearer t").unwrap();
        let provider = settings.token_provider().unwrap();
        assert_eq!(provider.authorization().await.unwrap(), "Bearer t");
    }
}
