//! Parsing and writing result documents. Parsing is pure (no runtime, no I/O) so the C ABI can
//! call it directly.

use std::str::FromStr;

use serde::Deserialize;

use super::fast;
use super::model::{Job, JobResult};

/// A body that is not a valid TRD result document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid TRD result at `{path}` (line {line}, column {column}): {message}")]
pub struct ParseError {
    /// Dotted JSON path of the offending value (`job.status`, `segments[2].start`), `.` for the
    /// document root.
    pub path: String,
    /// 1-based line of the error in the body.
    pub line: usize,
    /// 1-based column of the error in the body.
    pub column: usize,
    /// What is wrong, as serde_json words it.
    pub message: String,
    /// Whether the body is not JSON at all, or JSON of the wrong shape.
    pub kind: ParseErrorKind,
}

/// The class of a [`ParseError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// Not well-formed JSON (or not UTF-8).
    Syntax,
    /// Well-formed JSON that does not match the result schema (wrong type, missing `job.id`).
    Schema,
    /// The body ends before the document does.
    Truncated,
}

/// Parses a webhook body (or a `job/result` response) into a typed [`JobResult`].
pub fn parse_webhook(body: &[u8]) -> Result<JobResult, ParseError> {
    // simd-json first (`fast.rs`); a body it refuses goes to serde_json, without path tracking;
    // only a body that fails there too is parsed a third time to name the JSON path of the
    // error. Validating UTF-8 once for the whole body is cheaper than serde_json's per-string
    // validation of a byte slice.
    if let Some(document) = fast::parse(body) {
        return Ok(document);
    }
    let parsed = match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    };
    parsed.map_err(|first| error_with_path(body, first))
}

fn error_with_path(body: &[u8], first: serde_json::Error) -> ParseError {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let tracked: Result<JobResult, _> = serde_path_to_error::deserialize(&mut deserializer);
    let (path, error) = match tracked {
        // `?` is serde_path_to_error's unknown segment: an error before the first key is
        // known (`{` alone) is at the root.
        Err(error) if error.path().to_string() == "?" => (".".to_owned(), error.into_inner()),
        Err(error) => (error.path().to_string(), error.into_inner()),
        // Only trailing characters after the document remain; they sit at the root.
        Ok(_) => (".".to_owned(), deserializer.end().err().unwrap_or(first)),
    };
    let kind = match error.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Io => {
            ParseErrorKind::Syntax
        }
        serde_json::error::Category::Eof => ParseErrorKind::Truncated,
        serde_json::error::Category::Data => ParseErrorKind::Schema,
    };
    ParseError {
        path,
        line: error.line(),
        // serde_json says column 0 for an error before a line's first character (an empty
        // body); the field is 1-based.
        column: error.column().max(1),
        message: strip_position(&error.to_string()),
        kind,
    }
}

/// serde_json appends " at line L column C"; the position has its own fields.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}

impl JobResult {
    /// Parses a body; same as [`parse_webhook`].
    pub fn from_slice(body: &[u8]) -> Result<Self, ParseError> {
        parse_webhook(body)
    }

    /// Writes the document back as compact JSON: known fields in wire order, then unknown ones.
    /// Absent optional fields stay absent. The top-level `token` is included.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"))
    }

    /// Same as [`JobResult::to_json`], indented.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| String::from("{}"))
    }

    /// The document as a `serde_json::Value` tree.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

impl From<Job> for JobResult {
    /// A document holding only `job` (what `job/status` and `job/create` answer), so the
    /// same accessors read jobs and results.
    fn from(job: Job) -> Self {
        JobResult {
            job,
            segments: None,
            token: None,
            extra: serde_json::Map::new(),
        }
    }
}

impl FromStr for JobResult {
    type Err = ParseError;
    fn from_str(body: &str) -> Result<Self, ParseError> {
        parse_webhook(body.as_bytes())
    }
}

impl TryFrom<serde_json::Value> for JobResult {
    type Error = serde_json::Error;
    fn try_from(value: serde_json::Value) -> Result<Self, serde_json::Error> {
        JobResult::deserialize(value)
    }
}
