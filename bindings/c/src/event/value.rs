//! [`EventValue`]: one queued event plus the NUL-terminated strings lent to C, made once.

use das_core::session::{Argument, Event, Verdict};

use super::queued::QueuedEvent;
use crate::error::Error;
use crate::out::CText;
use crate::result::das_result;

/// The kind of a session event. Numbers are stable; new kinds may be added, so keep a
/// `default:` branch. `DAS_EVENT_KIND_INVALID` is only returned for a bad handle.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum das_event_kind {
    /// Not an event (NULL or freed handle); see `das_last_error_message`.
    Invalid = 0,
    /// `info-consumer-ready`: the audio consumer is ready.
    ConsumerReady = 1,
    /// `info-vad-status`: seconds of audio received and voice-activity percentage.
    VadStatus = 2,
    /// `result-success`: the final result (authenticity, credential...).
    ResultSuccess = 3,
    /// `result-failure`: the service could not produce a result.
    ResultFailure = 4,
    /// `error`: the service reported an error.
    Error = 5,
    /// The signalling ended (the last event of a session).
    Disconnected = 6,
    /// Any other event, passed through with its name and JSON.
    Other = 7,
    /// `audio-ended`, generated locally: the audio channel ended (`das_event_reason` is
    /// `finished`, `consumer-closed` or `error`, and `das_event_message` says why for `error`;
    /// the event's JSON has the failure's class as `error_kind`, `auth` or `proxy` say).
    AudioEnded = 8,
    /// `started`, generated locally: `das_session_start_nonblocking` connected and emitted
    /// `initialize`; pushes are accepted from now on.
    Started = 9,
    /// `start-failed`, generated locally: `das_session_start_nonblocking` failed.
    /// `das_event_start_result` gives the code `das_session_start` would have returned and
    /// `das_event_message` why; the session is closed and this is its last event.
    StartFailed = 10,
}

/// What a `result-success` decided (`das_event_verdict`). The rule, from what the service
/// sends, is in docs/das-peak.md. Numbers are stable.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum das_verdict {
    /// The result says neither.
    Unknown = 0,
    /// Approved registration or accepted verification.
    Accepted = 1,
    /// Rejected verification.
    Rejected = 2,
}

/// One argument as lent to C: JSON text made once, or the bytes as received.
#[derive(Debug)]
enum CArgument {
    /// Compact JSON text.
    Json(CText),
    /// A binary attachment.
    Binary(bytes::Bytes),
}

/// What a `das_event` owns.
#[derive(Debug)]
pub struct EventValue {
    /// A core event; the local start outcomes keep an empty `Event::Other` (no typed fields).
    event: Event,
    kind: das_event_kind,
    /// The code of a `start-failed` event.
    start_result: Option<das_result>,
    name: CText,
    json: CText,
    arguments: Vec<CArgument>,
    content: Option<CText>,
    credential: Option<CText>,
    reason: Option<CText>,
    message: Option<CText>,
}

fn text(value: &Option<String>) -> Option<CText> {
    value.as_deref().map(CText::new)
}

impl EventValue {
    /// Prepares `queued` for C (das-Peak's JSON-string payloads arrive decoded by the core).
    pub fn new(queued: impl Into<QueuedEvent>) -> Self {
        let queued = queued.into();
        let json = queued.data().to_string();
        let name = CText::new(queued.name());
        let (event, kind, start_result, start_message) = match queued {
            QueuedEvent::Session(event) => {
                let kind = kind_of(&event);
                (event, kind, None, None)
            }
            QueuedEvent::Started { .. } => (local(), das_event_kind::Started, None, None),
            QueuedEvent::StartFailed(error) => (
                local(),
                das_event_kind::StartFailed,
                Some(error.code()),
                Some(CText::new(error.message())),
            ),
        };
        let (mut content, mut credential, mut reason, mut message) = (None, None, None, None);
        match &event {
            Event::ResultSuccess {
                content: c,
                credential: k,
                ..
            } => {
                content = text(c);
                credential = text(k);
            }
            Event::ResultFailure {
                content: c,
                reason: r,
                ..
            } => {
                content = text(c);
                reason = text(r);
            }
            Event::Error {
                content: c,
                message: m,
                ..
            } => {
                content = text(c);
                message = text(m);
            }
            Event::Disconnected { reason: r, .. } => reason = Some(CText::new(r)),
            Event::AudioEnded {
                reason: r,
                error: e,
                ..
            } => {
                reason = Some(CText::new(r));
                message = text(e);
            }
            _ => message = start_message,
        }
        let arguments = event
            .arguments()
            .iter()
            .map(|argument| match argument {
                Argument::Json(value) | Argument::JsonWithBinary { value, .. } => {
                    CArgument::Json(CText::new(&value.to_string()))
                }
                Argument::Binary(bytes) => CArgument::Binary(bytes.clone()),
            })
            .collect();
        Self {
            kind,
            start_result,
            name,
            json: CText::new(&json),
            arguments,
            event,
            content,
            credential,
            reason,
            message,
        }
    }

    /// The kind.
    pub fn kind(&self) -> das_event_kind {
        self.kind
    }

    /// Whether no result can follow (the core's `Event::is_final`), or the start failed.
    pub fn is_final(&self) -> bool {
        self.kind == das_event_kind::StartFailed || self.event.is_final()
    }

    /// The result code of a `start-failed` event.
    pub fn start_result(&self) -> Result<das_result, Error> {
        self.start_result.ok_or_else(|| self.absent("result"))
    }

    /// The event name as on the wire.
    pub fn name(&self) -> &CText {
        &self.name
    }

    /// The payload as compact JSON.
    pub fn json(&self) -> &CText {
        &self.json
    }

    /// A numeric field of the kinds that document it.
    pub fn number(&self, field: NumberField) -> Result<f64, Error> {
        let value = match (&self.event, field) {
            (Event::VadStatus { audio_seconds, .. }, NumberField::AudioSeconds) => *audio_seconds,
            (Event::VadStatus { vad_percentage, .. }, NumberField::VadPercentage) => {
                *vad_percentage
            }
            (Event::ResultSuccess { authenticity, .. }, NumberField::Authenticity) => *authenticity,
            (
                Event::ResultSuccess {
                    voice_audio_collected,
                    ..
                },
                NumberField::VoiceAudioCollected,
            ) => *voice_audio_collected,
            (Event::ResultSuccess { score, .. }, NumberField::Score) => *score,
            (Event::ResultSuccess { threshold, .. }, NumberField::Threshold) => *threshold,
            _ => None,
        };
        value.ok_or_else(|| self.absent(field.key()))
    }

    /// A text field of the kinds that document it.
    pub fn text(&self, field: TextField) -> Result<&CText, Error> {
        let slot = match field {
            TextField::Content => &self.content,
            TextField::Credential => &self.credential,
            TextField::Reason => &self.reason,
            TextField::Message => &self.message,
        };
        slot.as_ref().ok_or_else(|| self.absent(field.key()))
    }

    /// How many arguments the event has.
    pub fn argument_count(&self) -> usize {
        self.arguments.len()
    }

    /// Argument `index` as JSON text: `DAS_RESULT_OUT_OF_RANGE` past the last,
    /// `DAS_RESULT_NOT_PRESENT` for a binary one.
    pub fn argument_json(&self, index: usize) -> Result<&CText, Error> {
        match self.argument(index)? {
            CArgument::Json(text) => Ok(text),
            CArgument::Binary(_) => Err(Self::other_form(index, "binary")),
        }
    }

    /// Argument `index` as bytes: `DAS_RESULT_OUT_OF_RANGE` past the last,
    /// `DAS_RESULT_NOT_PRESENT` for a JSON one.
    pub fn argument_bytes(&self, index: usize) -> Result<&[u8], Error> {
        match self.argument(index)? {
            CArgument::Binary(bytes) => Ok(bytes),
            CArgument::Json(_) => Err(Self::other_form(index, "JSON")),
        }
    }

    fn argument(&self, index: usize) -> Result<&CArgument, Error> {
        self.arguments.get(index).ok_or_else(|| {
            Error::new(
                das_result::OutOfRange,
                format!(
                    "argument {index} of a `{}` event that has {}",
                    self.name.as_str(),
                    self.arguments.len()
                ),
            )
        })
    }

    fn other_form(index: usize, form: &str) -> Error {
        Error::new(
            das_result::NotPresent,
            format!("argument {index} is {form}"),
        )
    }

    /// Attachment `num`, which the placeholders numbered `num` inside the payload or an
    /// argument stand for.
    pub fn attachment(&self, num: usize) -> Result<&[u8], Error> {
        match self.event.attachments() {
            [] => Err(Error::new(
                das_result::NotPresent,
                format!("no attachment nested in a `{}` event", self.name.as_str()),
            )),
            attachments => attachments.get(num).map(|bytes| &bytes[..]).ok_or_else(|| {
                Error::new(
                    das_result::NotPresent,
                    format!("attachment {num} of {}", attachments.len()),
                )
            }),
        }
    }

    /// The collected audio of a `result-success`.
    pub fn collected_audio(&self) -> Result<&[u8], Error> {
        match &self.event {
            Event::ResultSuccess {
                collected_audio: Some(audio),
                ..
            } => Ok(audio),
            _ => Err(self.absent("collected_audio")),
        }
    }

    /// The verdict of a `result-success`.
    pub fn verdict(&self) -> Result<das_verdict, Error> {
        match &self.event {
            Event::ResultSuccess { verdict, .. } => Ok(match verdict {
                Verdict::Accepted => das_verdict::Accepted,
                Verdict::Rejected => das_verdict::Rejected,
                Verdict::Unknown => das_verdict::Unknown,
            }),
            _ => Err(self.absent("verdict")),
        }
    }

    /// `before_result` of a `disconnected` event.
    pub fn before_result(&self) -> Result<bool, Error> {
        match self.event {
            Event::Disconnected { before_result, .. } => Ok(before_result),
            _ => Err(self.absent("before_result")),
        }
    }

    fn absent(&self, key: &str) -> Error {
        Error::new(
            das_result::NotPresent,
            format!("a `{}` event has no `{key}`", self.name.as_str()),
        )
    }
}

fn kind_of(event: &Event) -> das_event_kind {
    match event {
        Event::ConsumerReady { .. } => das_event_kind::ConsumerReady,
        Event::VadStatus { .. } => das_event_kind::VadStatus,
        Event::ResultSuccess { .. } => das_event_kind::ResultSuccess,
        Event::ResultFailure { .. } => das_event_kind::ResultFailure,
        Event::Error { .. } => das_event_kind::Error,
        Event::Disconnected { .. } => das_event_kind::Disconnected,
        Event::AudioEnded { .. } => das_event_kind::AudioEnded,
        Event::Other { .. } => das_event_kind::Other,
    }
}

/// What a local start outcome keeps as its core event: no typed field, no argument.
fn local() -> Event {
    Event::Other {
        name: String::new(),
        data: serde_json::Value::Null,
        arguments: Vec::new(),
    }
}

/// The numeric getters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberField {
    AudioSeconds,
    VadPercentage,
    Authenticity,
    VoiceAudioCollected,
    Score,
    Threshold,
}

impl NumberField {
    fn key(self) -> &'static str {
        match self {
            Self::AudioSeconds => "audio_seconds",
            Self::VadPercentage => "vad_percentage",
            Self::Authenticity => "authenticity",
            Self::VoiceAudioCollected => "voice_audio_collected",
            Self::Score => "score",
            Self::Threshold => "threshold",
        }
    }
}

/// The text getters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    Content,
    Credential,
    Reason,
    Message,
}

impl TextField {
    fn key(self) -> &'static str {
        match self {
            Self::Content => "content",
            Self::Credential => "credential",
            Self::Reason => "reason",
            Self::Message => "message",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn typed_fields_exist_only_on_their_kinds() {
        let vad = EventValue::new(Event::from_wire(
            "info-vad-status",
            json!({"audio_seconds": 1.5, "vad_percentage": 40}),
        ));
        assert_eq!(vad.kind(), das_event_kind::VadStatus);
        assert_eq!(vad.number(NumberField::VadPercentage).unwrap(), 40.0);
        let err = vad.number(NumberField::Authenticity).unwrap_err();
        assert_eq!(err.code(), das_result::NotPresent);
        assert_eq!(
            err.message(),
            "a `info-vad-status` event has no `authenticity`"
        );

        let ok = EventValue::new(Event::from_wire(
            "result-success",
            json!({"authenticity": 0.9, "credential": "CRED", "score": 0.7}),
        ));
        assert_eq!(ok.text(TextField::Credential).unwrap().as_str(), "CRED");
        assert_eq!(ok.number(NumberField::Score).unwrap(), 0.7);
        assert!(ok.text(TextField::Content).is_err());
        assert_eq!(
            ok.json().as_str(),
            r#"{"authenticity":0.9,"credential":"CRED","score":0.7}"#
        );

        let text = r#"{"event": "info-vad-status", "audio_seconds": 0.52, "vad_percentage": 10}"#;
        let encoded = EventValue::new(Event::from_wire("info-vad-status", json!(text)));
        assert_eq!(encoded.number(NumberField::AudioSeconds).unwrap(), 0.52);
        assert_eq!(
            encoded.json().as_str(),
            r#"{"event":"info-vad-status","audio_seconds":0.52,"vad_percentage":10}"#
        );

        let other = EventValue::new(Event::from_wire("info-new", json!([1])));
        assert_eq!(
            (other.kind(), other.name().as_str()),
            (das_event_kind::Other, "info-new")
        );
        assert!(other.before_result().is_err());
        assert!(other.start_result().is_err());
    }

    #[test]
    fn the_start_outcomes_have_their_kinds_and_a_failure_its_code() {
        let started = EventValue::new(QueuedEvent::Started {
            call_id: "c-1".into(),
        });
        assert_eq!(started.kind(), das_event_kind::Started);
        assert_eq!(started.name().as_str(), "started");
        assert_eq!(
            started.json().as_str(),
            r#"{"event":"started","call_id":"c-1"}"#
        );
        assert_eq!(started.argument_count(), 0);
        assert_eq!(
            started.start_result().unwrap_err().code(),
            das_result::NotPresent
        );

        let failed = EventValue::new(QueuedEvent::StartFailed(Error::new(
            das_result::Auth,
            "session start failed: refused",
        )));
        assert_eq!(failed.kind(), das_event_kind::StartFailed);
        assert_eq!(failed.start_result().unwrap(), das_result::Auth);
        assert_eq!(
            failed.text(TextField::Message).unwrap().as_str(),
            "session start failed: refused"
        );
        assert!(failed.text(TextField::Reason).is_err());
    }
}
