//! JSON text laid out as Python's `json.dumps` does by default (`", "` and `": "`
//! separators): how the emulator sends events as JSON text and how `das register --json`
//! prints them, both like the documented example.

use std::io;

use serde::Serialize;
use serde_json::ser::{Formatter, Serializer};
use serde_json::Value;

/// `value` as one line of Python-`json.dumps`-style JSON.
pub fn python_json(value: &Value) -> String {
    let mut out = Vec::with_capacity(128);
    let mut serializer = Serializer::with_formatter(&mut out, PythonStyle);
    value
        .serialize(&mut serializer)
        .expect("a JSON value always serialises into memory");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

struct PythonStyle;

impl Formatter for PythonStyle {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        separate(w, first)
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        separate(w, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
}

/// `", "` before every item but the first, in arrays and objects alike.
fn separate<W: ?Sized + io::Write>(w: &mut W, first: bool) -> io::Result<()> {
    if first {
        Ok(())
    } else {
        w.write_all(b", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matches_the_documented_output_line() {
        let line = r#"{"event": "info-vad-status", "content": "Voice activity detection percentage", "audio_seconds": 0.52, "vad_percentage": 10}"#;
        let value: Value = serde_json::from_str(line).unwrap();
        assert_eq!(python_json(&value), line);
        assert_eq!(
            python_json(&json!({"a": [1, 2], "b": {}, "c": []})),
            r#"{"a": [1, 2], "b": {}, "c": []}"#
        );
    }
}
