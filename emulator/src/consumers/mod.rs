//! Audio consumers: WebSocket endpoints that receive call audio and feed it to the
//! session with the same `call_id` through [`crate::SessionRegistry::attach`].

mod twilio;

pub(crate) use twilio::twilio_ws;
