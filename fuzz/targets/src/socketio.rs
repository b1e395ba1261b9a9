//! Engine.IO v4 frames and Socket.IO v5 packets, including binary attachments.

use bytes::Bytes;
use das::socketio::{placeholder_num, Decoder, EnginePacket, Inbound, Packet, PacketKind};
use serde_json::Value;

/// Frames in one input are separated by this byte (it never occurs in UTF-8 text).
const FRAME_SEPARATOR: u8 = 0xFF;
/// A frame starting with this byte is a binary WebSocket frame, the rest its payload.
const BINARY_MARK: u8 = 0xFE;

/// Feeds a sequence of WebSocket frames through the connection's [`Decoder`]. Every complete
/// packet must carry exactly the attachments it announced, its placeholders must point at
/// them, and it must survive encode → decode unchanged.
pub fn eio_packet(data: &[u8]) {
    let mut decoder = Decoder::default();
    for frame in data.split(|&b| b == FRAME_SEPARATOR) {
        let inbound = match frame.split_first() {
            Some((&BINARY_MARK, payload)) => decoder.on_binary(Bytes::copy_from_slice(payload)),
            _ => match std::str::from_utf8(frame) {
                Ok(text) => {
                    check_engine_packet(text);
                    decoder.on_text(text)
                }
                Err(_) => continue,
            },
        };
        match inbound {
            Ok(Inbound::Packet(packet, attachments)) => {
                assert_eq!(
                    attachments.len(),
                    packet.attachments,
                    "packet delivered with the wrong number of attachments"
                );
                check_packet(&packet);
            }
            Ok(Inbound::Nothing | Inbound::Ping | Inbound::Close) => {}
            Err(error) => assert!(!error.message().is_empty(), "error without a message"),
        }
    }
}

fn check_engine_packet(text: &str) {
    match EnginePacket::parse(text) {
        Ok(EnginePacket::Open(handshake)) => {
            let _ = handshake.heartbeat_deadline();
        }
        Ok(EnginePacket::Message(body) | EnginePacket::Ping(body) | EnginePacket::Pong(body)) => {
            assert_eq!(
                body,
                &text[1..],
                "Engine.IO body is not the text after the type"
            );
        }
        Ok(EnginePacket::Close | EnginePacket::Upgrade | EnginePacket::Noop) => {}
        Err(error) => assert!(!error.message().is_empty(), "error without a message"),
    }
}

/// Decodes `data` as the text of one Socket.IO packet (after the Engine.IO `4`). A decoded
/// packet must re-encode to text that decodes to the same packet, and encoding must be stable.
pub fn sio_packet(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Packet::decode(text) {
        Ok(packet) => check_packet(&packet),
        Err(error) => assert!(!error.message().is_empty(), "error without a message"),
    }
}

fn check_packet(packet: &Packet) {
    let binary = matches!(packet.kind, PacketKind::BinaryEvent | PacketKind::BinaryAck);
    assert!(
        binary || packet.attachments == 0,
        "a non-binary packet announces attachments"
    );
    // Only events and acks have attachments substituted; elsewhere such objects are data.
    let carries_attachments = matches!(
        packet.kind,
        PacketKind::Event | PacketKind::BinaryEvent | PacketKind::Ack | PacketKind::BinaryAck
    );
    if let (true, Some(data)) = (carries_attachments, &packet.data) {
        check_placeholders(data, packet.attachments);
    }
    let encoded = packet.encode();
    let again = Packet::decode(&encoded)
        .unwrap_or_else(|e| panic!("encoded packet does not decode: {e}\n{encoded}"));
    assert_eq!(
        &again, packet,
        "encode → decode changed the packet: {encoded}"
    );
    assert_eq!(again.encode(), encoded, "encoding is not stable");
    match packet.kind {
        PacketKind::Event | PacketKind::BinaryEvent => {
            assert!(
                packet.clone().into_event().is_some(),
                "event without a name"
            );
        }
        PacketKind::Ack | PacketKind::BinaryAck => assert!(packet.id.is_some(), "ack without id"),
        _ => {}
    }
}

fn check_placeholders(value: &Value, attachments: usize) {
    if let Some(num) = placeholder_num(value) {
        assert!(num < attachments, "placeholder {num} of {attachments}");
        return;
    }
    match value {
        Value::Array(items) => items
            .iter()
            .for_each(|v| check_placeholders(v, attachments)),
        Value::Object(map) => map
            .values()
            .for_each(|v| check_placeholders(v, attachments)),
        _ => {}
    }
}
