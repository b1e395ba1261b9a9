//! Genesys AudioHook (Monitor) over WebSocket: messages, durations, request signatures,
//! and both ends of a session: the client that streams call audio and the server that
//! receives it.

pub mod client;
pub mod duration;
pub mod messages;
pub mod secret;
#[cfg(feature = "audiohook-server")]
pub mod server;
pub mod signature;
