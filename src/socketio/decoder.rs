//! Turns WebSocket messages into Engine.IO actions and complete Socket.IO packets, collecting
//! the binary frames that follow a BINARY_EVENT / BINARY_ACK header. Pure, no I/O.

use bytes::Bytes;
use tokio_tungstenite::tungstenite::Message;

use super::engine::EnginePacket;
use super::packet::Packet;
use super::ProtocolError;

/// What a received WebSocket message means for the connection.
#[derive(Debug, PartialEq)]
pub enum Inbound {
    /// Nothing to act on yet (a pong, a noop, or an attachment still awaited).
    Nothing,
    /// Engine.IO ping: answer with pong.
    Ping,
    /// Engine.IO close packet or WebSocket close.
    Close,
    /// A complete Socket.IO packet with its attachments.
    Packet(Packet, Vec<Bytes>),
}

/// Reassembles Socket.IO packets from the WebSocket frames of one connection: text frames carry
/// Engine.IO packets, binary frames the attachments announced by the last binary packet.
#[derive(Debug, Default)]
pub struct Decoder {
    /// A binary packet still waiting for attachments.
    partial: Option<(Packet, Vec<Bytes>)>,
    /// Bytes received since the last complete packet was taken.
    received: usize,
}

impl Decoder {
    pub(crate) fn on_message(&mut self, message: Message) -> Result<Inbound, ProtocolError> {
        match message {
            Message::Text(text) => self.on_text(text.as_str()),
            Message::Binary(data) => self.on_binary(data),
            Message::Close(_) => Ok(Inbound::Close),
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => Ok(Inbound::Nothing),
        }
    }

    /// The bytes of the packet just completed (its frames since the previous packet): what it
    /// weighs in the event queue.
    pub(crate) fn take_received(&mut self) -> usize {
        std::mem::take(&mut self.received)
    }

    /// A WebSocket binary frame: the next attachment of the pending binary packet.
    pub fn on_binary(&mut self, data: Bytes) -> Result<Inbound, ProtocolError> {
        self.received += data.len();
        let Some((packet, mut got)) = self.partial.take() else {
            return Err(ProtocolError::new("unexpected binary frame"));
        };
        got.push(data);
        if got.len() == packet.attachments {
            Ok(Inbound::Packet(packet, got))
        } else {
            self.partial = Some((packet, got));
            Ok(Inbound::Nothing)
        }
    }

    /// A WebSocket text frame: one Engine.IO packet.
    pub fn on_text(&mut self, text: &str) -> Result<Inbound, ProtocolError> {
        self.received += text.len();
        if let Some((packet, got)) = &self.partial {
            return Err(ProtocolError::new(format!(
                "text frame while {} of {} attachment(s) were still expected",
                packet.attachments - got.len(),
                packet.attachments
            )));
        }
        match EnginePacket::parse(text)? {
            EnginePacket::Ping(_) => Ok(Inbound::Ping),
            EnginePacket::Close => Ok(Inbound::Close),
            EnginePacket::Pong(_) | EnginePacket::Noop | EnginePacket::Upgrade => {
                Ok(Inbound::Nothing)
            }
            EnginePacket::Open(_) => Err(ProtocolError::new("second Engine.IO open packet")),
            EnginePacket::Message(body) => {
                let packet = Packet::decode(body)?;
                if packet.attachments > 0 {
                    self.partial = Some((packet, Vec::with_capacity(1)));
                    Ok(Inbound::Nothing)
                } else {
                    Ok(Inbound::Packet(packet, Vec::new()))
                }
            }
        }
    }
}
