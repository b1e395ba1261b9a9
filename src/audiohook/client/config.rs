//! Client configuration: where to connect, who is calling, what is offered, and how the
//! application's audio is laid out and paced.

use std::time::Duration;

use serde_json::{Map, Value};
use url::Url;
use uuid::Uuid;

use crate::audio::pacing::Pacing;
use crate::audiohook::messages::{MediaChannel, MediaFormat, MediaParameter, Participant};
use crate::audiohook::secret::ClientSecret;
use crate::tls::TlsOptions;

/// Everything an AudioHook client session needs. Build with [`ClientConfig::new`] and adjust
/// fields; `Debug` redacts the API key and secret.
#[derive(Clone)]
pub struct ClientConfig {
    /// `ws://` or `wss://` endpoint.
    pub url: Url,
    /// `Audiohook-Organization-Id`, also `open.parameters.organizationId`.
    pub organization_id: Uuid,
    /// `X-API-KEY`, also the signature `keyid`.
    pub api_key: String,
    /// Signs the upgrade when non-empty.
    pub client_secret: ClientSecret,
    /// `Audiohook-Session-Id`, the `id` of every message (fresh UUIDv4 by default).
    pub session_id: Uuid,
    /// `Audiohook-Correlation-Id` (fresh UUIDv4 by default).
    pub correlation_id: Uuid,
    /// `open.parameters.participant` (the caller's id, ANI and DNIS).
    pub participant: Participant,
    /// Offered media, in preference order.
    pub media_offers: Vec<MediaParameter>,
    /// Codec of the bytes the application pushes.
    pub input_format: MediaFormat,
    /// Channel order of the bytes the application pushes (interleaved per sample).
    pub input_channels: Vec<MediaChannel>,
    /// `open.parameters.language`, when set.
    pub language: Option<String>,
    /// `open.parameters.customConfig`, when set.
    pub custom_config: Option<Map<String, Value>>,
    /// Audio per binary frame (200 ms like the Genesys client).
    pub frame_duration: Duration,
    /// Real time (the default) or as fast as the server reads.
    pub pacing: Pacing,
    /// Bound of the send buffer in bytes.
    pub buffer_bytes: usize,
    /// Bound on TCP, TLS and the WebSocket upgrade together.
    pub connect_timeout: Duration,
    /// Wait for `opened` (Genesys gives up after 5 s).
    pub open_timeout: Duration,
    /// Wait for `closed`.
    pub close_timeout: Duration,
    /// First ping after `opened`.
    pub ping_delay: Duration,
    /// Ping period; a ping still unanswered at the next tick fails the session.
    pub ping_interval: Duration,
    /// Roots trusted for `wss://` (the webpki roots plus any extra PEM roots).
    pub tls: TlsOptions,
    /// The proxy to the server (default: from the environment).
    pub proxy: crate::proxy::ProxySetting,
    /// A write that makes no progress for this long (the server stopped reading) fails the
    /// session with [`ClientError::WriteStalled`](super::ClientError::WriteStalled).
    pub write_stall_timeout: Duration,
}

impl ClientConfig {
    /// A configuration with the reference client's defaults: stereo PCMU input (external,
    /// internal), offers stereo/external/internal, 200 ms frames, real-time pacing,
    /// a 10 s buffer.
    pub fn new(
        url: Url,
        organization_id: Uuid,
        api_key: impl Into<String>,
        client_secret: ClientSecret,
    ) -> Self {
        ClientConfig {
            url,
            organization_id,
            api_key: api_key.into(),
            client_secret,
            session_id: Uuid::new_v4(),
            correlation_id: Uuid::new_v4(),
            participant: Participant {
                id: Uuid::new_v4(),
                ani: String::new(),
                ani_name: String::new(),
                dnis: String::new(),
            },
            media_offers: MediaParameter::default_offers(),
            input_format: MediaFormat::Pcmu,
            input_channels: vec![MediaChannel::External, MediaChannel::Internal],
            language: None,
            custom_config: None,
            frame_duration: Duration::from_millis(200),
            pacing: Pacing::RealTime,
            buffer_bytes: 160_000,
            connect_timeout: Duration::from_secs(10),
            open_timeout: Duration::from_secs(5),
            close_timeout: Duration::from_secs(10),
            ping_delay: Duration::from_secs(1),
            ping_interval: Duration::from_secs(5),
            tls: TlsOptions::default(),
            proxy: crate::proxy::ProxySetting::default(),
            write_stall_timeout: crate::ws_write::DEFAULT_WRITE_STALL,
        }
    }

    /// Bytes of one input sample frame (all channels).
    pub fn input_frame_bytes(&self) -> usize {
        self.input_format.codec().bytes_per_sample() * self.input_channels.len().max(1)
    }

    /// Bytes of one binary frame of input audio, rounded down to whole samples.
    pub fn frame_bytes(&self) -> usize {
        let samples = (self.frame_duration.as_secs_f64() * 8000.0)
            .round()
            .max(1.0) as usize;
        samples * self.input_frame_bytes()
    }
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("url", &self.url.as_str())
            .field("organization_id", &self.organization_id)
            .field("api_key", &"<redacted>")
            .field("client_secret", &self.client_secret)
            .field("session_id", &self.session_id)
            .field("media_offers", &self.media_offers)
            .field("input_format", &self.input_format)
            .field("input_channels", &self.input_channels)
            .field("frame_duration", &self.frame_duration)
            .field("pacing", &self.pacing)
            .field("buffer_bytes", &self.buffer_bytes)
            .field("tls", &self.tls)
            .field("proxy", &self.proxy)
            .finish_non_exhaustive()
    }
}
