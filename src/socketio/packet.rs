//! Socket.IO v5 packet codec: `<type>[<#attachments>-][<nsp>,][<ack id>][JSON]`. Pure, no I/O.

use serde_json::Value;

use super::{string_array, ProtocolError};

/// Socket.IO packet types (protocol v5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PacketKind {
    /// `0`: join a namespace, or the server's acceptance.
    Connect,
    /// `1`: leave a namespace.
    Disconnect,
    /// `2`: an event.
    Event,
    /// `3`: an acknowledgement.
    Ack,
    /// `4`: the server refuses a namespace.
    ConnectError,
    /// `5`: an event with binary attachments.
    BinaryEvent,
    /// `6`: an acknowledgement with binary attachments.
    BinaryAck,
}

impl PacketKind {
    fn digit(self) -> char {
        match self {
            Self::Connect => '0',
            Self::Disconnect => '1',
            Self::Event => '2',
            Self::Ack => '3',
            Self::ConnectError => '4',
            Self::BinaryEvent => '5',
            Self::BinaryAck => '6',
        }
    }

    fn from_digit(c: u8) -> Option<Self> {
        Some(match c {
            b'0' => Self::Connect,
            b'1' => Self::Disconnect,
            b'2' => Self::Event,
            b'3' => Self::Ack,
            b'4' => Self::ConnectError,
            b'5' => Self::BinaryEvent,
            b'6' => Self::BinaryAck,
            _ => return None,
        })
    }

    fn is_binary(self) -> bool {
        matches!(self, Self::BinaryEvent | Self::BinaryAck)
    }
}

/// One Socket.IO packet (the text part; binary attachments travel as separate frames).
#[derive(Clone, Debug, PartialEq)]
pub struct Packet {
    /// The packet type.
    pub kind: PacketKind,
    /// Namespace, `/` when omitted on the wire.
    pub namespace: String,
    /// Ack id, for events that request an ack and for ack replies.
    pub id: Option<u64>,
    /// The JSON payload, if any (an array for events and acks).
    pub data: Option<Value>,
    /// Number of binary frames that follow (binary packets only).
    pub attachments: usize,
}

impl Packet {
    /// A namespace CONNECT, with the optional auth payload.
    pub fn connect(namespace: &str, auth: Option<Value>) -> Self {
        Self::new(PacketKind::Connect, namespace, None, auth)
    }

    /// A namespace DISCONNECT.
    pub fn disconnect(namespace: &str) -> Self {
        Self::new(PacketKind::Disconnect, namespace, None, None)
    }

    /// An EVENT (or BINARY_EVENT when `attachments > 0`): `[name, ...args]`.
    pub fn event(
        namespace: &str,
        name: &str,
        args: Vec<Value>,
        id: Option<u64>,
        attachments: usize,
    ) -> Self {
        let mut array = Vec::with_capacity(args.len() + 1);
        array.push(Value::String(name.to_owned()));
        array.extend(args);
        let kind = if attachments > 0 {
            PacketKind::BinaryEvent
        } else {
            PacketKind::Event
        };
        Self {
            attachments,
            ..Self::new(kind, namespace, id, Some(Value::Array(array)))
        }
    }

    /// An ACK (or BINARY_ACK when `attachments > 0`) answering ack id `id`.
    pub fn ack(namespace: &str, id: u64, args: Vec<Value>, attachments: usize) -> Self {
        let kind = if attachments > 0 {
            PacketKind::BinaryAck
        } else {
            PacketKind::Ack
        };
        Self {
            attachments,
            ..Self::new(kind, namespace, Some(id), Some(Value::Array(args)))
        }
    }

    fn new(kind: PacketKind, namespace: &str, id: Option<u64>, data: Option<Value>) -> Self {
        Self {
            kind,
            namespace: namespace.to_owned(),
            id,
            data,
            attachments: 0,
        }
    }

    /// Encodes the text part (without the Engine.IO `4` prefix).
    pub fn encode(&self) -> String {
        let mut out = String::new();
        out.push(self.kind.digit());
        if self.kind.is_binary() {
            out.push_str(&self.attachments.to_string());
            out.push('-');
        }
        if self.namespace != "/" {
            out.push_str(&self.namespace);
            out.push(',');
        }
        if let Some(id) = self.id {
            out.push_str(&id.to_string());
        }
        if let Some(data) = &self.data {
            out.push_str(&data.to_string());
        }
        out
    }

    /// Decodes and validates the text part (without the Engine.IO `4` prefix).
    pub fn decode(text: &str) -> Result<Self, ProtocolError> {
        let bytes = text.as_bytes();
        let kind = bytes
            .first()
            .and_then(|&c| PacketKind::from_digit(c))
            .ok_or_else(|| {
                ProtocolError::new(format!(
                    "unknown Socket.IO packet type in {:?}",
                    preview(text)
                ))
            })?;
        let mut rest = &text[1..];

        let mut attachments = 0;
        if kind.is_binary() {
            let dash = rest
                .find('-')
                .ok_or_else(|| ProtocolError::new("binary packet without attachment count"))?;
            attachments = rest[..dash].parse::<usize>().map_err(|_| {
                ProtocolError::new(format!("bad attachment count in {:?}", preview(text)))
            })?;
            rest = &rest[dash + 1..];
        }

        let mut namespace = "/".to_owned();
        if rest.starts_with('/') {
            // Namespaces may contain slashes; the first ',' ends them.
            match rest.find(',') {
                Some(comma) => {
                    namespace = rest[..comma].to_owned();
                    rest = &rest[comma + 1..];
                }
                None => {
                    namespace = rest.to_owned();
                    rest = "";
                }
            }
        }

        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let id = if digits > 0 {
            let id = rest[..digits]
                .parse::<u64>()
                .map_err(|_| ProtocolError::new("ack id out of range"))?;
            rest = &rest[digits..];
            Some(id)
        } else {
            None
        };

        let data = if rest.is_empty() {
            None
        } else {
            let parsed = string_array::parse(rest).map_or_else(|| serde_json::from_str(rest), Ok);
            Some(parsed.map_err(|e| {
                ProtocolError::new(format!("invalid JSON payload in {:?}: {e}", preview(text)))
            })?)
        };

        let packet = Self {
            kind,
            namespace,
            id,
            data,
            attachments,
        };
        packet.validate()?;
        Ok(packet)
    }

    fn validate(&self) -> Result<(), ProtocolError> {
        let fail = |why: &str| Err(ProtocolError::new(format!("{:?} packet {why}", self.kind)));
        match self.kind {
            PacketKind::Connect => match &self.data {
                None | Some(Value::Object(_)) => Ok(()),
                Some(_) => fail("payload must be an object"),
            },
            // As socket.io-parser checks: a bare number after a namespace would read back as
            // an ack id, so only these payload shapes are unambiguous.
            PacketKind::Disconnect => match &self.data {
                None => Ok(()),
                Some(_) => fail("carries no payload"),
            },
            PacketKind::ConnectError => match &self.data {
                None | Some(Value::Object(_) | Value::String(_)) => Ok(()),
                Some(_) => fail("payload must be an object or a string"),
            },
            PacketKind::Event | PacketKind::BinaryEvent => match &self.data {
                Some(Value::Array(items)) if matches!(items.first(), Some(Value::String(_))) => {
                    self.check_placeholders()
                }
                _ => fail("payload must be an array starting with the event name"),
            },
            PacketKind::Ack | PacketKind::BinaryAck => match (&self.id, &self.data) {
                (Some(_), Some(Value::Array(_))) => self.check_placeholders(),
                (None, _) => fail("has no ack id"),
                _ => fail("payload must be an array"),
            },
        }
    }

    fn check_placeholders(&self) -> Result<(), ProtocolError> {
        match &self.data {
            Some(data) => check_placeholders(data, self.attachments),
            None => Ok(()),
        }
    }

    /// For EVENT/BINARY_EVENT: the event name and its arguments.
    pub fn into_event(self) -> Option<(String, Vec<Value>)> {
        match self.data {
            Some(Value::Array(mut items)) if !items.is_empty() => match items.remove(0) {
                Value::String(name) => Some((name, items)),
                _ => None,
            },
            _ => None,
        }
    }

    /// For ACK/BINARY_ACK: the ack arguments.
    pub fn into_args(self) -> Vec<Value> {
        match self.data {
            Some(Value::Array(items)) => items,
            Some(other) => vec![other],
            None => Vec::new(),
        }
    }
}

/// The JSON that stands for binary attachment `num` (0-based) inside event or ack arguments.
pub fn placeholder(num: usize) -> Value {
    serde_json::json!({ "_placeholder": true, "num": num })
}

/// If `value` is a binary placeholder, its attachment number.
pub fn placeholder_num(value: &Value) -> Option<usize> {
    let obj = value.as_object()?;
    if obj.get("_placeholder")? != &Value::Bool(true) {
        return None;
    }
    obj.get("num")?.as_u64().map(|n| n as usize)
}

/// True when a placeholder sits anywhere inside `value` (below its top level).
pub(crate) fn nests_placeholder(value: &Value) -> bool {
    let inside = |item: &Value| placeholder_num(item).is_some() || nests_placeholder(item);
    match value {
        Value::Array(items) => items.iter().any(inside),
        Value::Object(map) => placeholder_num(value).is_none() && map.values().any(inside),
        _ => false,
    }
}

/// Every placeholder (at any depth) must point at an announced attachment.
pub(crate) fn check_placeholders(value: &Value, attachments: usize) -> Result<(), ProtocolError> {
    if let Some(num) = placeholder_num(value) {
        return if num < attachments {
            Ok(())
        } else {
            Err(ProtocolError::new(format!(
                "placeholder {num} but only {attachments} attachment(s)"
            )))
        };
    }
    match value {
        Value::Array(items) => items
            .iter()
            .try_for_each(|v| check_placeholders(v, attachments)),
        Value::Object(map) => map
            .values()
            .try_for_each(|v| check_placeholders(v, attachments)),
        _ => Ok(()),
    }
}

fn preview(text: &str) -> &str {
    match text.char_indices().nth(80) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}
