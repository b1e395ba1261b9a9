//! The audio channel a das-Peak session streams call audio on: one facade over the
//! AudioHook client and the Twilio Media Streams client, keyed by the session's `call_id`.
//!
//! ```no_run
//! use das::audio::{codec::Codec, wav::Wav};
//! use das::audiohook::secret::ClientSecret;
//! use das::channel::{AudioChannel, AudioChannelConfig, ChannelEnd, ProtocolConfig};
//!
//! async fn stream() -> Result<(), Box<dyn std::error::Error>> {
//! let protocol = ProtocolConfig::AudioHook {
//!     organization_id: "d7934305-0972-4844-938e-9060eef73d05".parse()?,
//!     api_key: "my-api-key".into(),
//!     client_secret: ClientSecret::from_base64("TXlTdXBlclNlY3JldA==")?,
//!     media_offers: None, // derived from `channels`
//! };
//! let config = AudioChannelConfig::new("wss://consumer.example.com/audiohook/ws".parse()?, protocol);
//! let channel = AudioChannel::open(&config, "8d1f2a52-5b0e-4c8e-9c39-2f6f0b0e3c11").await?;
//! channel.push_wait(&Wav::read("samples/speaker-a.wav")?.to_wire(Codec::Mulaw)?).await?;
//! match channel.finish().await? {
//!     ChannelEnd::Finished => println!("all audio sent"),
//!     ChannelEnd::ConsumerClosed { .. } => println!("the consumer had enough audio"),
//! }
//! Ok(())
//! }
//! ```

mod config;
mod error;
mod error_kind;

use uuid::Uuid;

pub use config::{AudioChannelConfig, ProtocolConfig};
pub use error::{ChannelEnd, ChannelError};
pub use error_kind::ChannelErrorKind;

use crate::audio::send_buffer::{Counters, PushError, SendBuffer};
use crate::audiohook::client::ClientSession;
use crate::twilio::TwilioSession;

/// An open audio channel. Push wire-codec bytes (the configured codec, sample rate and
/// channel layout, interleaved), then [`AudioChannel::finish`].
#[derive(Debug)]
pub enum AudioChannel {
    /// A Genesys AudioHook client session.
    AudioHook(ClientSession),
    /// A Twilio Media Streams session.
    Twilio(TwilioSession),
}

impl AudioChannel {
    /// Connects and announces `call_id`: for AudioHook as the `open` message's
    /// `conversationId` (so it must be a UUID), for Twilio as `start.callSid`.
    pub async fn open(
        config: &AudioChannelConfig,
        call_id: &str,
    ) -> Result<AudioChannel, ChannelError> {
        let buffer = SendBuffer::new(config.buffer_bytes);
        AudioChannel::open_with_buffer(config, call_id, buffer).await
    }

    /// [`open`](Self::open), streaming from `buffer` (a session's audio buffer). The
    /// connection handshake is boxed: its state is large and only needed until the channel
    /// is open, so it should not stay in the size of the task that awaits it.
    pub(crate) async fn open_with_buffer(
        config: &AudioChannelConfig,
        call_id: &str,
        buffer: SendBuffer,
    ) -> Result<AudioChannel, ChannelError> {
        match &config.protocol {
            ProtocolConfig::AudioHook { .. } => {
                let conversation_id = Uuid::parse_str(call_id).map_err(|_| {
                    ChannelError::Config(format!(
                        "AudioHook sends call_id as the UUID conversationId, but {call_id:?} is not a UUID"
                    ))
                })?;
                let client = config.audiohook_client()?;
                let open = ClientSession::open_with_buffer(client, conversation_id, buffer);
                Ok(AudioChannel::AudioHook(Box::pin(open).await?))
            }
            ProtocolConfig::Twilio { .. } => {
                let open =
                    TwilioSession::open_with_buffer(config.twilio_client()?, call_id, buffer);
                Ok(AudioChannel::Twilio(Box::pin(open).await?))
            }
        }
    }

    /// Copies `audio` into the send buffer, or fails at once with
    /// [`PushError::WouldBlock`] when it is full.
    pub fn push(&self, audio: &[u8]) -> Result<(), PushError> {
        match self {
            AudioChannel::AudioHook(session) => session.push(audio),
            AudioChannel::Twilio(session) => session.push(audio),
        }
    }

    /// Copies `audio` into the send buffer, waiting for room.
    pub async fn push_wait(&self, audio: &[u8]) -> Result<(), PushError> {
        match self {
            AudioChannel::AudioHook(session) => session.push_wait(audio).await,
            AudioChannel::Twilio(session) => session.push_wait(audio).await,
        }
    }

    /// Bytes queued, sent and dropped so far.
    pub fn counters(&self) -> Counters {
        match self {
            AudioChannel::AudioHook(session) => session.counters(),
            AudioChannel::Twilio(session) => session.counters(),
        }
    }

    /// Waits for the stream to end without ending the audio: the owner of the buffer
    /// finishes it (or the consumer closes).
    pub(crate) async fn ended(self) -> Result<ChannelEnd, ChannelError> {
        match self {
            AudioChannel::AudioHook(session) => Ok(session.ended().await?.into()),
            AudioChannel::Twilio(session) => Ok(session.ended().await?.into()),
        }
    }

    /// Flushes the queued audio, then ends the stream (AudioHook close transaction; Twilio
    /// `stop` in full mode and the close handshake) and reports how it ended.
    pub async fn finish(self) -> Result<ChannelEnd, ChannelError> {
        match self {
            AudioChannel::AudioHook(session) => Ok(session.finish().await?.into()),
            AudioChannel::Twilio(session) => Ok(session.finish().await?.into()),
        }
    }
}
