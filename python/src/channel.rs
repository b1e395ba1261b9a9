//! `das._native.ChannelConfig` and `das._native.AudioChannel`: the core audio channel
//! (AudioHook client or Twilio Media Streams), used alone or by a session.

use std::sync::Mutex;
use std::time::Duration;

use das::audio::channels::{downmix, interleave};
use das::audio::codec::Codec;
use das::audio::pacing::Pacing;
use das::audio::send_buffer::PushError;
use das::audio::wav::{Wav, WavError};
use das::audiohook::secret::ClientSecret;
use das::channel::{
    AudioChannelConfig, ChannelEnd, ChannelError, ChannelErrorKind, ProtocolConfig,
};
use das::tls::{TlsError, TlsOptions};
use das::twilio::TwilioMode;
use pyo3::prelude::*;

use crate::blocked::Blocked;
use crate::errors::{das_error, wav_error, Kind};
use crate::runtime::block_on;

/// A validated audio channel configuration (secrets are never shown by `repr`).
#[pyclass(module = "das._native", frozen)]
#[derive(Clone)]
pub struct ChannelConfig {
    pub(crate) config: AudioChannelConfig,
}

#[pymethods]
impl ChannelConfig {
    /// `protocol` is `"audiohook"` (needs `organization_id`, `api_key`; `client_secret` is
    /// base64, empty for unsigned) or `"twilio"` (the das-Peak subset, or full frames when
    /// `stream_sid` is given). `codec` is `"mulaw"`, `"alaw"` or `"l16"`.
    /// `root_certificate_pem`: extra roots trusted for a `wss://` consumer, besides the
    /// `trusted_roots`: `"bundled"`, `"system"` or `"both"` (the default).
    #[new]
    #[pyo3(signature = (url, protocol="audiohook", *, codec="mulaw", sample_rate=8000, channels=1,
        realtime=true, organization_id=None, api_key=None, client_secret=None, stream_sid=None,
        account_sid=None, track="inbound", buffer_bytes=160_000, frame_ms=None,
        root_certificate_pem=None, trusted_roots="both", proxy=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        url: &str,
        protocol: &str,
        codec: &str,
        sample_rate: u32,
        channels: u16,
        realtime: bool,
        organization_id: Option<&str>,
        api_key: Option<String>,
        client_secret: Option<&str>,
        stream_sid: Option<String>,
        account_sid: Option<String>,
        track: &str,
        buffer_bytes: usize,
        frame_ms: Option<u64>,
        root_certificate_pem: Option<String>,
        trusted_roots: &str,
        proxy: Option<&str>,
    ) -> PyResult<Self> {
        let invalid = |m: String| das_error(Kind::InvalidArgument, m);
        let url = url
            .parse()
            .map_err(|e| invalid(format!("audio URL {url:?}: {e}")))?;
        let protocol = match protocol {
            "audiohook" => ProtocolConfig::AudioHook {
                organization_id: organization_id
                    .unwrap_or("00000000-0000-0000-0000-000000000000")
                    .parse()
                    .map_err(|e| invalid(format!("organization_id must be a UUID: {e}")))?,
                api_key: api_key.unwrap_or_default(),
                client_secret: ClientSecret::from_base64(client_secret.unwrap_or(""))
                    .map_err(|e| invalid(format!("client_secret: {e}")))?,
                media_offers: None,
            },
            "twilio" => ProtocolConfig::Twilio {
                mode: match stream_sid {
                    None => TwilioMode::Subset,
                    Some(stream_sid) => TwilioMode::Full {
                        stream_sid,
                        account_sid: account_sid.unwrap_or_default(),
                        track: track.to_owned(),
                    },
                },
            },
            other => {
                return Err(invalid(format!(
                    "protocol must be 'audiohook' or 'twilio', got {other:?}"
                )))
            }
        };
        let mut config = AudioChannelConfig::new(url, protocol);
        config.codec = codec
            .parse()
            .map_err(|_| invalid(format!("unknown codec {codec:?}")))?;
        config.sample_rate = sample_rate;
        config.channels = channels;
        config.pacing = if realtime {
            Pacing::RealTime
        } else {
            Pacing::AsFastAsPossible
        };
        config.buffer_bytes = buffer_bytes;
        config.frame_duration = frame_ms.map(Duration::from_millis);
        config.tls = tls_options(root_certificate_pem, trusted_roots)?;
        config.proxy = crate::proxy::proxy_setting(proxy)?;
        Ok(Self { config })
    }

    fn __repr__(&self) -> String {
        format!("{:?}", self.config)
    }
}

/// The `trusted_roots` sets plus `pem`'s certificates, checked now so a bad value fails at once.
pub fn tls_options(pem: Option<String>, trusted_roots: &str) -> PyResult<TlsOptions> {
    let invalid = |e: TlsError| das_error(Kind::InvalidArgument, e.to_string());
    let mut tls = TlsOptions::default().trusted_roots(trusted_roots.parse().map_err(invalid)?);
    if let Some(pem) = pem {
        das::tls::check_pem(pem.as_bytes())
            .map_err(|e| das_error(Kind::InvalidArgument, format!("root_certificate_pem: {e}")))?;
        tls = tls.trust_pem(pem);
    }
    Ok(tls)
}

/// An open audio channel.
#[pyclass(module = "das._native", frozen)]
pub struct AudioChannel {
    channel: Mutex<Option<das::channel::AudioChannel>>,
    codec: Codec,
    sample_rate: u32,
    channels: u16,
}

#[pymethods]
impl AudioChannel {
    /// Connects and announces `call_id` (the AudioHook `conversationId`, a UUID; the Twilio
    /// `callSid`).
    #[staticmethod]
    fn open(py: Python<'_>, config: &ChannelConfig, call_id: &str) -> PyResult<Self> {
        let config = config.config.clone();
        let channel = block_on(py, das::channel::AudioChannel::open(&config, call_id))?
            .map_err(channel_error)?;
        Ok(Self {
            channel: Mutex::new(Some(channel)),
            codec: config.codec,
            sample_rate: config.sample_rate,
            channels: config.channels,
        })
    }

    /// Queues wire-codec bytes (copied). With `wait`, waits for room in the send buffer;
    /// otherwise raises `WouldBlock` when it is full.
    #[pyo3(signature = (data, wait=true))]
    fn send(&self, py: Python<'_>, data: Vec<u8>, wait: bool) -> PyResult<()> {
        let guard = self.channel.lock().unwrap_or_else(|p| p.into_inner());
        let channel = guard.as_ref().ok_or_else(closed)?;
        let pushed = if wait {
            block_on(py, channel.push_wait(&data))?
        } else {
            channel.push(&data)
        };
        pushed.map_err(push_error)
    }

    /// Reads a WAV file (PCM16, µ-law or A-law, any rate, mono or stereo), converts it to the
    /// channel's codec, rate and layout, and queues it, waiting for room.
    fn send_wav(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        let (codec, rate, channels) = (self.codec, self.sample_rate, self.channels);
        let blocked = Blocked::enter()?;
        let wire = py
            .detach(|| -> Result<Vec<u8>, WavError> {
                let wav = Wav::read(&path)?.resampled(rate)?;
                let samples = match (wav.channels, channels) {
                    (2, 1) => downmix(&wav.samples, 2),
                    (1, 2) => interleave(&wav.samples, &wav.samples),
                    _ => wav.samples,
                };
                Ok(codec.encode(&samples))
            })
            .map_err(|e| wav_error(e, &path))?;
        drop(blocked);
        self.send(py, wire, true)
    }

    /// Flushes the queued audio and ends the stream. Returns `"finished"` or
    /// `"consumer-closed"` (the consumer had enough audio). Later calls return `"closed"`.
    fn close(&self, py: Python<'_>) -> PyResult<&'static str> {
        let channel = self
            .channel
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let Some(channel) = channel else {
            return Ok("closed");
        };
        match block_on(py, channel.finish())?.map_err(channel_error)? {
            ChannelEnd::Finished => Ok("finished"),
            ChannelEnd::ConsumerClosed { .. } => Ok("consumer-closed"),
        }
    }

    /// Bytes `(queued, sent, dropped)` so far.
    #[getter]
    fn counters(&self) -> PyResult<(u64, u64, u64)> {
        let guard = self.channel.lock().unwrap_or_else(|p| p.into_inner());
        let c = guard.as_ref().ok_or_else(closed)?.counters();
        Ok((c.queued, c.sent, c.dropped))
    }
}

fn closed() -> PyErr {
    das_error(Kind::Closed, "the audio channel is closed")
}

/// The exception class of a channel failure, by the class the core gives it.
pub fn channel_error(e: ChannelError) -> PyErr {
    let kind = match e.kind() {
        ChannelErrorKind::Config => Kind::InvalidArgument,
        ChannelErrorKind::Auth => Kind::Auth,
        ChannelErrorKind::Rejected => Kind::Rejected,
        ChannelErrorKind::Tls => Kind::Tls,
        ChannelErrorKind::Proxy => Kind::Proxy,
        ChannelErrorKind::Protocol => Kind::Protocol,
        // A silent proxy is a timeout, as for every surface.
        ChannelErrorKind::Network if e.proxy().is_some() => Kind::Timeout,
        ChannelErrorKind::Network => Kind::Connect,
    };
    das_error(kind, e)
}

pub fn push_error(e: PushError) -> PyErr {
    match e {
        PushError::WouldBlock { .. } => das_error(Kind::WouldBlock, e),
        PushError::TooLarge { .. } => das_error(Kind::InvalidArgument, e),
        PushError::Closed => das_error(Kind::Closed, e),
    }
}
