//! Twilio Media Streams: the message set, and the das-Peak "other platforms" subset
//! (one `start` carrying `callSid = call_id`, then `media` frames of base64 audio).

mod messages;

pub use messages::{
    Connected, DtmfBody, MarkBody, MediaBody, MediaFormat, Message, StartBody, StopBody,
};
