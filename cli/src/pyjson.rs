//! JSON text in the layout Python's `json.dumps` uses by default (`", "` and `": "`
//! separators), so `das register --json` prints lines identical to the documented example.

use std::io;

use serde::Serialize;
use serde_json::ser::{Formatter, Serializer};

struct PythonStyle;

impl Formatter for PythonStyle {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
}

/// Serialises `value` as one line of Python-`json.dumps`-style JSON.
pub fn to_line<T: Serialize + ?Sized>(value: &T) -> String {
    let mut out = Vec::with_capacity(128);
    let mut serializer = Serializer::with_formatter(&mut out, PythonStyle);
    value
        .serialize(&mut serializer)
        .expect("serialising a JSON value into memory cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_documented_output_line() {
        let line = r#"{"event": "info-vad-status", "content": "Voice activity detection percentage", "audio_seconds": 0.52, "vad_percentage": 10}"#;
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(to_line(&value), line);
        assert_eq!(
            to_line(&serde_json::json!({"a": [1, 2], "b": {}})),
            r#"{"a": [1, 2], "b": {}}"#
        );
    }
}
