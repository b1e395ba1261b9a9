//! From a validated [`DasConfig`] to the core's token provider and session builder, sending
//! exactly the `initialize` payload `das_config_initialize_json` shows.

use das_core::audio::codec::Codec;
use das_core::audio::pacing::Pacing;
use das_core::audiohook::secret::ClientSecret;
use das_core::auth::{AuthError, TokenProvider};
use das_core::channel::{AudioChannelConfig, ProtocolConfig};
use das_core::session::{RegisterSession, SessionBuilder, VerifySession};
use das_core::twilio::TwilioMode;
use serde_json::Value;

use crate::config::{Auth, DasConfig};
use crate::enums::{
    das_audio_codec, das_audio_pacing, das_audio_protocol, das_metadata_field, das_session_kind,
};
use crate::error::Error;
use crate::result::das_result;

fn auth_error(error: AuthError) -> Error {
    Error::new(das_result::Auth, error.to_string())
}

fn missing(what: &str) -> Error {
    Error::new(
        das_result::NotReady,
        format!("configuration incomplete: missing {what}"),
    )
}

fn token_provider(config: &DasConfig) -> Result<TokenProvider, Error> {
    match config
        .auth
        .as_ref()
        .ok_or_else(|| missing("authentication"))?
    {
        Auth::Header(value) => Ok(TokenProvider::static_header(value.expose())),
        Auth::ClientCredentials {
            client_id,
            client_secret,
        } => {
            let token_url = config
                .token_url
                .as_ref()
                .ok_or_else(|| missing("token URL"))?;
            TokenProvider::client_credentials(token_url.as_str(), client_id, client_secret.expose())
                .request_timeout(config.timeouts.token)
                .tls(config.tls.clone())
                .build_shared()
                .map_err(auth_error)
        }
    }
}

/// The core codec of a C codec.
pub fn codec(codec: das_audio_codec) -> Codec {
    match codec {
        das_audio_codec::Mulaw => Codec::Mulaw,
        das_audio_codec::Alaw => Codec::Alaw,
        das_audio_codec::L16 => Codec::L16,
    }
}

/// The audio channel the session opens at `info-consumer-ready`.
fn audio_channel(config: &DasConfig) -> Result<AudioChannelConfig, Error> {
    let audio = &config.audio;
    let url = audio.url.clone().ok_or_else(|| missing("audio URL"))?;
    let protocol = match audio.protocol {
        das_audio_protocol::Audiohook => ProtocolConfig::AudioHook {
            organization_id: audio.organization_id,
            api_key: audio.api_key.clone().unwrap_or_default(),
            client_secret: ClientSecret::from_base64(
                audio.api_secret.as_ref().map_or("", |s| s.expose()),
            )
            .map_err(|_| Error::parse("api_secret", "not valid base64"))?,
            media_offers: None,
        },
        das_audio_protocol::Twilio => ProtocolConfig::Twilio {
            mode: TwilioMode::Subset,
        },
    };
    let mut channel = AudioChannelConfig::new(url, protocol);
    channel.codec = codec(audio.codec);
    channel.sample_rate = audio.sample_rate;
    channel.channels = u16::try_from(audio.channels).unwrap_or(1);
    channel.buffer_bytes = config.audio_buffer_bytes;
    channel.tls = config.tls.clone();
    channel.pacing = match audio.pacing {
        das_audio_pacing::RealTime => Pacing::RealTime,
        das_audio_pacing::AsFastAsPossible => Pacing::AsFastAsPossible,
    };
    Ok(channel)
}

/// The core builder for `config` (which must pass `das_config_validate`).
pub fn session_builder(config: &DasConfig) -> Result<SessionBuilder, Error> {
    config.validate()?;
    let token = token_provider(config)?;
    let url = config
        .endpoint_url
        .as_ref()
        .ok_or_else(|| missing("endpoint URL"))?
        .as_str();
    let mut builder = match config.session_kind.ok_or_else(|| missing("session kind"))? {
        das_session_kind::Register => RegisterSession::builder(url, token),
        das_session_kind::Verify => {
            let credential = config
                .credential
                .as_ref()
                .ok_or_else(|| missing("credential"))?;
            VerifySession::builder(url, token, credential.expose())
        }
    };
    if let Some(namespace) = &config.namespace {
        builder = builder.namespace(namespace);
    }
    let call_id = config
        .metadata_value(das_metadata_field::CallId)
        .ok_or_else(|| missing("call_id"))?;
    builder = builder
        .connect_timeout(config.timeouts.connect)
        .event_capacity(config.event_queue_capacity)
        .tls(config.tls.clone())
        .audio_buffer_limit(config.audio_buffer_bytes)
        .call_id(call_id)
        .audio_channel(audio_channel(config)?);
    // Top-level payload keys replace the builder's own, so the wire payload is the config's.
    if let Value::Object(payload) = config.initialize_payload()? {
        for (key, value) in payload {
            builder = builder.payload_field(key, value);
        }
    }
    Ok(builder)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(kind: das_session_kind) -> DasConfig {
        let mut config = DasConfig::default();
        config.set_endpoint_url("http://127.0.0.1:9/").unwrap();
        config.set_authorization("Bearer t").unwrap();
        config.session_kind = Some(kind);
        config.set_metadata(das_metadata_field::CallId, "c-1");
        config.set_audio_url("ws://127.0.0.1:9/hook").unwrap();
        config.set_model_hash("m").unwrap();
        config
    }

    #[test]
    fn the_builder_sends_the_config_payload() {
        let config = config(das_session_kind::Register);
        let builder = session_builder(&config).unwrap();
        assert_eq!(builder.payload(), config.initialize_payload().unwrap());
        assert_eq!(builder.current_call_id(), "c-1");
        assert_eq!(builder.kind(), das_core::session::SessionKind::Register);
    }

    #[test]
    fn verify_needs_its_credential_and_incomplete_configs_are_not_ready() {
        let mut config = config(das_session_kind::Verify);
        assert_eq!(
            session_builder(&config).unwrap_err().code(),
            das_result::NotReady
        );
        config.set_credential("cred").unwrap();
        let payload = session_builder(&config).unwrap().payload();
        assert_eq!(payload["verify_request"]["credential"], "cred");
    }
}
