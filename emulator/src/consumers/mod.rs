//! Audio consumers: WebSocket endpoints that receive call audio and feed it to the
//! session with the same `call_id` through [`crate::SessionRegistry::attach`].

mod audiohook;
mod stall;
mod twilio;

pub(crate) use audiohook::audiohook_router;
pub use audiohook::BadAudiohookKey;
pub(crate) use twilio::twilio_ws;
