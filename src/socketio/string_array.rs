//! The common shape of a packet payload, `["name","text",...]` (das-Peak sends each event as
//! its name and one JSON *text*, every quote in it escaped), read without serde_json: its
//! string reader grows a scratch buffer from empty through the escapes and then copies the
//! text out again, which cost about as much as parsing that JSON text itself. Anything else
//! (whitespace, numbers, objects, `\u` escapes, errors) is left to serde_json, so results
//! never differ.

use serde_json::Value;

/// `text` as a JSON array of strings with only single-character escapes, or `None` when
/// serde_json must decide.
pub(crate) fn parse(text: &str) -> Option<Value> {
    let bytes = text.as_bytes();
    if bytes.first() != Some(&b'[') {
        return None;
    }
    let mut items = Vec::with_capacity(2);
    let mut at = 1;
    loop {
        if bytes.get(at) != Some(&b'"') {
            return None;
        }
        let (item, end) = string(text, at + 1)?;
        items.push(Value::String(item));
        match bytes.get(end) {
            Some(b',') => at = end + 1,
            Some(b']') if end + 1 == bytes.len() => return Some(Value::Array(items)),
            _ => return None,
        }
    }
}

/// The string whose text starts at `start` (after its opening quote), unescaped, and the
/// index after its closing quote.
fn string(text: &str, start: usize) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut at = start;
    loop {
        let stop = at
            + bytes[at..]
                .iter()
                .position(|&c| c == b'"' || c == b'\\' || c < 0x20)?;
        let chunk = &text[at..stop];
        match bytes[stop] {
            b'"' if out.capacity() == 0 => return Some((chunk.to_owned(), stop + 1)),
            b'"' => {
                out.push_str(chunk);
                return Some((out, stop + 1));
            }
            b'\\' => {}
            // A raw control character: invalid JSON, serde_json words the error.
            _ => return None,
        }
        if out.capacity() == 0 {
            // The unescaped text is shorter than what is left of the packet.
            out.reserve(text.len() - start);
        }
        out.push_str(chunk);
        out.push(match *bytes.get(stop + 1)? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            _ => return None,
        });
        at = stop + 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path either declines or agrees with serde_json.
    fn agrees(text: &str) -> bool {
        let fast = parse(text);
        if let Some(value) = &fast {
            assert_eq!(
                Some(value),
                serde_json::from_str::<Value>(text).ok().as_ref(),
                "{text}"
            );
        }
        fast.is_some()
    }

    #[test]
    fn das_peak_events_take_the_fast_path() {
        let event = r#"["info-vad-status","{\"event\": \"info-vad-status\", \"content\": \"Voice activity detection percentage\", \"audio_seconds\": 0.52, \"vad_percentage\": 10}"]"#;
        assert!(agrees(event));
        let Some(Value::Array(items)) = parse(event) else {
            panic!("an array")
        };
        assert_eq!(items[0], "info-vad-status");
        assert!(items[1]
            .as_str()
            .unwrap()
            .starts_with(r#"{"event": "info-vad-status""#));
        for text in [
            r#"["a"]"#,
            r#"[""]"#,
            r#"["a","","c"]"#,
            r#"["\"\\\/\b\f\n\r\t"]"#,
            r#"["ünï","日本語 🎉"]"#,
            r#"["x","a\\"]"#,
        ] {
            assert!(agrees(text), "{text}");
        }
        let huge = format!(r#"["big","{}"]"#, r#"\"k\": 1, "#.repeat(100_000));
        assert!(agrees(&huge));
    }

    #[test]
    fn every_other_shape_goes_to_serde_json() {
        for text in [
            "",
            "[]",
            "[ \"a\"]",
            r#"["a" ]"#,
            r#"["a",1]"#,
            r#"["a",{"_placeholder":true,"num":0}]"#,
            r#"["a",["b"]]"#,
            r#"["a",null]"#,
            r#"["\u00e9"]"#,
            r#"["\ud83c\udf89"]"#,
            r#"["\x"]"#,
            "[\"tab\there\"]",
            r#"["a"]x"#,
            r#"["a"],"#,
            r#"["a""#,
            r#"["a\"#,
            r#"["a","#,
            r#""a""#,
            r#"{"a":"b"}"#,
        ] {
            assert!(!agrees(text), "{text:?}");
        }
    }

    #[test]
    fn the_fuzz_corpus_decodes_as_serde_json_does() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/sio_packet");
        let (mut fast, mut strings) = (0, Vec::new());
        for entry in std::fs::read_dir(dir).expect("the corpus") {
            let bytes = std::fs::read(entry.expect("an entry").path()).expect("a file");
            let Ok(text) = std::str::from_utf8(&bytes) else {
                continue;
            };
            // The payload starts at the first `[` (the codec decides what precedes it).
            let Some(at) = text.find('[') else { continue };
            fast += usize::from(agrees(&text[at..]));
            if let Ok(value) = serde_json::from_str::<Value>(&text[at..]) {
                collect_strings(&value, &mut strings);
            }
        }
        assert!(fast > 0, "no corpus payload took the fast path");
        // Every string the corpus holds, as serde_json writes it, in the das-Peak shape.
        let mut fast = 0;
        for text in strings {
            fast += usize::from(agrees(
                &Value::from(vec![Value::from("e"), text]).to_string(),
            ));
        }
        assert!(fast > 100, "only {fast} corpus strings took the fast path");
    }

    fn collect_strings(value: &Value, into: &mut Vec<Value>) {
        match value {
            Value::String(_) => into.push(value.clone()),
            Value::Array(items) => items.iter().for_each(|v| collect_strings(v, into)),
            Value::Object(map) => map.iter().for_each(|(k, v)| {
                into.push(Value::from(k.as_str()));
                collect_strings(v, into);
            }),
            _ => {}
        }
    }
}
