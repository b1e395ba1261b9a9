//! [`Argument`]: one Socket.IO event argument as the server sent it, JSON or bytes.

use bytes::Bytes;
use serde_json::Value;

use crate::socketio::{nests_placeholder, placeholder_num};

/// One argument of a server event, in the order sent: a JSON value, a binary attachment (a
/// Socket.IO BINARY_EVENT argument, reassembled from its frame), or a JSON value with
/// attachments inside it.
#[derive(Clone, Debug, PartialEq)]
pub enum Argument {
    /// A JSON value (das-Peak sends JSON text: a string holding an object).
    Json(Value),
    /// A binary attachment.
    Binary(Bytes),
    /// A JSON value with binary attachments inside it, as python-socketio and socketioxide
    /// send `bytes` nested in a dict or list: each `{"_placeholder":true,"num":n}` in `value`
    /// stands for `attachments[n]` ([`attachment`](Self::attachment) resolves it).
    JsonWithBinary {
        /// The value as sent, placeholders in place.
        value: Value,
        /// The event's attachments, in wire order.
        attachments: Vec<Bytes>,
    },
}

impl Argument {
    /// The arguments of a wire event: top-level placeholders replaced by their attachments,
    /// values with placeholders inside them keeping the attachments those stand for.
    pub fn from_wire(args: Vec<Value>, attachments: &[Bytes]) -> Vec<Self> {
        args.into_iter()
            .map(|value| {
                if attachments.is_empty() {
                    return Self::Json(value);
                }
                if let Some(bytes) = placeholder_num(&value).and_then(|n| attachments.get(n)) {
                    return Self::Binary(bytes.clone());
                }
                if nests_placeholder(&value) {
                    let attachments = attachments.to_vec();
                    return Self::JsonWithBinary { value, attachments };
                }
                Self::Json(value)
            })
            .collect()
    }

    /// The JSON value, for a JSON argument (placeholders in place when it holds attachments).
    pub fn as_json(&self) -> Option<&Value> {
        match self {
            Self::Json(value) | Self::JsonWithBinary { value, .. } => Some(value),
            Self::Binary(_) => None,
        }
    }

    /// The bytes, for a binary argument.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match self {
            Self::Binary(bytes) => Some(bytes),
            Self::Json(_) | Self::JsonWithBinary { .. } => None,
        }
    }

    /// The attachments placeholders inside this argument stand for (empty when it holds none).
    pub fn attachments(&self) -> &[Bytes] {
        match self {
            Self::JsonWithBinary { attachments, .. } => attachments,
            Self::Json(_) | Self::Binary(_) => &[],
        }
    }

    /// The bytes `placeholder` (a value inside this argument) stands for.
    pub fn attachment(&self, placeholder: &Value) -> Option<&Bytes> {
        placeholder_num(placeholder).and_then(|n| self.attachments().get(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::socketio::placeholder;
    use serde_json::json;

    #[test]
    fn top_level_placeholders_become_bytes_and_nested_ones_keep_their_attachments() {
        let wav = Bytes::from_static(b"RIFF");
        let nested = json!({"audio": placeholder(0), "rest": [1, {"more": placeholder(0)}]});
        let args = Argument::from_wire(
            vec![json!("text"), placeholder(0), nested.clone()],
            std::slice::from_ref(&wav),
        );
        assert_eq!(
            args,
            [
                Argument::Json(json!("text")),
                Argument::Binary(wav.clone()),
                Argument::JsonWithBinary {
                    value: nested.clone(),
                    attachments: vec![wav.clone()]
                }
            ]
        );
        assert_eq!(args[2].as_json(), Some(&nested));
        assert_eq!(args[2].attachment(&nested["audio"]), Some(&wav));
        assert_eq!(args[2].attachment(&nested["rest"][1]["more"]), Some(&wav));
        assert_eq!(args[2].attachment(&nested["rest"]), None);
        assert!(args[0].attachments().is_empty() && args[1].attachments().is_empty());
    }

    #[test]
    fn without_attachments_a_placeholder_shaped_value_is_plain_json() {
        let shaped = json!({"blob": placeholder(0)});
        let args = Argument::from_wire(vec![shaped.clone(), placeholder(1)], &[]);
        assert_eq!(
            args,
            [Argument::Json(shaped), Argument::Json(placeholder(1))]
        );
    }
}
