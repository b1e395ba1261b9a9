use base64::Engine as _;
use bytes::Bytes;
use serde_json::{json, Value};

use super::argument::Argument;
use super::payload;
use super::verdict::Verdict;
use crate::channel::ChannelErrorKind;
use crate::socketio::placeholder_num;

/// One event of a session. Known das-Peak events are typed; every event keeps its raw name,
/// its first argument decoded as its payload ([`name`](Self::name), [`data`](Self::data)) and,
/// for server events, every argument as sent ([`arguments`](Self::arguments)).
///
/// Where the public documentation is silent these are conventions: failures arrive as
/// `result-failure` (`content`, `reason`), errors as `error` (`content`, `message`) and a
/// verification's similarity as the `score` of its `result-success`.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// `info-consumer-ready`: the audio consumer is ready; start sending audio.
    ConsumerReady {
        /// Human-readable text (`Audio consumer for provided audio protocol is ready`).
        content: Option<String>,
        /// The whole payload, decoded.
        data: Value,
        /// Every argument, as sent.
        arguments: Vec<Argument>,
    },
    /// `info-vad-status`: seconds of audio received and the voice-activity percentage.
    VadStatus {
        /// Human-readable text (`Voice activity detection percentage`).
        content: Option<String>,
        /// Seconds of audio the consumer has received.
        audio_seconds: Option<f64>,
        /// Voice collected, as a percentage of `audio_total_duration` (may pass 100).
        vad_percentage: Option<f64>,
        /// The whole payload, decoded.
        data: Value,
        /// Every argument, as sent.
        arguments: Vec<Argument>,
    },
    /// `result-success`: the final result.
    ResultSuccess {
        /// The authenticity score, compared with the request's `authenticity_threshold`.
        authenticity: Option<f64>,
        /// Seconds of voice the service collected.
        voice_audio_collected: Option<f64>,
        /// Human-readable outcome (`Registration: approved`, `Verification: accepted`).
        content: Option<String>,
        /// Registration: the voice credential to pass to a verification.
        credential: Option<String>,
        /// Verification: the similarity with the credential.
        score: Option<f64>,
        /// The threshold `score` is compared with: the payload's `score_threshold`, else the
        /// session's request.
        threshold: Option<f64>,
        /// What the result decided (see [`Verdict`] for the rule).
        verdict: Verdict,
        /// The audio the service collected: the second argument (binary, or base64 text) or
        /// the payload's `collected_audio` (base64 text), in the session's codec and rate.
        collected_audio: Option<Bytes>,
        /// The whole payload (the first argument), decoded.
        data: Value,
        /// Every argument, as sent.
        arguments: Vec<Argument>,
    },
    /// `result-failure`: the service could not produce a result.
    ResultFailure {
        /// Human-readable outcome.
        content: Option<String>,
        /// Machine-readable cause (the emulator: `audio_ended`, `audio_timeout`, …).
        reason: Option<String>,
        /// The whole payload, decoded.
        data: Value,
        /// Every argument, as sent.
        arguments: Vec<Argument>,
    },
    /// `error`: the service reported an error.
    Error {
        /// Human-readable description.
        content: Option<String>,
        /// Detail, when the service sends one.
        message: Option<String>,
        /// The whole payload, decoded.
        data: Value,
        /// Every argument, as sent.
        arguments: Vec<Argument>,
    },
    /// Signalling ended. `before_result` is true when no `result-*` had arrived: the session
    /// is lost (the server holds its state, so it is not silently reconnected).
    Disconnected {
        /// python-socketio's disconnect reason (`server disconnect`, `transport error: …`).
        reason: String,
        /// No `result-*` had arrived: the session is lost.
        before_result: bool,
        /// `{event, reason, before_result}`.
        data: Value,
    },
    /// `audio-ended`, generated locally (not by the service): the session's audio channel
    /// ended. `reason` is `finished` (all pushed audio sent after `end_audio`),
    /// `consumer-closed` (the consumer closed the stream, normally because it had enough
    /// audio) or `error` (with `error` saying why, e.g. the channel could not connect).
    AudioEnded {
        /// `finished`, `consumer-closed` or `error`.
        reason: String,
        /// Why the channel failed, for `error`.
        error: Option<String>,
        /// For `error`: what kind of failure it was (the consumer refused the credentials,
        /// the proxy the tunnel, the network failed, …).
        error_kind: Option<ChannelErrorKind>,
        /// Audio bytes written to the consumer.
        bytes_sent: u64,
        /// `{event, reason, error, error_kind, bytes_sent}`.
        data: Value,
    },
    /// Any other event, as received.
    Other {
        /// The event name.
        name: String,
        /// The first argument (a JSON string holding an object is decoded).
        data: Value,
        /// Every argument, as sent.
        arguments: Vec<Argument>,
    },
}

impl Event {
    /// An event with one JSON argument, typed as [`from_arguments`](Self::from_arguments) does.
    pub fn from_wire(name: &str, data: Value) -> Self {
        Self::from_arguments(name, vec![Argument::Json(data)], None)
    }

    /// Maps a server event to its typed form; unknown names become [`Event::Other`].
    /// `threshold` is the session's verification threshold, if it set one.
    ///
    /// The payload is the first argument; a JSON *string* holding an object (what the
    /// documented example's `print(data)` output suggests the service sends) is decoded to
    /// that object. A binary first argument leaves the payload null.
    pub fn from_arguments(name: &str, arguments: Vec<Argument>, threshold: Option<f64>) -> Self {
        let data = match arguments.first() {
            Some(Argument::Json(Value::String(text))) => {
                payload::object(text).unwrap_or_else(|| Value::String(text.clone()))
            }
            Some(Argument::Json(value) | Argument::JsonWithBinary { value, .. }) => value.clone(),
            Some(Argument::Binary(_)) | None => Value::Null,
        };
        let num = |key: &str| payload::field(&data, key).and_then(Value::as_f64);
        let text = |key: &str| {
            payload::field(&data, key)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        match name {
            "info-consumer-ready" => Self::ConsumerReady {
                content: text("content"),
                data,
                arguments,
            },
            "info-vad-status" => Self::VadStatus {
                content: text("content"),
                audio_seconds: num("audio_seconds"),
                vad_percentage: num("vad_percentage"),
                data,
                arguments,
            },
            "result-success" => {
                let score = num("score");
                let threshold = num("score_threshold").or(threshold);
                Self::ResultSuccess {
                    authenticity: num("authenticity"),
                    voice_audio_collected: num("voice_audio_collected"),
                    content: text("content"),
                    credential: text("credential"),
                    score,
                    threshold,
                    verdict: Verdict::read(&data, score, threshold),
                    collected_audio: collected_audio(&data, &arguments),
                    data,
                    arguments,
                }
            }
            "result-failure" => Self::ResultFailure {
                content: text("content"),
                reason: text("reason"),
                data,
                arguments,
            },
            "error" => Self::Error {
                content: text("content"),
                message: text("message"),
                data,
                arguments,
            },
            _ => Self::Other {
                name: name.to_owned(),
                data,
                arguments,
            },
        }
    }

    pub(crate) fn disconnected(reason: String, before_result: bool) -> Self {
        let data =
            json!({"event": "disconnected", "reason": reason, "before_result": before_result});
        Self::Disconnected {
            reason,
            before_result,
            data,
        }
    }

    /// The event name as on the wire (`disconnected` and `audio-ended` for the local events).
    pub fn name(&self) -> &str {
        match self {
            Self::ConsumerReady { .. } => "info-consumer-ready",
            Self::VadStatus { .. } => "info-vad-status",
            Self::ResultSuccess { .. } => "result-success",
            Self::ResultFailure { .. } => "result-failure",
            Self::Error { .. } => "error",
            Self::Disconnected { .. } => "disconnected",
            Self::AudioEnded { .. } => "audio-ended",
            Self::Other { name, .. } => name,
        }
    }

    /// The JSON payload as received (for documented events it includes `"event": name`).
    pub fn data(&self) -> &Value {
        match self {
            Self::ConsumerReady { data, .. }
            | Self::VadStatus { data, .. }
            | Self::ResultSuccess { data, .. }
            | Self::ResultFailure { data, .. }
            | Self::Error { data, .. }
            | Self::Disconnected { data, .. }
            | Self::AudioEnded { data, .. }
            | Self::Other { data, .. } => data,
        }
    }

    /// Every argument as the server sent it, in order (JSON values and byte buffers); empty
    /// for the local events (`disconnected`, `audio-ended`).
    pub fn arguments(&self) -> &[Argument] {
        match self {
            Self::ConsumerReady { arguments, .. }
            | Self::VadStatus { arguments, .. }
            | Self::ResultSuccess { arguments, .. }
            | Self::ResultFailure { arguments, .. }
            | Self::Error { arguments, .. }
            | Self::Other { arguments, .. } => arguments,
            Self::Disconnected { .. } | Self::AudioEnded { .. } => &[],
        }
    }

    /// The bytes `placeholder` stands for: a `{"_placeholder":true,"num":n}` inside the payload
    /// or an argument, where the server nested binary data (python-socketio does so for
    /// `bytes` in a dict). `None` for any other value.
    pub fn attachment(&self, placeholder: &Value) -> Option<&Bytes> {
        placeholder_num(placeholder).and_then(|n| self.attachments().get(n))
    }

    /// The attachments the placeholders nested in the payload or the arguments stand for, in
    /// wire order (empty when the server nested none).
    pub fn attachments(&self) -> &[Bytes] {
        self.arguments()
            .iter()
            .map(Argument::attachments)
            .find(|attachments| !attachments.is_empty())
            .unwrap_or_default()
    }

    /// True for `result-success` and `result-failure`.
    pub fn is_result(&self) -> bool {
        matches!(
            self,
            Self::ResultSuccess { .. } | Self::ResultFailure { .. }
        )
    }

    /// True when no result can follow, so an event loop should stop here and close the
    /// session: the result itself, an `error` from the service, the signalling lost, or the
    /// audio channel failing before it sent any audio (the service, with nothing to decide
    /// on, would only reach its audio timeout). A channel that fails later may have sent
    /// enough: the result still comes.
    pub fn is_final(&self) -> bool {
        match self {
            Self::ResultSuccess { .. }
            | Self::ResultFailure { .. }
            | Self::Error { .. }
            | Self::Disconnected { .. } => true,
            Self::AudioEnded {
                error, bytes_sent, ..
            } => error.is_some() && *bytes_sent == 0,
            Self::ConsumerReady { .. } | Self::VadStatus { .. } | Self::Other { .. } => false,
        }
    }
}

/// The collected audio of a `result-success` (the public documentation names it but not its
/// form): the second argument as bytes or base64 text, else the payload's `collected_audio`,
/// as bytes nested in it or base64 text. Text that is not base64 is no audio.
fn collected_audio(data: &Value, arguments: &[Argument]) -> Option<Bytes> {
    let base64 = |text: &str| {
        let engine = &base64::engine::general_purpose::STANDARD;
        engine.decode(text.trim()).ok().map(Bytes::from)
    };
    match arguments.get(1) {
        Some(Argument::Binary(bytes)) => Some(bytes.clone()),
        Some(Argument::Json(Value::String(text))) => base64(text),
        _ => {
            let field = payload::field(data, "collected_audio")?;
            match arguments
                .first()
                .and_then(|payload| payload.attachment(field))
            {
                Some(bytes) => Some(bytes.clone()),
                None => field.as_str().and_then(base64),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_result_can_follow_a_final_event() {
        let audio_ended = |error: Option<&str>, bytes_sent| Event::AudioEnded {
            reason: if error.is_some() { "error" } else { "finished" }.into(),
            error: error.map(str::to_owned),
            error_kind: error.map(|_| ChannelErrorKind::Auth),
            bytes_sent,
            data: json!({}),
        };
        let wire = |name| Event::from_wire(name, json!({}));
        for event in [
            wire("result-success"),
            wire("result-failure"),
            wire("error"),
            Event::disconnected("transport closed".into(), true),
            audio_ended(Some("signatures do not match"), 0),
        ] {
            assert!(event.is_final(), "{event:?}");
        }
        for event in [
            wire("info-consumer-ready"),
            wire("info-vad-status"),
            wire("info-something-new"),
            audio_ended(None, 64_000),
            // Enough audio may have reached the service before the channel failed.
            audio_ended(Some("connection reset"), 64_000),
        ] {
            assert!(!event.is_final(), "{event:?}");
        }
    }

    #[test]
    fn documented_events_are_typed_and_keep_their_json() {
        let data = json!({"event":"info-vad-status","content":"Voice activity detection percentage","audio_seconds":0.52,"vad_percentage":10});
        let e = Event::from_wire("info-vad-status", data.clone());
        assert_eq!(
            e,
            Event::VadStatus {
                content: Some("Voice activity detection percentage".into()),
                audio_seconds: Some(0.52),
                vad_percentage: Some(10.0),
                data: data.clone(),
                arguments: vec![Argument::Json(data.clone())],
            }
        );
        assert_eq!((e.name(), e.data()), ("info-vad-status", &data));

        let data = json!({"event":"result-success","authenticity":0.99,"voice_audio_collected":5.13,"content":"Registration: approved","credential":"$CREDENTIAL"});
        let Event::ResultSuccess {
            authenticity,
            voice_audio_collected,
            content,
            credential,
            score,
            ..
        } = Event::from_wire("result-success", data)
        else {
            panic!("typed result")
        };
        assert_eq!(authenticity, Some(0.99));
        assert_eq!(voice_audio_collected, Some(5.13));
        assert_eq!(content.as_deref(), Some("Registration: approved"));
        assert_eq!(credential.as_deref(), Some("$CREDENTIAL"));
        assert_eq!(score, None);
        let verified =
            json!({"event": "result-success", "content": "Verification: accepted", "score": 0.91});
        let e = Event::from_wire("result-success", verified);
        assert!(matches!(e, Event::ResultSuccess { score: Some(s), .. } if s == 0.91));
    }

    #[test]
    fn a_second_argument_is_the_collected_audio_and_never_the_payload() {
        let text = r#"{"event": "result-success", "content": "Registration: approved", "credential": "C"}"#;
        let audio = Bytes::from_static(&[1, 2, 3]);
        let args = vec![Argument::Json(json!(text)), Argument::Binary(audio.clone())];
        let e = Event::from_arguments("result-success", args.clone(), None);
        let Event::ResultSuccess {
            credential,
            collected_audio,
            verdict,
            data,
            ..
        } = &e
        else {
            panic!("typed result")
        };
        assert_eq!(credential.as_deref(), Some("C"));
        assert_eq!(collected_audio.as_ref(), Some(&audio));
        assert_eq!(*verdict, Verdict::Accepted);
        assert_eq!(data["event"], "result-success");
        assert_eq!(e.arguments(), args.as_slice());

        let as_text = vec![Argument::Json(json!(text)), Argument::Json(json!("AQID"))];
        let e = Event::from_arguments("result-success", as_text, None);
        assert!(matches!(e, Event::ResultSuccess { collected_audio: Some(a), .. } if a == audio));
        let field = json!({"content": "Verification: rejected", "collected_audio": "AQID"});
        let e = Event::from_wire("result-success", field);
        assert!(matches!(
            e,
            Event::ResultSuccess { collected_audio: Some(a), verdict: Verdict::Rejected, .. } if a == audio
        ));
        let threshold = json!({"score": 0.4});
        let e = Event::from_arguments("result-success", vec![Argument::Json(threshold)], Some(0.5));
        assert!(matches!(
            e,
            Event::ResultSuccess { threshold: Some(t), verdict: Verdict::Rejected, .. } if t == 0.5
        ));
    }

    #[test]
    fn bytes_nested_in_the_payload_are_the_collected_audio() {
        let audio = Bytes::from_static(&[7, 8, 9]);
        let payload = json!({"event": "result-success", "content": "Registration: approved",
            "collected_audio": crate::socketio::placeholder(0)});
        let args = Argument::from_wire(vec![payload.clone()], std::slice::from_ref(&audio));
        let e = Event::from_arguments("result-success", args, None);
        assert!(matches!(&e, Event::ResultSuccess { collected_audio: Some(a), .. } if *a == audio));
        assert_eq!(e.data(), &payload, "the payload keeps the placeholder");
        assert_eq!(e.attachment(&e.data()["collected_audio"]), Some(&audio));
        assert_eq!(e.attachment(&e.data()["content"]), None);
    }

    #[test]
    fn json_string_payloads_are_decoded() {
        let text = r#"{"event": "info-vad-status", "content": "Voice activity detection percentage", "audio_seconds": 0.52, "vad_percentage": 10}"#;
        let e = Event::from_wire("info-vad-status", Value::String(text.into()));
        assert!(matches!(
            e,
            Event::VadStatus {
                vad_percentage: Some(p),
                ..
            } if p == 10.0
        ));
        let plain = Event::from_wire("x", Value::String("just text".into()));
        assert_eq!(plain.data(), &json!("just text"));
    }

    #[test]
    fn odd_shapes_never_fail_and_unknown_names_pass_through() {
        let e = Event::from_wire("info-vad-status", json!("not an object"));
        assert!(matches!(
            e,
            Event::VadStatus {
                audio_seconds: None,
                vad_percentage: None,
                ..
            }
        ));
        let e = Event::from_wire("info-new-thing", json!([1, 2]));
        assert_eq!((e.name(), e.data()), ("info-new-thing", &json!([1, 2])));
        let e = Event::from_wire("error", json!({"message": "boom"}));
        assert!(matches!(e, Event::Error { message: Some(ref m), .. } if m == "boom"));
        let e = Event::disconnected("ping timeout".into(), true);
        assert_eq!(e.data()["before_result"], true);
    }
}
