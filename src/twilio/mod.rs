//! Twilio Media Streams: the message set, and a client that streams audio either as the
//! das-Peak "other platforms" subset (one `start` carrying `callSid = call_id`, then `media`
//! frames of base64 audio) or as full Twilio frames.

mod client;
mod messages;

pub use client::{TwilioConfig, TwilioEnd, TwilioError, TwilioMode, TwilioSession};
pub use messages::{
    Connected, DtmfBody, MarkBody, MediaBody, MediaFormat, Message, StartBody, StopBody,
};
