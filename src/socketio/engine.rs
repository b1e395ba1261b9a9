//! Engine.IO v4 text packets over WebSocket (one packet per frame). Pure, no I/O.

use std::time::Duration;

use serde::Deserialize;

use super::ProtocolError;

/// The server's open packet `0{...}`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Handshake {
    /// The Engine.IO session id.
    pub sid: String,
    /// Transports the server offers to upgrade to (empty over WebSocket).
    #[serde(default)]
    pub upgrades: Vec<String>,
    /// Milliseconds.
    pub ping_interval: u64,
    /// Milliseconds.
    pub ping_timeout: u64,
    /// Largest packet the server accepts, in bytes (python-socketio 1000000, socketioxide 100000).
    #[serde(default = "default_max_payload")]
    pub max_payload: u64,
}

fn default_max_payload() -> u64 {
    1_000_000
}

impl Handshake {
    /// How long the connection may be silent before it is declared dead.
    pub fn heartbeat_deadline(&self) -> Duration {
        Duration::from_millis(self.ping_interval.saturating_add(self.ping_timeout))
    }
}

/// One Engine.IO packet received as a WebSocket text frame.
#[derive(Debug, PartialEq)]
pub enum EnginePacket<'a> {
    /// `0`: the handshake.
    Open(Handshake),
    /// `1`: the server closes the connection.
    Close,
    /// `2`: a heartbeat probe, with its payload; answered with a pong.
    Ping(&'a str),
    /// `3`: the answer to a ping, with its payload.
    Pong(&'a str),
    /// A Socket.IO packet (the text after the `4`).
    Message(&'a str),
    /// `5`: transport upgrade (not used over WebSocket).
    Upgrade,
    /// `6`: no operation.
    Noop,
}

impl<'a> EnginePacket<'a> {
    /// Parses one WebSocket text frame.
    pub fn parse(frame: &'a str) -> Result<Self, ProtocolError> {
        // The type is one character; a non-ASCII one must not split the body mid-character.
        let Some(kind) = frame.chars().next() else {
            return Err(ProtocolError::new("empty Engine.IO frame"));
        };
        let body = &frame[kind.len_utf8()..];
        Ok(match kind {
            '0' => {
                Self::Open(serde_json::from_str(body).map_err(|e| {
                    ProtocolError::new(format!("invalid Engine.IO open packet: {e}"))
                })?)
            }
            '1' => Self::Close,
            '2' => Self::Ping(body),
            '3' => Self::Pong(body),
            '4' => Self::Message(body),
            '5' => Self::Upgrade,
            '6' => Self::Noop,
            _ => {
                let end = frame.char_indices().nth(40).map_or(frame.len(), |(i, _)| i);
                return Err(ProtocolError::new(format!(
                    "unknown Engine.IO packet type in {:?}",
                    &frame[..end]
                )));
            }
        })
    }
}
