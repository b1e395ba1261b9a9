//! A Twilio Media Streams client: streams pushed audio to a consumer as the das-Peak
//! "other platforms" subset (`start{callSid}` then `media{payload}`) or as full Twilio
//! frames (`connected`, `start`, `media` with track/chunk/timestamp, `mark`, `stop`).
//! The consumer closing the socket once it has enough audio is a normal end.

use std::fmt::Write as _;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message as WsMessage};
use url::Url;

use super::messages::{Connected, MarkBody, MediaFormat, Message, StartBody, StopBody};
use crate::audio::codec::Codec;
use crate::audio::pacing::Pacing;
use crate::audio::pump::{PacedFrames, PumpConfig, PumpItem};
use crate::audio::send_buffer::{Counters, PushError, SendBuffer};
use crate::proxy::ProxyError;
use crate::tls::{TlsError, TlsOptions};
use crate::ws_write::{closed_by_peer, send_within, WriteFailure, DEFAULT_WRITE_STALL};

/// Which frames the client sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TwilioMode {
    /// The das-Peak subset: one `start` with `callSid`, then bare `media` payloads.
    Subset,
    /// Full Twilio frames with these identifiers; `track` is usually `inbound`.
    Full {
        /// `streamSid` of every frame.
        stream_sid: String,
        /// `start.accountSid`.
        account_sid: String,
        /// `media.track` (`inbound`, `outbound`).
        track: String,
    },
}

/// Twilio client configuration.
#[derive(Debug, Clone)]
pub struct TwilioConfig {
    /// `ws://` or `wss://` consumer URL.
    pub url: Url,
    /// The das-Peak subset or full Twilio frames.
    pub mode: TwilioMode,
    /// Codec of the pushed bytes (sent as is).
    pub codec: Codec,
    /// Samples per second per channel of the pushed bytes.
    pub sample_rate: u32,
    /// Channels of the pushed bytes (interleaved).
    pub channels: u16,
    /// Audio per `media` frame (Twilio uses 20 ms).
    pub frame_duration: Duration,
    /// Real time or as fast as the consumer reads.
    pub pacing: Pacing,
    /// Send-buffer bound in bytes.
    pub buffer_bytes: usize,
    /// Connect and close-handshake timeout.
    pub timeout: Duration,
    /// Roots trusted for `wss://` (the webpki roots plus any extra PEM roots).
    pub tls: TlsOptions,
    /// The proxy to the consumer (default: from the environment).
    pub proxy: crate::proxy::ProxySetting,
    /// A write that makes no progress for this long (the consumer stopped reading) fails the
    /// stream with [`TwilioError::WriteStalled`].
    pub write_stall_timeout: Duration,
}

impl TwilioConfig {
    /// µ-law, 8 kHz mono, 20 ms frames, real time, the subset.
    pub fn new(url: Url) -> Self {
        TwilioConfig {
            url,
            mode: TwilioMode::Subset,
            codec: Codec::Mulaw,
            sample_rate: 8000,
            channels: 1,
            frame_duration: Duration::from_millis(20),
            pacing: Pacing::RealTime,
            buffer_bytes: 80_000,
            timeout: Duration::from_secs(5),
            tls: TlsOptions::default(),
            proxy: crate::proxy::ProxySetting::default(),
            write_stall_timeout: DEFAULT_WRITE_STALL,
        }
    }

    fn sample_bytes(&self) -> usize {
        self.codec.bytes_per_sample() * usize::from(self.channels.max(1))
    }

    fn frame_bytes(&self) -> usize {
        let samples = (self.frame_duration.as_secs_f64() * f64::from(self.sample_rate))
            .round()
            .max(1.0) as usize;
        samples * self.sample_bytes()
    }

    fn encoding(&self) -> &'static str {
        match self.codec {
            Codec::Mulaw => "audio/x-mulaw",
            Codec::Alaw => "audio/x-alaw",
            Codec::L16 => "audio/l16",
        }
    }
}

/// A Twilio client failure.
#[derive(Debug, thiserror::Error)]
pub enum TwilioError {
    /// Unusable settings; the text says which.
    #[error("invalid Twilio configuration: {0}")]
    Config(String),
    /// TCP, TLS or the WebSocket handshake failed.
    #[error("cannot connect to the Twilio consumer: {0}")]
    Connect(String),
    /// The trusted roots are unusable, or the consumer's certificate was refused.
    #[error("Twilio consumer TLS: {0}")]
    Tls(#[from] TlsError),
    /// The proxy refused, broke or did not answer the tunnel to the consumer.
    #[error("Twilio consumer: {0}")]
    Proxy(#[from] ProxyError),
    /// The consumer answered the upgrade with this HTTP status.
    #[error("Twilio consumer refused the upgrade with HTTP {0}")]
    Rejected(u16),
    /// The WebSocket failed mid-stream.
    #[error("Twilio connection lost: {0}")]
    ConnectionLost(String),
    /// The consumer took no bytes for this long (`write_stall_timeout`).
    #[error("the Twilio consumer stopped reading: nothing could be written for {0:?}")]
    WriteStalled(Duration),
}

impl From<WriteFailure> for TwilioError {
    fn from(failure: WriteFailure) -> Self {
        match failure {
            WriteFailure::Stalled(limit) => TwilioError::WriteStalled(limit),
            WriteFailure::Ws(e) => TwilioError::ConnectionLost(e.to_string()),
        }
    }
}

/// How a Twilio stream ended without error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TwilioEnd {
    /// All audio was sent (then `stop` in full mode) and the socket closed by us.
    Finished,
    /// The consumer closed the socket (it had enough audio). A normal end.
    ConsumerClosed,
}

#[derive(Debug)]
enum Command {
    Mark(String),
}

/// A live Twilio Media Streams connection.
#[derive(Debug)]
pub struct TwilioSession {
    buffer: SendBuffer,
    commands: mpsc::UnboundedSender<Command>,
    task: Option<JoinHandle<Result<TwilioEnd, TwilioError>>>,
}

impl TwilioSession {
    /// Connects and sends the opening frames (`start` with `callSid = call_sid`; in full mode
    /// preceded by `connected`).
    pub async fn open(config: TwilioConfig, call_sid: &str) -> Result<TwilioSession, TwilioError> {
        let buffer = SendBuffer::new(config.buffer_bytes);
        Self::open_with_buffer(config, call_sid, buffer).await
    }

    /// [`open`](Self::open), streaming from `buffer` (the audio session's own), so audio
    /// goes from the application's push to the wire without a copy in between.
    pub(crate) async fn open_with_buffer(
        config: TwilioConfig,
        call_sid: &str,
        buffer: SendBuffer,
    ) -> Result<TwilioSession, TwilioError> {
        if !matches!(config.url.scheme(), "ws" | "wss") {
            return Err(TwilioError::Config(format!(
                "URL scheme must be ws or wss, not {:?}",
                config.url.scheme()
            )));
        }
        let tls = config.tls.client_config()?;
        let request = config
            .url
            .as_str()
            .into_client_request()
            .map_err(|e| TwilioError::Config(e.to_string()))?;
        // Consumers send little or nothing back: a small read buffer keeps streams cheap.
        let ws_config = WebSocketConfig::default()
            .read_buffer_size(crate::ws_connect::READ_BUFFER_BYTES)
            .max_message_size(Some(crate::ws_connect::MAX_SERVER_MESSAGE))
            .max_frame_size(Some(crate::ws_connect::MAX_SERVER_MESSAGE));
        let deadline = crate::deadline::deadline_in(config.timeout);
        let connect = crate::ws_connect::connect(request, ws_config, tls, &config.proxy, deadline);
        let mut ws = match tokio::time::timeout_at(deadline, connect).await {
            Err(_) => {
                return Err(TwilioError::Connect(format!(
                    "timed out after {:?}",
                    config.timeout
                )))
            }
            Ok(Err(WsError::Http(response))) => {
                return Err(TwilioError::Rejected(response.status().as_u16()))
            }
            Ok(Err(e)) => {
                return Err(match (TlsError::find_in(&e), ProxyError::find_in(&e)) {
                    (Some(refused), _) => TwilioError::Tls(refused),
                    (None, Some(proxy)) => TwilioError::Proxy(proxy),
                    (None, None) => TwilioError::Connect(e.to_string()),
                })
            }
            Ok(Ok((ws, _))) => ws,
        };
        let mut framer = Framer::new(&config, call_sid);
        let stall = config.write_stall_timeout;
        for message in framer.opening() {
            send_within(&mut ws, text(&message), stall).await?;
        }
        let mut frames = PacedFrames::new(
            buffer.clone(),
            PumpConfig {
                frame_bytes: config.frame_bytes(),
                sample_bytes: config.sample_bytes(),
                sample_rate: config.sample_rate,
                pacing: config.pacing,
            },
        );
        let (commands, mut commands_rx) = mpsc::unbounded_channel();
        let close_timeout = config.timeout;
        let task_buffer = buffer.clone();
        let task = tokio::spawn(async move {
            let outcome = loop {
                tokio::select! {
                    biased;
                    incoming = ws.next() => match incoming {
                        Some(Ok(WsMessage::Close(_))) => {
                            crate::ws_write::close_within(&mut ws, stall).await;
                            break Ok(TwilioEnd::ConsumerClosed);
                        }
                        None => break Ok(TwilioEnd::ConsumerClosed),
                        Some(Err(e)) => break Err(TwilioError::ConnectionLost(e.to_string())),
                        // Bidirectional streams may send media/mark/clear back; not used here.
                        Some(Ok(_)) => {}
                    },
                    Some(Command::Mark(name)) = commands_rx.recv() => {
                        if let Some(mark) = framer.mark(name) {
                            if let Err(e) = send_within(&mut ws, text(&mark), stall).await {
                                break after_failed_write(&mut ws, e, close_timeout).await;
                            }
                        }
                    }
                    Some(item) = frames.next() => match item {
                        PumpItem::Frame { bytes, samples } => {
                            let media = WsMessage::text(framer.media(&bytes, samples));
                            if let Err(e) = send_within(&mut ws, media, stall).await {
                                break after_failed_write(&mut ws, e, close_timeout).await;
                            }
                        }
                        PumpItem::Done => {
                            if let Some(stop) = framer.stop() {
                                if let Err(e) = send_within(&mut ws, text(&stop), stall).await {
                                    break after_failed_write(&mut ws, e, close_timeout).await;
                                }
                            }
                            break close(&mut ws, close_timeout, stall).await;
                        }
                    },
                }
            };
            task_buffer.close();
            outcome
        });
        Ok(TwilioSession {
            buffer,
            commands,
            task: Some(task),
        })
    }

    /// Queues audio (configured codec and channels) without waiting.
    pub fn push(&self, audio: &[u8]) -> Result<(), PushError> {
        self.buffer.push(audio)
    }

    /// Queues audio, waiting for room.
    pub async fn push_wait(&self, audio: &[u8]) -> Result<(), PushError> {
        self.buffer.push_wait(audio).await
    }

    /// Sends a `mark` after the audio sent so far (full mode only; ignored in the subset).
    pub fn mark(&self, name: impl Into<String>) {
        let _ = self.commands.send(Command::Mark(name.into()));
    }

    /// Send-buffer counters.
    pub fn counters(&self) -> Counters {
        self.buffer.counters()
    }

    /// Sends what is queued, then `stop` (full mode), then closes.
    pub async fn finish(self) -> Result<TwilioEnd, TwilioError> {
        self.buffer.finish();
        self.ended().await
    }

    /// Waits for the stream to end on its own: the buffer's owner finishes or closes the
    /// audio, or the consumer closes the socket.
    pub(crate) async fn ended(mut self) -> Result<TwilioEnd, TwilioError> {
        match self.task.take() {
            Some(task) => task
                .await
                .unwrap_or_else(|e| Err(TwilioError::ConnectionLost(e.to_string()))),
            None => Ok(TwilioEnd::Finished),
        }
    }
}

impl Drop for TwilioSession {
    fn drop(&mut self) {
        self.buffer.finish();
    }
}

/// `text` quoted and escaped as JSON.
fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

fn text(message: &Message) -> WsMessage {
    WsMessage::text(serde_json::to_string(message).unwrap_or_default())
}

/// A failed write ends the stream: normally when the consumer closed it (it had enough audio)
/// and its Close is what stands behind the failure, else as a lost connection.
async fn after_failed_write<S>(
    ws: &mut tokio_tungstenite::WebSocketStream<S>,
    failure: WriteFailure,
    limit: Duration,
) -> Result<TwilioEnd, TwilioError>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    match closed_by_peer(ws, &failure, limit).await {
        true => Ok(TwilioEnd::ConsumerClosed),
        false => Err(failure.into()),
    }
}

/// Our close handshake: send Close, wait for the consumer's Close (both bounded).
async fn close<S>(
    ws: &mut tokio_tungstenite::WebSocketStream<S>,
    timeout: Duration,
    stall: Duration,
) -> Result<TwilioEnd, TwilioError>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    match tokio::time::timeout(stall, ws.close(None)).await {
        Err(_) => return Err(TwilioError::WriteStalled(stall)),
        Ok(Err(_)) => return Ok(TwilioEnd::ConsumerClosed),
        Ok(Ok(())) => {}
    }
    let drain = async { while let Some(Ok(_)) = ws.next().await {} };
    let _ = tokio::time::timeout(timeout, drain).await;
    Ok(TwilioEnd::Finished)
}

/// Builds the frames of one stream, numbering them as Twilio does.
struct Framer {
    mode: TwilioMode,
    call_sid: String,
    media_format: MediaFormat,
    sequence: u64,
    chunk: u64,
    samples: u64,
    sample_rate: u32,
    /// Full mode's `track` and `streamSid` as JSON strings, written into every media frame.
    track_json: String,
    stream_sid_json: String,
}

/// A media frame's bytes besides its payload, or more (the full mode's identifiers aside).
const MEDIA_FRAME_OVERHEAD: usize = 160;

impl Framer {
    fn new(config: &TwilioConfig, call_sid: &str) -> Self {
        let (track, stream_sid) = match &config.mode {
            TwilioMode::Subset => ("", ""),
            TwilioMode::Full {
                track, stream_sid, ..
            } => (track.as_str(), stream_sid.as_str()),
        };
        Framer {
            mode: config.mode.clone(),
            call_sid: call_sid.to_owned(),
            media_format: MediaFormat {
                encoding: config.encoding().into(),
                sample_rate: config.sample_rate,
                channels: config.channels,
            },
            sequence: 0,
            chunk: 0,
            samples: 0,
            sample_rate: config.sample_rate.max(1),
            track_json: json_string(track),
            stream_sid_json: json_string(stream_sid),
        }
    }

    fn next_sequence(&mut self) -> Option<String> {
        self.sequence += 1;
        Some(self.sequence.to_string())
    }

    fn opening(&mut self) -> Vec<Message> {
        match self.mode.clone() {
            TwilioMode::Subset => vec![Message::subset_start(&self.call_sid)],
            TwilioMode::Full {
                stream_sid,
                account_sid,
                track,
            } => {
                let connected = Message::Connected(Connected {
                    protocol: Some("Call".into()),
                    version: Some("1.0.0".into()),
                });
                let start = Message::Start {
                    sequence_number: self.next_sequence(),
                    start: StartBody {
                        call_sid: self.call_sid.clone(),
                        stream_sid: Some(stream_sid.clone()),
                        account_sid: Some(account_sid),
                        tracks: Some(vec![track]),
                        custom_parameters: Some(Default::default()),
                        media_format: Some(self.media_format.clone()),
                    },
                    stream_sid: Some(stream_sid),
                };
                vec![connected, start]
            }
        }
    }

    /// The `media` frame for `audio`, written as the serde derive of [`Message::Media`] writes
    /// it (a test holds the two to the same bytes). It leaves 50 times a second per stream, and
    /// building a `Message` to serialize cost five times the rest of a frame's work.
    fn media(&mut self, audio: &[u8], samples: u64) -> String {
        let timestamp_ms = self.samples * 1000 / u64::from(self.sample_rate);
        self.samples += samples;
        let mut frame = String::with_capacity(MEDIA_FRAME_OVERHEAD + audio.len().div_ceil(3) * 4);
        match &self.mode {
            TwilioMode::Subset => {
                frame.push_str(r#"{"event":"media","media":{"payload":""#);
                STANDARD.encode_string(audio, &mut frame);
                frame.push_str(r#""}}"#);
            }
            TwilioMode::Full { .. } => {
                self.sequence += 1;
                self.chunk += 1;
                // Writing into a `String` cannot fail.
                let _ = write!(
                    frame,
                    r#"{{"event":"media","sequenceNumber":"{}","media":{{"payload":""#,
                    self.sequence
                );
                STANDARD.encode_string(audio, &mut frame);
                let _ = write!(
                    frame,
                    r#"","track":{},"chunk":"{}","timestamp":"{timestamp_ms}"}},"streamSid":{}}}"#,
                    self.track_json, self.chunk, self.stream_sid_json
                );
            }
        }
        frame
    }

    /// Marks exist only in full mode; the subset has no such frame.
    fn mark(&mut self, name: String) -> Option<Message> {
        let TwilioMode::Full { stream_sid, .. } = self.mode.clone() else {
            return None;
        };
        Some(Message::Mark {
            sequence_number: self.next_sequence(),
            mark: MarkBody { name },
            stream_sid: Some(stream_sid),
        })
    }

    fn stop(&mut self) -> Option<Message> {
        let TwilioMode::Full {
            stream_sid,
            account_sid,
            ..
        } = self.mode.clone()
        else {
            return None;
        };
        Some(Message::Stop {
            sequence_number: self.next_sequence(),
            stop: StopBody {
                account_sid: Some(account_sid),
                call_sid: Some(self.call_sid.clone()),
            },
            stream_sid: Some(stream_sid),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::messages::MediaBody;
    use super::*;

    /// The media frames written by hand are the bytes serde writes for the same `Message`.
    #[test]
    fn media_frames_are_what_the_message_type_serializes() {
        let audio: Vec<u8> = (0..=255).collect();
        let full = TwilioMode::Full {
            stream_sid: "MZ\"1\\\u{e9}\u{1}".into(),
            account_sid: "AC1".into(),
            track: "in\nbound".into(),
        };
        for mode in [TwilioMode::Subset, full] {
            let mut config = TwilioConfig::new("ws://127.0.0.1:1/".parse().unwrap());
            config.mode = mode.clone();
            let mut framer = Framer::new(&config, "CA1");
            for (n, len) in [0, 1, 2, 3, 160, 256].into_iter().enumerate() {
                let audio = &audio[..len];
                let expected = match &mode {
                    TwilioMode::Subset => Message::subset_media(audio),
                    TwilioMode::Full {
                        stream_sid, track, ..
                    } => Message::Media {
                        sequence_number: Some((n + 1).to_string()),
                        media: MediaBody {
                            track: Some(track.clone()),
                            chunk: Some((n + 1).to_string()),
                            timestamp: Some((n * 20).to_string()),
                            ..MediaBody::from_audio(audio)
                        },
                        stream_sid: Some(stream_sid.clone()),
                    },
                };
                let frame = framer.media(audio, 160);
                assert_eq!(frame, serde_json::to_string(&expected).unwrap());
            }
        }
    }
}
