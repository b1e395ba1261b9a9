//! Validation of the `initialize` payload into a [`SessionSpec`]. Numbers may arrive as
//! JSON numbers or numeric strings (the documented example sends `"8000"` and `"1"`).

use serde_json::{Map, Value};

use crate::analysis::Voiceprint;
use crate::session::{AudioFormat, AudioProtocol, SessionKind, SessionSpec, VerifyTarget};

/// Longest accepted `call_id`.
const MAX_CALL_ID_LEN: usize = 256;
/// Most voice a session may ask for, in seconds (das-Peak caps audio at 30 s).
const MAX_TOTAL_DURATION: f64 = 30.0;

/// An `initialize` payload that cannot start a session; names the offending field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid initialize request: {field}: {problem}")]
pub struct InitializeError {
    /// Dotted path of the field, e.g. `metadata.sample_rate`.
    pub field: String,
    pub problem: String,
}

fn invalid(field: &str, problem: impl Into<String>) -> InitializeError {
    InitializeError {
        field: field.to_owned(),
        problem: problem.into(),
    }
}

/// Parses and validates an `initialize` payload for a session of `kind`.
/// `default_score_threshold` applies when a verify request sets none.
pub fn parse_initialize(
    kind: SessionKind,
    payload: &Value,
    default_score_threshold: f64,
) -> Result<SessionSpec, InitializeError> {
    let root = payload
        .as_object()
        .ok_or_else(|| invalid("(payload)", "must be a JSON object"))?;
    let metadata = object(root, "metadata", "metadata")?;
    let protocol = match string(metadata, "audio_protocol", "metadata.audio_protocol")? {
        "audiohook" => AudioProtocol::Audiohook,
        "twilio" => AudioProtocol::Twilio,
        other => {
            return Err(invalid(
                "metadata.audio_protocol",
                format!("unsupported {other:?} (expected \"audiohook\" or \"twilio\")"),
            ))
        }
    };
    if let Some(format) = metadata.get("audio_format") {
        if format.as_str() != Some("raw") {
            return Err(invalid("metadata.audio_format", "must be \"raw\""));
        }
    }
    let codec_name = string(metadata, "audio_codec", "metadata.audio_codec")?;
    let codec = match codec_name.to_ascii_lowercase().as_str() {
        "mulaw" | "alaw" | "l16" => codec_name
            .parse()
            .map_err(|e| invalid("metadata.audio_codec", format!("{e}")))?,
        _ => {
            return Err(invalid(
                "metadata.audio_codec",
                format!("unsupported {codec_name:?} (expected mulaw, alaw or l16)"),
            ))
        }
    };
    if let Some(sample_format) = metadata.get("sample_format") {
        if !sample_format.is_string() {
            return Err(invalid("metadata.sample_format", "must be a string"));
        }
    }
    let sample_rate = number(metadata, "sample_rate", "metadata.sample_rate")?;
    let sample_rate = match (sample_rate, codec) {
        (8000.0, _) => 8000,
        (16000.0, das::audio::codec::Codec::L16) => 16000,
        (r, _) => {
            return Err(invalid(
                "metadata.sample_rate",
                format!("unsupported {r} (expected 8000, or 16000 with l16)"),
            ))
        }
    };
    let channels = match number(metadata, "channels", "metadata.channels")? {
        1.0 => 1,
        2.0 => 2,
        c => {
            return Err(invalid(
                "metadata.channels",
                format!("unsupported {c} (expected 1 or 2)"),
            ))
        }
    };
    let call_id = string(metadata, "call_id", "metadata.call_id")?;
    if call_id.trim().is_empty() || call_id.len() > MAX_CALL_ID_LEN {
        return Err(invalid(
            "metadata.call_id",
            format!("must be 1 to {MAX_CALL_ID_LEN} characters"),
        ));
    }

    let section = match kind {
        SessionKind::Register => "register_request",
        SessionKind::Verify => "verify_request",
    };
    let request = object(root, section, section)?;
    let field = |name: &str| format!("{section}.{name}");
    let authenticity_threshold = number(
        request,
        "authenticity_threshold",
        &field("authenticity_threshold"),
    )?;
    if !(0.0..=1.0).contains(&authenticity_threshold) {
        return Err(invalid(
            &field("authenticity_threshold"),
            "must be between 0 and 1",
        ));
    }
    let audio_total_duration = number(
        request,
        "audio_total_duration",
        &field("audio_total_duration"),
    )?;
    if !(audio_total_duration > 0.0 && audio_total_duration <= MAX_TOTAL_DURATION) {
        return Err(invalid(
            &field("audio_total_duration"),
            format!("must be above 0 and at most {MAX_TOTAL_DURATION} seconds"),
        ));
    }
    let model_hash = string(request, "model_hash", &field("model_hash"))?.to_owned();
    let verify = match kind {
        SessionKind::Register => None,
        SessionKind::Verify => {
            let credential = string(request, "credential", &field("credential"))?;
            let reference = Voiceprint::from_credential(credential)
                .map_err(|e| invalid(&field("credential"), e.to_string()))?;
            let score_threshold = match request.get("score_threshold") {
                None | Some(Value::Null) => default_score_threshold,
                Some(_) => number(request, "score_threshold", &field("score_threshold"))?,
            };
            if !(0.0..=1.0).contains(&score_threshold) {
                return Err(invalid(
                    &field("score_threshold"),
                    "must be between 0 and 1",
                ));
            }
            Some(VerifyTarget {
                reference,
                score_threshold,
            })
        }
    };
    Ok(SessionSpec {
        kind,
        call_id: call_id.to_owned(),
        protocol,
        format: AudioFormat {
            codec,
            sample_rate,
            channels,
        },
        audio_total_duration,
        authenticity_threshold,
        model_hash,
        verify,
    })
}

fn object<'a>(
    parent: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'a Map<String, Value>, InitializeError> {
    match parent.get(key) {
        None => Err(invalid(path, "is required")),
        Some(value) => value
            .as_object()
            .ok_or_else(|| invalid(path, "must be an object")),
    }
}

fn string<'a>(
    parent: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'a str, InitializeError> {
    match parent.get(key) {
        None => Err(invalid(path, "is required")),
        Some(value) => value
            .as_str()
            .ok_or_else(|| invalid(path, "must be a string")),
    }
}

/// A finite number given as a JSON number or a numeric string.
fn number(parent: &Map<String, Value>, key: &str, path: &str) -> Result<f64, InitializeError> {
    let value = match parent.get(key) {
        None => return Err(invalid(path, "is required")),
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        Some(_) => None,
    };
    value
        .filter(|v| v.is_finite())
        .ok_or_else(|| invalid(path, "must be a number (or a numeric string)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What the core sends for the documented example (whose literal lives in the core's
    /// settings tests).
    fn documented() -> Value {
        let mut settings =
            das::session::SessionSettings::documented_example(das::session::SessionKind::Register);
        settings.set_call_id("888806c3-3391-4d73-bb86-e5874e6ed5b4");
        settings.initialize_payload().expect("a kind is set")
    }

    #[test]
    fn the_documented_request_is_valid() {
        let spec = parse_initialize(SessionKind::Register, &documented(), 0.8).unwrap();
        assert_eq!(spec.protocol, AudioProtocol::Audiohook);
        assert_eq!(spec.format.sample_rate, 8000);
        assert_eq!(spec.format.channels, 1);
        assert_eq!(spec.audio_total_duration, 5.0);
        assert!(spec.verify.is_none());
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases: Vec<(&str, Value, &str)> = vec![
            (
                "/metadata/audio_protocol",
                json!("sip"),
                "metadata.audio_protocol",
            ),
            (
                "/metadata/audio_codec",
                json!("opus"),
                "metadata.audio_codec",
            ),
            ("/metadata/audio_codec", json!(7), "metadata.audio_codec"),
            (
                "/metadata/sample_rate",
                json!("16000"),
                "metadata.sample_rate",
            ),
            (
                "/metadata/sample_rate",
                json!("fast"),
                "metadata.sample_rate",
            ),
            ("/metadata/channels", json!(3), "metadata.channels"),
            ("/metadata/call_id", json!(""), "metadata.call_id"),
            (
                "/metadata/audio_format",
                json!("wav"),
                "metadata.audio_format",
            ),
            (
                "/register_request/audio_total_duration",
                json!(-1),
                "register_request.audio_total_duration",
            ),
            (
                "/register_request/authenticity_threshold",
                json!([]),
                "register_request.authenticity_threshold",
            ),
            (
                "/register_request/model_hash",
                json!(null),
                "register_request.model_hash",
            ),
        ];
        for (pointer, value, field) in cases {
            let mut payload = documented();
            *payload.pointer_mut(pointer).unwrap() = value;
            let error = parse_initialize(SessionKind::Register, &payload, 0.8).unwrap_err();
            assert_eq!(error.field, field, "{pointer}");
        }
        let error = parse_initialize(SessionKind::Register, &json!("x"), 0.8).unwrap_err();
        assert_eq!(error.field, "(payload)");
        let error = parse_initialize(SessionKind::Verify, &documented(), 0.8).unwrap_err();
        assert_eq!(error.field, "verify_request");
    }

    #[test]
    fn l16_allows_16k_and_verify_needs_a_real_credential() {
        let mut payload = documented();
        payload["metadata"]["audio_codec"] = json!("l16");
        payload["metadata"]["sample_rate"] = json!(16000);
        assert!(parse_initialize(SessionKind::Register, &payload, 0.8).is_ok());

        let mut verify = documented();
        let request = verify["register_request"].take();
        verify["verify_request"] = request;
        verify["verify_request"]["credential"] = json!("not a credential");
        let error = parse_initialize(SessionKind::Verify, &verify, 0.8).unwrap_err();
        assert_eq!(error.field, "verify_request.credential");
    }
}
