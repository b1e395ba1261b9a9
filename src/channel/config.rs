//! What an audio channel needs: where, which protocol, the audio layout and the pace.

use std::time::Duration;

use url::Url;
use uuid::Uuid;

use super::error::ChannelError;
use crate::audio::codec::Codec;
use crate::audio::pacing::Pacing;
use crate::audiohook::client::ClientConfig;
use crate::audiohook::messages::{MediaChannel, MediaFormat, MediaParameter};
use crate::audiohook::secret::ClientSecret;
use crate::tls::TlsOptions;
use crate::twilio::{TwilioConfig, TwilioMode};

/// Protocol-specific settings.
#[derive(Clone, Debug)]
pub enum ProtocolConfig {
    /// Act as the Genesys AudioHook client.
    AudioHook {
        /// `Audiohook-Organization-Id`.
        organization_id: Uuid,
        /// `X-API-KEY`, also the signature's `keyid`.
        api_key: String,
        /// Empty: the upgrade is not signed.
        client_secret: ClientSecret,
        /// `None`: derived from the audio layout (stereo offers stereo, then each channel).
        media_offers: Option<Vec<MediaParameter>>,
    },
    /// Twilio Media Streams, as the das-Peak subset or with full Twilio frames.
    Twilio {
        /// The das-Peak subset or full Twilio frames.
        mode: TwilioMode,
    },
}

/// Configuration of an [`super::AudioChannel`]. `Debug` redacts the AudioHook secrets.
#[derive(Clone)]
pub struct AudioChannelConfig {
    /// `ws://` or `wss://` endpoint of the audio consumer.
    pub url: Url,
    /// AudioHook or Twilio, with its settings.
    pub protocol: ProtocolConfig,
    /// Codec of the pushed bytes.
    pub codec: Codec,
    /// Sample rate of the pushed bytes (AudioHook: 8000 only).
    pub sample_rate: u32,
    /// 1, or 2 interleaved as (external/customer, internal/agent).
    pub channels: u16,
    /// Audio per wire frame; `None` uses 200 ms for AudioHook and 20 ms for Twilio.
    pub frame_duration: Option<Duration>,
    /// Real time (the default) or as fast as the consumer reads.
    pub pacing: Pacing,
    /// Send-buffer bound in bytes of a channel opened with [`AudioChannel::open`]. A session's
    /// channel streams from the session's own buffer (`audio_buffer_limit`) instead.
    ///
    /// [`AudioChannel::open`]: super::AudioChannel::open
    pub buffer_bytes: usize,
    /// Roots trusted for a `wss://` consumer (see [`TlsOptions`]): by default the bundled
    /// Mozilla roots and the machine's, plus any extra PEM roots (a private CA, or a
    /// self-signed consumer in a test bed).
    pub tls: TlsOptions,
    /// The proxy to the consumer (default: from the environment).
    pub proxy: crate::proxy::ProxySetting,
    /// A write that makes no progress for this long means the consumer stopped reading: the
    /// channel fails (`WriteStalled`) rather than hold the audio and its tasks forever.
    pub write_stall_timeout: Duration,
    /// Bound on connecting to the consumer (TCP, TLS, WebSocket upgrade). A session's
    /// channel uses the session's
    /// [`connect_timeout`](crate::session::SessionBuilder::connect_timeout) instead.
    pub connect_timeout: Duration,
}

impl AudioChannelConfig {
    /// µ-law, 8 kHz mono, real-time pacing, a 10-second buffer.
    pub fn new(url: Url, protocol: ProtocolConfig) -> Self {
        AudioChannelConfig {
            url,
            protocol,
            codec: Codec::Mulaw,
            sample_rate: 8000,
            channels: 1,
            frame_duration: None,
            pacing: Pacing::RealTime,
            buffer_bytes: 160_000,
            tls: TlsOptions::default(),
            proxy: crate::proxy::ProxySetting::default(),
            write_stall_timeout: crate::ws_write::DEFAULT_WRITE_STALL,
            connect_timeout: Duration::from_secs(10),
        }
    }

    /// Whether the protocol can carry these settings (codec, rate, channels), checked as
    /// opening the channel checks them: before a session starts, not after its signalling.
    pub fn check(&self) -> Result<(), ChannelError> {
        match self.protocol {
            ProtocolConfig::AudioHook { .. } => self.audiohook_client().map(drop),
            ProtocolConfig::Twilio { .. } => self.twilio_client().map(drop),
        }
    }

    fn input_channels(&self) -> Result<Vec<MediaChannel>, ChannelError> {
        match self.channels {
            1 => Ok(vec![MediaChannel::External]),
            2 => Ok(vec![MediaChannel::External, MediaChannel::Internal]),
            n => Err(ChannelError::Config(format!(
                "{n} channels (expected 1 or 2)"
            ))),
        }
    }

    pub(super) fn audiohook_client(&self) -> Result<ClientConfig, ChannelError> {
        let ProtocolConfig::AudioHook {
            organization_id,
            api_key,
            client_secret,
            media_offers,
        } = &self.protocol
        else {
            return Err(ChannelError::Config("not an AudioHook channel".into()));
        };
        let format = match self.codec {
            Codec::Mulaw => MediaFormat::Pcmu,
            Codec::L16 => MediaFormat::L16,
            Codec::Alaw => {
                return Err(ChannelError::Config(
                    "AudioHook carries PCMU or L16, not A-law".into(),
                ))
            }
        };
        if self.sample_rate != 8000 {
            return Err(ChannelError::Config(format!(
                "AudioHook carries 8000 Hz, not {} Hz",
                self.sample_rate
            )));
        }
        let input_channels = self.input_channels()?;
        let offers = media_offers.clone().unwrap_or_else(|| {
            let mut offers = vec![MediaParameter::audio(format, input_channels.clone())];
            if input_channels.len() == 2 {
                offers.extend(
                    input_channels
                        .iter()
                        .map(|&c| MediaParameter::audio(format, vec![c])),
                );
            }
            offers
        });
        let mut client = ClientConfig::new(
            self.url.clone(),
            *organization_id,
            api_key.clone(),
            client_secret.clone(),
        );
        client.media_offers = offers;
        client.input_format = format;
        client.input_channels = input_channels;
        client.frame_duration = self.frame_duration.unwrap_or(Duration::from_millis(200));
        client.pacing = self.pacing;
        client.buffer_bytes = self.buffer_bytes;
        client.tls = self.tls.clone();
        client.proxy = self.proxy.clone();
        client.write_stall_timeout = self.write_stall_timeout;
        client.connect_timeout = self.connect_timeout;
        Ok(client)
    }

    pub(super) fn twilio_client(&self) -> Result<TwilioConfig, ChannelError> {
        let ProtocolConfig::Twilio { mode } = &self.protocol else {
            return Err(ChannelError::Config("not a Twilio channel".into()));
        };
        self.input_channels()?;
        let mut twilio = TwilioConfig::new(self.url.clone());
        twilio.mode = mode.clone();
        twilio.codec = self.codec;
        twilio.sample_rate = self.sample_rate;
        twilio.channels = self.channels;
        twilio.frame_duration = self.frame_duration.unwrap_or(Duration::from_millis(20));
        twilio.pacing = self.pacing;
        twilio.buffer_bytes = self.buffer_bytes;
        twilio.tls = self.tls.clone();
        twilio.proxy = self.proxy.clone();
        twilio.write_stall_timeout = self.write_stall_timeout;
        twilio.timeout = self.connect_timeout;
        Ok(twilio)
    }
}

impl std::fmt::Debug for AudioChannelConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let protocol = match &self.protocol {
            ProtocolConfig::AudioHook {
                organization_id, ..
            } => format!("AudioHook {{ organization_id: {organization_id}, .. }}"),
            ProtocolConfig::Twilio { mode } => format!("Twilio {{ mode: {mode:?} }}"),
        };
        f.debug_struct("AudioChannelConfig")
            .field("url", &self.url.as_str())
            .field("protocol", &protocol)
            .field("codec", &self.codec)
            .field("sample_rate", &self.sample_rate)
            .field("channels", &self.channels)
            .field("frame_duration", &self.frame_duration)
            .field("pacing", &self.pacing)
            .field("buffer_bytes", &self.buffer_bytes)
            .field("tls", &self.tls)
            .field("proxy", &self.proxy)
            .field("write_stall_timeout", &self.write_stall_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .finish()
    }
}
