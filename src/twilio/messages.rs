//! Twilio Media Streams WebSocket messages (JSON text frames tagged by `event`).
//!
//! Every field beyond the das-Peak subset is optional, so the minimal frames
//! `{"event":"start","start":{"callSid":…}}` and `{"event":"media","media":{"payload":…}}`
//! parse and serialise exactly as documented, and full Twilio frames keep all their data.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One Media Streams message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "lowercase")]
pub enum Message {
    /// The first message on a Twilio stream.
    Connected(Connected),
    /// Stream metadata; the das-Peak subset sends only `start.callSid`.
    Start {
        /// Twilio's message counter, as a decimal string.
        #[serde(
            rename = "sequenceNumber",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        sequence_number: Option<String>,
        /// The stream and call identifiers.
        start: StartBody,
        /// The stream's id (full frames only).
        #[serde(rename = "streamSid", default, skip_serializing_if = "Option::is_none")]
        stream_sid: Option<String>,
    },
    /// A chunk of base64 audio.
    Media {
        /// Twilio's message counter, as a decimal string.
        #[serde(
            rename = "sequenceNumber",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        sequence_number: Option<String>,
        /// The audio and its bookkeeping.
        media: MediaBody,
        /// The stream's id (full frames only).
        #[serde(rename = "streamSid", default, skip_serializing_if = "Option::is_none")]
        stream_sid: Option<String>,
    },
    /// A named marker in the audio (full frames).
    Mark {
        /// Twilio's message counter, as a decimal string.
        #[serde(
            rename = "sequenceNumber",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        sequence_number: Option<String>,
        /// The marker.
        mark: MarkBody,
        /// The stream's id (full frames only).
        #[serde(rename = "streamSid", default, skip_serializing_if = "Option::is_none")]
        stream_sid: Option<String>,
    },
    /// A key pressed on the phone (sent by Twilio, not by libdas).
    Dtmf {
        /// Twilio's message counter, as a decimal string.
        #[serde(
            rename = "sequenceNumber",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        sequence_number: Option<String>,
        /// The key.
        dtmf: DtmfBody,
        /// The stream's id (full frames only).
        #[serde(rename = "streamSid", default, skip_serializing_if = "Option::is_none")]
        stream_sid: Option<String>,
    },
    /// The stream ends (full frames).
    Stop {
        /// Twilio's message counter, as a decimal string.
        #[serde(
            rename = "sequenceNumber",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        sequence_number: Option<String>,
        #[serde(default)]
        /// The call identifiers.
        stop: StopBody,
        /// The stream's id (full frames only).
        #[serde(rename = "streamSid", default, skip_serializing_if = "Option::is_none")]
        stream_sid: Option<String>,
    },
}

/// `connected`: the first message Twilio sends.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Connected {
    /// `Call`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// The Media Streams protocol version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// The body of `start`. `call_sid` is the das-Peak `call_id`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StartBody {
    /// The call; das-Peak's `call_id`.
    #[serde(rename = "callSid")]
    pub call_sid: String,
    /// The stream's id.
    #[serde(rename = "streamSid", default, skip_serializing_if = "Option::is_none")]
    pub stream_sid: Option<String>,
    /// The Twilio account.
    #[serde(
        rename = "accountSid",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub account_sid: Option<String>,
    /// Tracks carried (`inbound`, `outbound`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracks: Option<Vec<String>>,
    /// Parameters passed in the TwiML `<Stream>`.
    #[serde(
        rename = "customParameters",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub custom_parameters: Option<Map<String, Value>>,
    /// The audio encoding.
    #[serde(
        rename = "mediaFormat",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub media_format: Option<MediaFormat>,
}

/// `start.mediaFormat`, e.g. `audio/x-mulaw`, 8000 Hz, 1 channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaFormat {
    /// `audio/x-mulaw`.
    pub encoding: String,
    /// Samples per second.
    #[serde(rename = "sampleRate")]
    pub sample_rate: u32,
    /// Channel count.
    pub channels: u16,
}

/// The body of `media`: base64 audio plus Twilio's optional bookkeeping.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MediaBody {
    /// Base64 audio.
    pub payload: String,
    /// `inbound` or `outbound`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    /// Chunk counter, as a decimal string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk: Option<String>,
    /// Milliseconds since the stream started, as a decimal string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

impl MediaBody {
    /// A subset-style media body carrying `audio`.
    pub fn from_audio(audio: &[u8]) -> Self {
        MediaBody {
            payload: STANDARD.encode(audio),
            ..MediaBody::default()
        }
    }

    /// The raw audio bytes of the payload.
    pub fn audio(&self) -> Result<Vec<u8>, base64::DecodeError> {
        STANDARD.decode(self.payload.as_bytes())
    }
}

/// The body of `mark`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MarkBody {
    /// The marker's name.
    pub name: String,
}

/// The body of `dtmf`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DtmfBody {
    /// The track the key was heard on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    /// The key.
    pub digit: String,
}

/// The body of `stop`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StopBody {
    /// The Twilio account.
    #[serde(
        rename = "accountSid",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub account_sid: Option<String>,
    /// The call.
    #[serde(rename = "callSid", default, skip_serializing_if = "Option::is_none")]
    pub call_sid: Option<String>,
}

impl Message {
    /// The das-Peak subset's opening frame.
    pub fn subset_start(call_id: &str) -> Self {
        Message::Start {
            sequence_number: None,
            start: StartBody {
                call_sid: call_id.to_owned(),
                ..StartBody::default()
            },
            stream_sid: None,
        }
    }

    /// The das-Peak subset's audio frame.
    pub fn subset_media(audio: &[u8]) -> Self {
        Message::Media {
            sequence_number: None,
            media: MediaBody::from_audio(audio),
            stream_sid: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn subset_frames_match_the_documentation_byte_for_byte() {
        let start = serde_json::to_string(&Message::subset_start("abc")).unwrap();
        assert_eq!(start, r#"{"event":"start","start":{"callSid":"abc"}}"#);
        let media = serde_json::to_string(&Message::subset_media(&[0xFF, 0x7F])).unwrap();
        assert_eq!(media, r#"{"event":"media","media":{"payload":"/38="}}"#);
    }

    #[test]
    fn full_twilio_frames_parse_with_every_field() {
        let start = json!({
            "event": "start", "sequenceNumber": "1", "streamSid": "MZ1",
            "start": {
                "accountSid": "AC1", "streamSid": "MZ1", "callSid": "CA1",
                "tracks": ["inbound"], "customParameters": {"k": "v"},
                "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}
            }
        });
        let Message::Start { start: body, .. } = serde_json::from_value(start.clone()).unwrap()
        else {
            panic!("not a start")
        };
        assert_eq!(body.call_sid, "CA1");
        assert_eq!(body.media_format.unwrap().sample_rate, 8000);

        let media = json!({"event": "media", "sequenceNumber": "3", "streamSid": "MZ1",
            "media": {"track": "inbound", "chunk": "1", "timestamp": "5", "payload": "/38="}});
        let parsed: Message = serde_json::from_value(media.clone()).unwrap();
        assert_eq!(serde_json::to_value(&parsed).unwrap(), media);
        let Message::Media { media, .. } = parsed else {
            panic!("not media")
        };
        assert_eq!(media.audio().unwrap(), vec![0xFF, 0x7F]);

        let stop: Message = serde_json::from_value(json!({"event": "stop", "streamSid": "MZ1",
            "stop": {"accountSid": "AC1", "callSid": "CA1"}}))
        .unwrap();
        assert!(matches!(stop, Message::Stop { .. }));
        let connected: Message =
            serde_json::from_str(r#"{"event":"connected","protocol":"Call","version":"1.0.0"}"#)
                .unwrap();
        assert!(matches!(connected, Message::Connected(_)));
    }

    #[test]
    fn unknown_events_and_bad_payloads_are_errors() {
        assert!(serde_json::from_str::<Message>(r#"{"event":"bogus"}"#).is_err());
        assert!(serde_json::from_str::<Message>(r#"{"event":"media"}"#).is_err());
        let bad = MediaBody {
            payload: "***".into(),
            ..MediaBody::default()
        };
        assert!(bad.audio().is_err());
    }
}
