//! [`Argument`]: one Socket.IO event argument as the server sent it, JSON or bytes.

use bytes::Bytes;
use serde_json::Value;

use crate::socketio::placeholder_num;

/// One argument of a server event, in the order sent: a JSON value, or a binary attachment
/// (a Socket.IO BINARY_EVENT argument, reassembled from its frame).
///
/// Only whole arguments become [`Argument::Binary`]; a placeholder nested inside a JSON
/// argument stays as received (`{"_placeholder":true,"num":n}`).
#[derive(Clone, Debug, PartialEq)]
pub enum Argument {
    /// A JSON value (das-Peak sends JSON text: a string holding an object).
    Json(Value),
    /// A binary attachment.
    Binary(Bytes),
}

impl Argument {
    /// The arguments of a wire event: top-level placeholders replaced by their attachments.
    pub fn from_wire(args: Vec<Value>, attachments: &[Bytes]) -> Vec<Self> {
        args.into_iter()
            .map(
                |value| match placeholder_num(&value).and_then(|n| attachments.get(n)) {
                    Some(bytes) => Self::Binary(bytes.clone()),
                    None => Self::Json(value),
                },
            )
            .collect()
    }

    /// The JSON value, for a JSON argument.
    pub fn as_json(&self) -> Option<&Value> {
        match self {
            Self::Json(value) => Some(value),
            Self::Binary(_) => None,
        }
    }

    /// The bytes, for a binary argument.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match self {
            Self::Json(_) => None,
            Self::Binary(bytes) => Some(bytes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::socketio::placeholder;
    use serde_json::json;

    #[test]
    fn top_level_placeholders_become_bytes_in_order() {
        let wav = Bytes::from_static(b"RIFF");
        let nested = json!({"audio": placeholder(0)});
        let args = Argument::from_wire(
            vec![json!("text"), placeholder(0), nested.clone()],
            std::slice::from_ref(&wav),
        );
        assert_eq!(
            args,
            [
                Argument::Json(json!("text")),
                Argument::Binary(wav),
                Argument::Json(nested)
            ]
        );
    }
}
