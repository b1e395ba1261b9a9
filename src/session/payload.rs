//! The JSON text das-Peak puts in each event: parsed into its object once, then read field by
//! field. The map starts at the size of das-Peak's objects: serde_json grows it from empty,
//! reallocating and rehashing on the way.

use std::fmt;

use serde::de::{Deserializer as _, MapAccess, Visitor};
use serde_json::{Map, Value};

/// `text` as a JSON object, or `None` for any other JSON or invalid text.
pub(super) fn object(text: &str) -> Option<Value> {
    let mut json = serde_json::Deserializer::from_str(text);
    let object = json.deserialize_map(Entries).ok()?;
    json.end().ok()?;
    Some(object)
}

/// Field `key` of `data`, if it is an object. Small objects (das-Peak's have two to six
/// fields) are scanned: comparing a few keys costs less than SipHashing the one looked up.
pub(super) fn field<'a>(data: &'a Value, key: &str) -> Option<&'a Value> {
    let map = data.as_object()?;
    if map.len() > 16 {
        return map.get(key);
    }
    map.iter().find_map(|(k, v)| (k == key).then_some(v))
}

struct Entries;

impl<'de> Visitor<'de> for Entries {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Value, A::Error> {
        // das-Peak's events have two to six fields.
        let mut map = Map::with_capacity(6);
        while let Some((key, value)) = entries.next_entry::<String, Value>()? {
            // A repeated key keeps its first place and takes the last value, as in serde_json.
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Whatever the text, the same object serde_json builds, key order included.
    fn same_as_serde_json(text: &str) {
        let expected = serde_json::from_str::<Value>(text)
            .ok()
            .filter(Value::is_object);
        let got = object(text);
        assert_eq!(got, expected, "{text}");
        let keys = |v: &Option<Value>| {
            v.as_ref()
                .map(|v| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>())
        };
        assert_eq!(keys(&got), keys(&expected), "{text}");
    }

    #[test]
    fn objects_parse_as_serde_json_parses_them() {
        for text in [
            r#"{"event": "info-vad-status", "content": "Voice activity detection percentage", "audio_seconds": 0.52, "vad_percentage": 10}"#,
            r#"{"z": 1, "a": 2, "m": {"y": [1, 2.5e-3, -7], "b": null}, "é": "\u00e9\ud83c\udf89"}"#,
            r#"{"a": 1, "b": 2, "a": 3}"#,
            r#" { } "#,
            r#"{"x": 0.1, "y": 1.7976931348623157e308, "z": 5e-324, "big": 18446744073709551615, "neg": -9223372036854775808}"#,
            r#"{"_placeholder": true, "num": 0}"#,
        ] {
            same_as_serde_json(text);
        }
        let many: String = (0..1000)
            .map(|i| format!(r#""k{i}": {i}"#))
            .collect::<Vec<_>>()
            .join(",");
        same_as_serde_json(&format!("{{{many}}}"));
    }

    #[test]
    fn fields_are_found_in_small_and_large_objects() {
        let small = json!({"event": "info-vad-status", "audio_seconds": 0.52});
        assert_eq!(field(&small, "audio_seconds"), Some(&json!(0.52)));
        assert_eq!(field(&small, "audio"), None);
        let large = Value::Object((0..100).map(|i| (format!("k{i}"), json!(i))).collect());
        assert_eq!(field(&large, "k99"), Some(&json!(99)));
        assert_eq!(field(&large, "k100"), None);
        assert_eq!(field(&json!([1]), "k"), None);
        assert_eq!(field(&json!("text"), "k"), None);
    }

    #[test]
    fn other_json_and_bad_text_are_no_object() {
        for text in [
            "",
            "just text",
            "[1, 2]",
            "\"{}\"",
            "10",
            "null",
            "{\"a\": 1",
            "{} x",
            "{\"a\": 1,}",
        ] {
            assert_eq!(object(text), None, "{text}");
            same_as_serde_json(text);
        }
    }
}
