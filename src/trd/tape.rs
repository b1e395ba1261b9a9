//! The fast pass's reader: the result types straight from simd-json's tape, without serde's
//! visitor round trips, which cost as much as building the tape on word-heavy results.
//!
//! `wire_struct!` writes each object's reader from the same field list as its `Deserialize`
//! impl. The values on the hot path (words, times, scores, channels, texts, statuses, raw JSON)
//! are read here, as simd-json's own serde impl would hand them to serde's impls; every other
//! value goes through that serde impl on a copy of its part of the tape. Anything unexpected
//! gives `None`, and serde_json has the last word (see `fast.rs`).
//!
//! One number reads differently: simd-json reads `-0` as the integer 0 (`I64(0)`; a
//! non-negative integer is a `U64`), serde_json as the float `-0.0`, written back as `-0.0`.
//! Every reader refuses `I64(0)`, so a body with `-0` in a number goes to serde_json.

use compact_str::CompactString;
use serde::Deserialize;
use serde_json::{Number, Value};
use simd_json::{Node, StaticNode, Tape};

use super::seq::with_hinted_capacity;
use super::timestamp::Timestamp;

/// A position in a filled tape.
pub(crate) struct Cursor<'t, 'de> {
    nodes: &'t [Node<'de>],
    at: usize,
    /// Holds the copy of a value read through serde.
    spare: Vec<Node<'de>>,
}

impl<'t, 'de> Cursor<'t, 'de> {
    /// A cursor at the document root; `spare` is a buffer to reuse (emptied).
    pub(crate) fn new(nodes: &'t [Node<'de>], spare: Vec<Node<'static>>) -> Self {
        Cursor {
            nodes,
            at: 0,
            spare: Tape(spare).reset().0,
        }
    }

    /// The buffer given to `new`, emptied.
    pub(crate) fn into_spare(self) -> Vec<Node<'static>> {
        Tape(self.spare).reset().0
    }

    fn peek(&self) -> Option<Node<'de>> {
        self.nodes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<Node<'de>> {
        let node = self.peek()?;
        self.at += 1;
        Some(node)
    }

    /// Enters an object: its number of keys.
    pub(crate) fn object(&mut self) -> Option<usize> {
        match self.next()? {
            Node::Object { len, .. } => Some(len),
            _ => None,
        }
    }

    /// An object key.
    pub(crate) fn key(&mut self) -> Option<&'de str> {
        self.string()
    }

    pub(crate) fn string(&mut self) -> Option<&'de str> {
        match self.next()? {
            Node::String(text) => Some(text),
            _ => None,
        }
    }

    /// A number, `null` or boolean; `None` for `-0` (see above).
    fn scalar(&mut self) -> Option<StaticNode> {
        match self.next()? {
            Node::Static(StaticNode::I64(0)) => None,
            Node::Static(scalar) => Some(scalar),
            _ => None,
        }
    }

    /// The next value through its serde impl, as simd-json's serde deserializer reads it.
    pub(crate) fn value<T: Deserialize<'de>>(&mut self) -> Option<T> {
        let nodes = match self.peek()? {
            Node::Object { count, .. } | Node::Array { count, .. } => count + 1,
            Node::String(_) | Node::Static(_) => 1,
        };
        let value = self.nodes.get(self.at..self.at + nodes)?;
        // A pattern, not `==`: value-trait's equality takes `U64(0)` for `I64(0)`.
        if value
            .iter()
            .any(|node| matches!(node, Node::Static(StaticNode::I64(0))))
        {
            return None;
        }
        self.at += nodes;
        let mut spare = std::mem::take(&mut self.spare);
        spare.extend_from_slice(value);
        let mut deserializer = simd_json::Deserializer::from_tape(Tape(spare));
        let parsed = T::deserialize(&mut deserializer);
        let mut spare = deserializer.into_tape().0;
        spare.clear();
        self.spare = spare;
        parsed.ok()
    }
}

/// A type the fast pass reads from the tape.
pub(crate) trait FromTape<'de>: Sized {
    fn from_tape(tape: &mut Cursor<'_, 'de>) -> Option<Self>;
}

/// `null` is `None`, as serde's `Option` impl reads it from simd-json.
impl<'de, T: FromTape<'de>> FromTape<'de> for Option<T> {
    fn from_tape(tape: &mut Cursor<'_, 'de>) -> Option<Self> {
        if tape.peek()? == Node::Static(StaticNode::Null) {
            tape.at += 1;
            return Some(None);
        }
        T::from_tape(tape).map(Some)
    }
}

/// A list allocated at its length, as `ExactVec` does with simd-json's length hint.
impl<'de, T: FromTape<'de>> FromTape<'de> for Vec<T> {
    fn from_tape(tape: &mut Cursor<'_, 'de>) -> Option<Self> {
        let Node::Array { len, .. } = tape.next()? else {
            return None;
        };
        let mut list = with_hinted_capacity(len).unwrap_or_default();
        for _ in 0..len {
            list.push(T::from_tape(tape)?);
        }
        // Grown past a refused hint: exact, as `ExactVec` gives it.
        list.shrink_to_fit();
        Some(list)
    }
}

impl<'de> FromTape<'de> for String {
    fn from_tape(tape: &mut Cursor<'_, 'de>) -> Option<Self> {
        tape.string().map(str::to_owned)
    }
}

impl<'de> FromTape<'de> for CompactString {
    fn from_tape(tape: &mut Cursor<'_, 'de>) -> Option<Self> {
        tape.string().map(CompactString::from)
    }
}

/// Any number, as simd-json's `deserialize_f64` gives it.
impl<'de> FromTape<'de> for f64 {
    fn from_tape(tape: &mut Cursor<'_, 'de>) -> Option<Self> {
        match tape.scalar()? {
            StaticNode::F64(value) => Some(value),
            StaticNode::I64(value) => Some(value as f64),
            StaticNode::U64(value) => Some(value as f64),
            _ => None,
        }
    }
}

/// A non-negative integer in range, as simd-json's `deserialize_u32` gives it.
impl<'de> FromTape<'de> for u32 {
    fn from_tape(tape: &mut Cursor<'_, 'de>) -> Option<Self> {
        match tape.scalar()? {
            StaticNode::I64(value) => u32::try_from(value).ok(),
            StaticNode::U64(value) => u32::try_from(value).ok(),
            _ => None,
        }
    }
}

/// As serde_json's `Number` visitor takes simd-json's integers and finite floats.
impl<'de> FromTape<'de> for Number {
    fn from_tape(tape: &mut Cursor<'_, 'de>) -> Option<Self> {
        match tape.scalar()? {
            StaticNode::I64(value) => Some(value.into()),
            StaticNode::U64(value) => Some(value.into()),
            StaticNode::F64(value) => Number::from_f64(value),
            _ => None,
        }
    }
}

/// Raw JSON, as serde_json's `Value` visitor builds it from simd-json's serde impl.
impl<'de> FromTape<'de> for Value {
    fn from_tape(tape: &mut Cursor<'_, 'de>) -> Option<Self> {
        Some(match tape.peek()? {
            Node::String(text) => {
                tape.at += 1;
                Value::String(text.to_owned())
            }
            Node::Static(_) => match tape.scalar()? {
                StaticNode::Null => Value::Null,
                StaticNode::Bool(value) => Value::Bool(value),
                StaticNode::I64(value) => Value::Number(value.into()),
                StaticNode::U64(value) => Value::Number(value.into()),
                StaticNode::F64(value) => {
                    Number::from_f64(value).map_or(Value::Null, Value::Number)
                }
            },
            Node::Array { len, .. } => {
                tape.at += 1;
                let mut list = with_hinted_capacity(len).unwrap_or_default();
                for _ in 0..len {
                    list.push(Value::from_tape(tape)?);
                }
                Value::Array(list)
            }
            Node::Object { len, .. } => {
                tape.at += 1;
                let mut map = serde_json::Map::new();
                for _ in 0..len {
                    let key = tape.key()?;
                    // serde_json's marker for a `RawValue` inside a map: its visitor's case.
                    if key == RAW_VALUE_KEY {
                        return None;
                    }
                    map.insert(key.to_owned(), Value::from_tape(tape)?);
                }
                Value::Object(map)
            }
        })
    }
}

/// The key serde_json's `Value` visitor reads as a `RawValue` (with its `raw_value` feature).
const RAW_VALUE_KEY: &str = "$serde_json::private::RawValue";

/// Types read through their serde impl (`Cursor::value`): off the hot path, or with logic of
/// their own.
macro_rules! from_tape_through_serde {
    ($($ty:ty),* $(,)?) => {
        $(impl<'de> FromTape<'de> for $ty {
            fn from_tape(tape: &mut Cursor<'_, 'de>) -> Option<Self> {
                tape.value()
            }
        })*
    };
}

from_tape_through_serde!(Timestamp, u64, bool);

#[cfg(test)]
mod tests {
    use super::*;

    fn read<T: for<'de> FromTape<'de>>(json: &str) -> Option<T> {
        let mut body = json.as_bytes().to_vec();
        let tape = simd_json::to_tape(&mut body).ok()?;
        let mut cursor = Cursor::new(&tape.0, Vec::new());
        let value = T::from_tape(&mut cursor)?;
        assert_eq!(cursor.at, tape.0.len(), "{json}: the whole value is read");
        Some(value)
    }

    /// What serde's impl reads from simd-json's serde deserializer.
    fn through_serde<T: for<'de> Deserialize<'de>>(json: &str) -> Option<T> {
        simd_json::serde::from_slice(&mut json.as_bytes().to_vec()).ok()
    }

    fn same<T: for<'de> FromTape<'de> + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug>(
        json: &str,
    ) {
        assert_eq!(read::<T>(json), through_serde::<T>(json), "{json}");
    }

    const VALUES: &[&str] = &[
        "0",
        "7",
        "-7",
        "4294967295",
        "4294967296",
        "18446744073709551615",
        "-9223372036854775808",
        "0.5",
        "-2.5e3",
        "1e400",
        "\"a\"",
        "\"\\u00e7\"",
        "\"\"",
        "null",
        "true",
        "false",
        "[]",
        "[1, \"a\"]",
        "{}",
        "{\"a\": [1, {\"b\": null}]}",
        "{\"a\": 1, \"b\": [], \"a\": {\"c\": \"d\"}}",
        "[[[]], {}, [{}], -1.5e-3, 18446744073709551615]",
    ];

    #[test]
    fn hot_types_read_as_simd_json_hands_them_to_serde() {
        for json in VALUES {
            same::<f64>(json);
            same::<u32>(json);
            same::<Number>(json);
            same::<String>(json);
            same::<CompactString>(json);
            same::<Option<f64>>(json);
            same::<Option<Number>>(json);
            same::<Option<String>>(json);
            same::<Value>(json);
            same::<Option<Value>>(json);
        }
    }

    #[test]
    fn lists_read_element_by_element() {
        for json in [
            "[]",
            "[1, 2.5, -3]",
            "[1, \"a\"]",
            "[[1]]",
            "null",
            "5",
            "{}",
        ] {
            same::<Vec<f64>>(json);
            same::<Option<Vec<f64>>>(json);
        }
        let words = read::<Vec<String>>(r#"["a", "b", "c"]"#).unwrap();
        assert_eq!((words.len(), words.capacity()), (3, 3));
    }

    #[test]
    fn a_value_through_serde_skips_exactly_its_nodes() {
        let json = r#"[{"a": [1, {"b": null}], "c": "d"}, [], 5, "e"]"#;
        let mut body = json.as_bytes().to_vec();
        let tape = simd_json::to_tape(&mut body).unwrap();
        let mut cursor = Cursor::new(&tape.0, Vec::new());
        assert!(matches!(cursor.next(), Some(Node::Array { len: 4, .. })));
        let first: Value = cursor.value().unwrap();
        assert_eq!(first, serde_json::json!({"a": [1, {"b": null}], "c": "d"}));
        assert_eq!(cursor.value::<Value>(), Some(serde_json::json!([])));
        assert_eq!(cursor.value::<u64>(), Some(5));
        assert_eq!(cursor.value::<String>().as_deref(), Some("e"));
        assert_eq!(cursor.next(), None);
        assert!(cursor.into_spare().is_empty());
    }
}
