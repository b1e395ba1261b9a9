//! Audio-channel outcomes and failures.

use crate::audiohook::client::{ClientEnd, ClientError};
use crate::twilio::{TwilioEnd, TwilioError};

/// How a channel that did not fail ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelEnd {
    /// All audio was sent and the stream closed by us.
    Finished,
    /// The consumer ended the stream because it had enough audio (AudioHook
    /// `disconnect{completed}` or a clean WebSocket close, or the Twilio consumer closing the
    /// socket). A normal end.
    ConsumerClosed {
        /// AudioHook's `disconnect` info, if any.
        info: Option<String>,
    },
}

/// An audio-channel failure.
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    /// Settings the protocol cannot carry (codec, rate, channels, `call_id`).
    #[error("invalid audio channel configuration: {0}")]
    Config(String),
    /// The AudioHook session failed.
    #[error(transparent)]
    AudioHook(#[from] ClientError),
    /// The Twilio session failed.
    #[error(transparent)]
    Twilio(#[from] TwilioError),
}

impl ChannelError {
    /// The TLS failure (refused certificate, unusable roots) behind this error, if any.
    pub fn tls(&self) -> Option<&crate::tls::TlsError> {
        match self {
            ChannelError::AudioHook(ClientError::Tls(tls)) => Some(tls),
            ChannelError::Twilio(TwilioError::Tls(tls)) => Some(tls),
            _ => None,
        }
    }
}

impl ChannelError {
    /// The proxy failure (refusal, silence) behind this error, if any.
    pub fn proxy(&self) -> Option<&crate::proxy::ProxyError> {
        match self {
            ChannelError::AudioHook(ClientError::Proxy(proxy)) => Some(proxy),
            ChannelError::Twilio(TwilioError::Proxy(proxy)) => Some(proxy),
            _ => None,
        }
    }
}

impl From<ClientEnd> for ChannelEnd {
    fn from(end: ClientEnd) -> Self {
        match end {
            ClientEnd::Finished => ChannelEnd::Finished,
            ClientEnd::ConsumerClosed { info } => ChannelEnd::ConsumerClosed { info },
        }
    }
}

impl From<TwilioEnd> for ChannelEnd {
    fn from(end: TwilioEnd) -> Self {
        match end {
            TwilioEnd::Finished => ChannelEnd::Finished,
            TwilioEnd::ConsumerClosed => ChannelEnd::ConsumerClosed { info: None },
        }
    }
}
