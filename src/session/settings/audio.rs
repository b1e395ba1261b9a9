//! The audio channel part of the settings: what an [`AudioChannelConfig`] holds, with the URL
//! optional so that the channel can be configured piece by piece (as the C API does). The
//! AudioHook and Twilio settings are kept apart, so choosing the protocol loses neither.

use std::time::Duration;

use url::Url;
use uuid::Uuid;

use super::error::SettingError;
use crate::audio::codec::Codec;
use crate::audio::pacing::Pacing;
use crate::audiohook::messages::MediaParameter;
use crate::audiohook::secret::ClientSecret;
use crate::channel::{AudioChannelConfig, ProtocolConfig};
use crate::proxy::ProxySetting;
use crate::tls::TlsOptions;
use crate::twilio::TwilioMode;

/// Sample rates accepted, in Hz.
pub const SAMPLE_RATE_RANGE: std::ops::RangeInclusive<u32> = 8000..=48000;

/// The protocol spoken on the audio channel (the metadata's `audio_protocol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioProtocol {
    /// Genesys AudioHook; the session acts as the AudioHook client.
    AudioHook,
    /// Twilio Media Streams (`start`/`media` frames, `callSid = call_id`).
    Twilio,
}

impl AudioProtocol {
    /// The das-Peak `audio_protocol` value.
    pub fn wire_name(self) -> &'static str {
        match self {
            Self::AudioHook => "audiohook",
            Self::Twilio => "twilio",
        }
    }
}

/// The audio channel a session opens at `info-consumer-ready`, once it has a URL.
#[derive(Debug, Clone)]
pub(super) struct AudioSettings {
    pub(super) url: Option<Url>,
    pub(super) protocol: AudioProtocol,
    pub(super) organization_id: Uuid,
    pub(super) api_key: Option<String>,
    pub(super) client_secret: Option<ClientSecret>,
    pub(super) media_offers: Option<Vec<MediaParameter>>,
    pub(super) twilio_mode: TwilioMode,
    pub(super) codec: Codec,
    pub(super) sample_rate: u32,
    pub(super) channels: u16,
    pub(super) pacing: Pacing,
    pub(super) frame_duration: Option<Duration>,
    pub(super) write_stall_timeout: Duration,
    /// Roots trusted by a `wss://` consumer; `None`: the session's.
    pub(super) tls: Option<TlsOptions>,
    /// The proxy to the consumer; `None`: the session's.
    pub(super) proxy: Option<ProxySetting>,
}

impl Default for AudioSettings {
    /// AudioHook, µ-law, 8 kHz mono, real-time pacing, the nil organization, unsigned.
    fn default() -> Self {
        Self {
            url: None,
            protocol: AudioProtocol::AudioHook,
            organization_id: Uuid::nil(),
            api_key: None,
            client_secret: None,
            media_offers: None,
            twilio_mode: TwilioMode::Subset,
            codec: Codec::Mulaw,
            sample_rate: 8000,
            channels: 1,
            pacing: Pacing::RealTime,
            frame_duration: None,
            write_stall_timeout: crate::ws_write::DEFAULT_WRITE_STALL,
            tls: None,
            proxy: None,
        }
    }
}

impl AudioSettings {
    /// Settings that open exactly `config`; its `buffer_bytes` gives way to the session's own
    /// audio buffer.
    pub(super) fn from_config(config: AudioChannelConfig) -> Result<Self, SettingError> {
        let AudioChannelConfig {
            url,
            protocol,
            codec,
            sample_rate,
            channels,
            frame_duration,
            pacing,
            buffer_bytes: _,
            tls,
            proxy,
            write_stall_timeout,
            // The session's connect timeout bounds its channel's connection too.
            connect_timeout: _,
        } = config;
        let mut settings = Self {
            // Already parsed: only its scheme needs checking.
            url: Some(with_scheme("audio_url", url, &AUDIO_SCHEMES)?),
            codec,
            sample_rate: checked_sample_rate(sample_rate)?,
            channels: checked_channels(channels.into())?,
            frame_duration,
            pacing,
            tls: Some(tls),
            // A channel left at the default follows the session's proxy setting.
            proxy: (proxy != ProxySetting::FromEnvironment).then_some(proxy),
            write_stall_timeout,
            ..Self::default()
        };
        match protocol {
            ProtocolConfig::AudioHook {
                organization_id,
                api_key,
                client_secret,
                media_offers,
            } => {
                settings.protocol = AudioProtocol::AudioHook;
                settings.organization_id = organization_id;
                settings.api_key = Some(api_key);
                settings.client_secret = Some(client_secret);
                settings.media_offers = media_offers;
            }
            ProtocolConfig::Twilio { mode } => {
                settings.protocol = AudioProtocol::Twilio;
                settings.twilio_mode = mode;
            }
        }
        Ok(settings)
    }

    /// The channel to open, once a URL is set; `session_tls` and `session_proxy` serve when
    /// the channel has no roots or proxy of its own.
    pub(super) fn channel_config(
        &self,
        session_tls: &TlsOptions,
        session_proxy: &ProxySetting,
        buffer_bytes: usize,
    ) -> Option<AudioChannelConfig> {
        let protocol = match self.protocol {
            AudioProtocol::AudioHook => ProtocolConfig::AudioHook {
                organization_id: self.organization_id,
                api_key: self.api_key.clone().unwrap_or_default(),
                client_secret: self.client_secret.clone().unwrap_or_default(),
                media_offers: self.media_offers.clone(),
            },
            AudioProtocol::Twilio => ProtocolConfig::Twilio {
                mode: self.twilio_mode.clone(),
            },
        };
        let mut config = AudioChannelConfig::new(self.url.clone()?, protocol);
        config.codec = self.codec;
        config.sample_rate = self.sample_rate;
        config.channels = self.channels;
        config.frame_duration = self.frame_duration;
        config.pacing = self.pacing;
        config.buffer_bytes = buffer_bytes;
        config.tls = self.tls.clone().unwrap_or_else(|| session_tls.clone());
        config.proxy = self.proxy.clone().unwrap_or_else(|| session_proxy.clone());
        config.write_stall_timeout = self.write_stall_timeout;
        Some(config)
    }
}

/// A URL whose scheme is one of `schemes`.
pub(super) fn checked_scheme(
    setting: &'static str,
    text: &str,
    schemes: &[&str],
) -> Result<Url, SettingError> {
    let url = Url::parse(text)
        .map_err(|e| SettingError::invalid(setting, url_problem(text, e, schemes)))?;
    with_scheme(setting, url, schemes)
}

/// What is wrong with a URL that does not parse: the url crate's "relative URL without a base"
/// says nothing to someone who left the scheme out, or passed an empty value.
fn url_problem(text: &str, error: url::ParseError, schemes: &[&str]) -> String {
    let expected = schemes
        .iter()
        .map(|scheme| format!("{scheme}://"))
        .collect::<Vec<_>>()
        .join(", ");
    match error {
        url::ParseError::RelativeUrlWithoutBase if text.trim().is_empty() => {
            format!("the URL is empty: expected one starting with {expected}")
        }
        url::ParseError::RelativeUrlWithoutBase => {
            format!("the URL has no scheme: expected one starting with {expected}")
        }
        other => other.to_string(),
    }
}

/// `url`, if its scheme is one of `schemes`.
fn with_scheme(setting: &'static str, url: Url, schemes: &[&str]) -> Result<Url, SettingError> {
    if !schemes.contains(&url.scheme()) {
        return Err(SettingError::invalid(
            setting,
            format!("scheme `{}` is not one of {schemes:?}", url.scheme()),
        ));
    }
    Ok(url)
}

const AUDIO_SCHEMES: [&str; 2] = ["ws", "wss"];

pub(super) fn checked_url(text: &str) -> Result<Url, SettingError> {
    checked_scheme("audio_url", text, &AUDIO_SCHEMES)
}

pub(super) fn checked_sample_rate(hz: u32) -> Result<u32, SettingError> {
    if !SAMPLE_RATE_RANGE.contains(&hz) {
        return Err(SettingError::out_of_range(
            "sample_rate",
            format!("{hz} is not in {SAMPLE_RATE_RANGE:?}"),
        ));
    }
    Ok(hz)
}

pub(super) fn checked_channels(channels: u32) -> Result<u16, SettingError> {
    match channels {
        1 => Ok(1),
        2 => Ok(2),
        other => Err(SettingError::out_of_range(
            "channels",
            format!("{other} is not 1 or 2"),
        )),
    }
}
