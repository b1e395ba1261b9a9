//! AudioHook protocol messages (version "2"): the JSON envelope and every client and server
//! message type. `parameters` is always serialised (possibly `{}`) and required on input.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::duration::StreamDuration;

/// The only protocol version.
pub const VERSION: &str = "2";
/// Longest accepted text message, in bytes.
pub const MAX_TEXT_LEN: usize = 65535;
/// The one sample rate AudioHook carries.
pub const SAMPLE_RATE: u32 = 8000;

/// A text message that is not a valid AudioHook message.
#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    /// Longer than [`MAX_TEXT_LEN`] bytes.
    #[error("text message too large ({0} bytes > 64K)")]
    TooLarge(usize),
    /// Not JSON, or not the shape of any message type.
    #[error("message is not a valid AudioHook message: {0}")]
    Malformed(#[from] serde_json::Error),
    /// A `version` other than [`VERSION`].
    #[error("unsupported protocol version {0:?} (expected \"2\")")]
    Version(String),
    /// Well-formed, but a value is out of range (media rate or channels).
    #[error("invalid parameters: {0}")]
    Invalid(String),
}

/// A message from the client (the side streaming audio) to the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientMessage {
    /// Always [`VERSION`].
    pub version: String,
    /// The session id (`Audiohook-Session-Id`).
    pub id: Uuid,
    /// This message's sequence number, from 1.
    pub seq: u64,
    /// Seq of the last server message the client received.
    pub serverseq: u64,
    /// The client's position on the stream timeline.
    pub position: StreamDuration,
    /// `type` and `parameters`.
    #[serde(flatten)]
    pub body: ClientBody,
}

/// The typed part of a [`ClientMessage`]: `type` plus its `parameters`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "parameters", rename_all = "lowercase")]
pub enum ClientBody {
    // Boxed: `open` is rare and large, the other messages are small and frequent.
    /// Starts the session: call identity and media offers.
    Open(Box<OpenParameters>),
    /// Starts the close transaction.
    Close(CloseParameters),
    /// Audio was skipped.
    Discarded(Gap),
    /// The client reports an error.
    Error(ErrorParameters),
    /// Audio is paused (hold, secure pause).
    Paused(Empty),
    /// Keep-alive; the server answers `pong`.
    Ping(PingParameters),
    /// Audio resumes after a pause; the gap is what was not sent.
    Resumed(Gap),
    /// A session setting changed (the language).
    Update(UpdateParameters),
}

/// A message from the server to the client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerMessage {
    /// Always [`VERSION`].
    pub version: String,
    /// The session id.
    pub id: Uuid,
    /// This message's sequence number, from 1.
    pub seq: u64,
    /// Seq of the last client message the server received.
    pub clientseq: u64,
    /// `type` and `parameters`.
    #[serde(flatten)]
    pub body: ServerBody,
}

/// The typed part of a [`ServerMessage`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "parameters", rename_all = "lowercase")]
pub enum ServerBody {
    /// Accepts `open`: the selected media and stream instructions.
    Opened(OpenedParameters),
    /// Ends the close transaction.
    Closed(Empty),
    /// Asks the client to close (completed, unauthorized or error).
    Disconnect(DisconnectParameters),
    /// Entities for the client (transcripts, agent assist).
    Event(EventParameters),
    /// Asks the client to pause the audio.
    Pause(Empty),
    /// Answers `ping`.
    Pong(Empty),
    /// Asks the client to reconnect (parsed and ignored: libdas does not reconnect).
    Reconnect(ReconnectParameters),
    /// Asks the client to resume the audio.
    Resume(Empty),
    /// Answers `update`.
    Updated(Empty),
}

/// `{}`: parameters of messages that carry none (unknown members are ignored).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Empty {}

/// `open`: who the call is and which media the client offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenParameters {
    /// The Genesys organization (`Audiohook-Organization-Id`).
    pub organization_id: Uuid,
    /// The call; libdas sends the das-Peak `call_id` here when it is a UUID.
    pub conversation_id: Uuid,
    /// The caller.
    pub participant: Participant,
    /// Offered media, in the client's order of preference.
    pub media: Vec<MediaParameter>,
    /// The conversation's language (BCP 47), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// True when the client asks for `opened.supportedLanguages`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported_languages: Option<bool>,
    /// Earlier sessions this one continues.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continued_sessions: Option<Vec<ContinuedSession>>,
    /// Integration-specific settings, passed through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_config: Option<Map<String, Value>>,
}

impl OpenParameters {
    /// True for Genesys' connection probe: a nil conversation or participant id.
    pub fn is_probe(&self) -> bool {
        self.conversation_id.is_nil() || self.participant.id.is_nil()
    }
}

/// `open.parameters.participant`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    /// The participant's id (nil in a connection probe).
    pub id: Uuid,
    /// Calling number.
    pub ani: String,
    /// Caller's name.
    pub ani_name: String,
    /// Dialled number.
    pub dnis: String,
}

/// `open.parameters.continuedSessions[]` (parsed; reconnection itself is unsupported).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContinuedSession {
    /// The earlier session's id.
    pub id: Uuid,
    /// The last server seq of that session.
    pub serverseq: u64,
    /// The last client seq of that session.
    pub clientseq: u64,
}

/// One media entry of an offer or a selection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaParameter {
    /// Always audio.
    #[serde(rename = "type")]
    pub kind: MediaType,
    /// Sample encoding.
    pub format: MediaFormat,
    /// Channel order on the wire (samples interleaved in this order).
    pub channels: Vec<MediaChannel>,
    /// Samples per second; always [`SAMPLE_RATE`].
    pub rate: u32,
}

impl MediaParameter {
    /// An 8 kHz audio entry.
    pub fn audio(format: MediaFormat, channels: Vec<MediaChannel>) -> Self {
        MediaParameter {
            kind: MediaType::Audio,
            format,
            channels,
            rate: SAMPLE_RATE,
        }
    }

    /// The default offer of the reference client: stereo, external only, internal only (PCMU).
    pub fn default_offers() -> Vec<MediaParameter> {
        use MediaChannel::{External, Internal};
        vec![
            MediaParameter::audio(MediaFormat::Pcmu, vec![External, Internal]),
            MediaParameter::audio(MediaFormat::Pcmu, vec![External]),
            MediaParameter::audio(MediaFormat::Pcmu, vec![Internal]),
        ]
    }

    /// Checks rate and channel list.
    pub fn validate(&self) -> Result<(), MessageError> {
        if self.rate != SAMPLE_RATE {
            return Err(MessageError::Invalid(format!(
                "media rate {} is not 8000",
                self.rate
            )));
        }
        let n = self.channels.len();
        if !(1..=2).contains(&n) || (n == 2 && self.channels[0] == self.channels[1]) {
            return Err(MessageError::Invalid(
                "media needs one or two distinct channels".into(),
            ));
        }
        Ok(())
    }

    /// Bytes of one sample frame (all channels).
    pub fn frame_bytes(&self) -> usize {
        self.format.codec().bytes_per_sample() * self.channels.len()
    }
}

/// `media[].type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaType {
    /// `audio`, the only media type.
    Audio,
}

/// `media[].format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MediaFormat {
    /// `PCMU`: G.711 µ-law, one byte per sample.
    #[serde(rename = "PCMU")]
    Pcmu,
    /// `L16`: linear 16-bit little-endian samples.
    #[serde(rename = "L16")]
    L16,
}

impl MediaFormat {
    /// The codec of the binary frames.
    pub fn codec(self) -> crate::audio::codec::Codec {
        match self {
            MediaFormat::Pcmu => crate::audio::codec::Codec::Mulaw,
            MediaFormat::L16 => crate::audio::codec::Codec::L16,
        }
    }
}

/// `media[].channels[]`: `external` is the customer, `internal` the agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaChannel {
    /// The customer.
    External,
    /// The agent.
    Internal,
}

/// `opened`: the selected media (zero or one entry) and stream instructions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenedParameters {
    /// The selected media; empty when the server wants no audio.
    pub media: Vec<MediaParameter>,
    /// Audio before this position is not wanted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discard_to: Option<StreamDuration>,
    /// The client starts paused until `resume`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_paused: Option<bool>,
    /// Languages the server supports, when asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported_languages: Option<Vec<String>>,
}

/// `close.reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CloseReason {
    /// The call's audio ended.
    End,
    /// The client hit an error.
    Error,
    /// Answers the server's `disconnect`.
    Disconnect,
    /// Answers the server's `reconnect`.
    Reconnect,
}

/// `close`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CloseParameters {
    /// Why the client closes.
    pub reason: CloseReason,
}

/// `discarded` and `resumed`: audio from `start` lasting `discarded` was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    /// Stream position where the gap starts.
    pub start: StreamDuration,
    /// Length of the gap.
    pub discarded: StreamDuration,
}

/// `error` (client to server).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorParameters {
    /// An HTTP-like status code (408 timeout, 415 unsupported message, …).
    pub code: u16,
    /// Human-readable text.
    pub message: String,
    /// For 429: when to try again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<StreamDuration>,
}

/// `ping`, with the last measured round trip after the first pong.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PingParameters {
    /// The round trip of the previous ping/pong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtt: Option<StreamDuration>,
}

/// `update`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UpdateParameters {
    /// The conversation's new language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// `disconnect.reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DisconnectReason {
    /// The server has what it needs (a normal end).
    Completed,
    /// The API key or signature was refused.
    Unauthorized,
    /// The server hit an error.
    Error,
}

/// `disconnect`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisconnectParameters {
    /// Why the server ends the session.
    pub reason: DisconnectReason,
    /// Free text for logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info: Option<String>,
}

/// `event`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventParameters {
    /// The entities, in order.
    pub entities: Vec<EventEntity>,
}

/// One entity of an `event`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventEntity {
    /// The entity type (for example `transcript`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The entity, as sent.
    pub data: Value,
}

/// `reconnect`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReconnectParameters {
    /// Free text for logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info: Option<String>,
}

fn parse_checked<T: serde::de::DeserializeOwned>(
    text: &str,
    version: impl Fn(&T) -> &str,
) -> Result<T, MessageError> {
    if text.len() > MAX_TEXT_LEN {
        return Err(MessageError::TooLarge(text.len()));
    }
    let message: T = serde_json::from_str(text)?;
    if version(&message) != VERSION {
        return Err(MessageError::Version(version(&message).to_owned()));
    }
    Ok(message)
}

impl ClientMessage {
    /// Parses and validates a client text message (size, JSON, version, media entries).
    pub fn parse(text: &str) -> Result<Self, MessageError> {
        let message: ClientMessage = parse_checked(text, |m: &ClientMessage| &m.version)?;
        if let ClientBody::Open(open) = &message.body {
            open.media.iter().try_for_each(MediaParameter::validate)?;
        }
        Ok(message)
    }

    /// The JSON text of the message.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl ServerMessage {
    /// Parses and validates a server text message.
    pub fn parse(text: &str) -> Result<Self, MessageError> {
        let message: ServerMessage = parse_checked(text, |m: &ServerMessage| &m.version)?;
        if let ServerBody::Opened(opened) = &message.body {
            opened.media.iter().try_for_each(MediaParameter::validate)?;
        }
        Ok(message)
    }

    /// The JSON text of the message.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PROBE_OPEN: &str = r#"{"version":"2","id":"62780b08-3a9d-43b0-9d74-4aa5745fa633","type":"open","seq":1,"position":"PT0S",
 "parameters":{"organizationId":"aec04f7c-8108-4e07-a9d6-67a8d5df7b3e",
   "conversationId":"00000000-0000-0000-0000-000000000000",
   "participant":{"id":"00000000-0000-0000-0000-000000000000","ani":"","aniName":"","dnis":""},
   "media":[{"type":"audio","format":"PCMU","channels":["external","internal"],"rate":8000}]},
 "serverseq":0}"#;

    #[test]
    fn the_genesys_probe_open_parses() {
        let message = ClientMessage::parse(PROBE_OPEN).unwrap();
        assert_eq!((message.seq, message.serverseq), (1, 0));
        let ClientBody::Open(open) = &message.body else {
            panic!("not open")
        };
        assert!(open.is_probe());
        assert_eq!(
            open.media[0].channels,
            vec![MediaChannel::External, MediaChannel::Internal]
        );
        let again = ClientMessage::parse(&message.to_text()).unwrap();
        assert_eq!(again, message);
    }

    #[test]
    fn parameters_are_always_present() {
        let pong = ServerMessage {
            version: VERSION.into(),
            id: Uuid::nil(),
            seq: 2,
            clientseq: 2,
            body: ServerBody::Pong(Empty {}),
        };
        let value: Value = serde_json::from_str(&pong.to_text()).unwrap();
        assert_eq!(
            value,
            json!({"version":"2","id":"00000000-0000-0000-0000-000000000000","seq":2,"clientseq":2,"type":"pong","parameters":{}})
        );
        let missing = r#"{"version":"2","id":"00000000-0000-0000-0000-000000000000","seq":2,"clientseq":2,"type":"pong"}"#;
        assert!(ServerMessage::parse(missing).is_err());
    }

    #[test]
    fn every_client_type_round_trips() {
        let bodies = [
            ClientBody::Close(CloseParameters {
                reason: CloseReason::End,
            }),
            ClientBody::Discarded(Gap {
                start: "PT6.3S".parse().unwrap(),
                discarded: "PT0.3S".parse().unwrap(),
            }),
            ClientBody::Error(ErrorParameters {
                code: 400,
                message: "tough stuff".into(),
                retry_after: None,
            }),
            ClientBody::Paused(Empty {}),
            ClientBody::Ping(PingParameters {
                rtt: Some("PT0.012S".parse().unwrap()),
            }),
            ClientBody::Resumed(Gap {
                start: "PT10S".parse().unwrap(),
                discarded: "PT5S".parse().unwrap(),
            }),
            ClientBody::Update(UpdateParameters {
                language: Some("en-US".into()),
            }),
        ];
        for body in bodies {
            let message = ClientMessage {
                version: VERSION.into(),
                id: Uuid::new_v4(),
                seq: 3,
                serverseq: 2,
                position: StreamDuration::ZERO,
                body,
            };
            assert_eq!(ClientMessage::parse(&message.to_text()).unwrap(), message);
        }
    }

    #[test]
    fn every_server_type_parses() {
        for (kind, parameters) in [
            (
                "opened",
                json!({"media":[{"type":"audio","format":"L16","channels":["internal"],"rate":8000}],"startPaused":true,"discardTo":"PT1S"}),
            ),
            ("closed", json!({})),
            (
                "disconnect",
                json!({"reason":"unauthorized","info":"FAILED"}),
            ),
            (
                "event",
                json!({"entities":[{"type":"transcript","data":{"id":"x"}}]}),
            ),
            ("pause", json!({})),
            ("resume", json!({})),
            ("reconnect", json!({})),
            ("updated", json!({})),
        ] {
            let text = json!({"version":"2","id":Uuid::new_v4(),"seq":1,"clientseq":1,"type":kind,"parameters":parameters}).to_string();
            ServerMessage::parse(&text).unwrap_or_else(|e| panic!("{kind}: {e}"));
        }
    }

    #[test]
    fn bad_messages_are_typed_errors() {
        let big = format!(r#"{{"pad":"{}"}}"#, "x".repeat(MAX_TEXT_LEN));
        assert!(matches!(
            ClientMessage::parse(&big),
            Err(MessageError::TooLarge(_))
        ));
        assert!(matches!(
            ClientMessage::parse("{"),
            Err(MessageError::Malformed(_))
        ));
        let v3 = PROBE_OPEN.replace(r#""version":"2""#, r#""version":"3""#);
        assert!(matches!(
            ClientMessage::parse(&v3),
            Err(MessageError::Version(_))
        ));
        let rate = PROBE_OPEN.replace("8000", "16000");
        assert!(matches!(
            ClientMessage::parse(&rate),
            Err(MessageError::Invalid(_))
        ));
        let unknown = PROBE_OPEN.replace(r#""type":"open""#, r#""type":"dtmf""#);
        assert!(ClientMessage::parse(&unknown).is_err());
        let seq = PROBE_OPEN.replace(r#""seq":1"#, r#""seq":"1""#);
        assert!(ClientMessage::parse(&seq).is_err());
    }
}
