//! libdas: a client SDK for Veridas das-Peak Streaming (real-time voice biometrics over
//! Socket.IO signalling plus an AudioHook or Twilio audio channel) and for CPqD TRD
//! transcription results delivered by webhook.
//!
//! The crate is pure Rust; the C ABI lives in `bindings/c` and the Python wheel in `python/`.

pub mod audio;
pub mod audiohook;
pub mod auth;
mod capped_body;
pub mod channel;
pub mod listen;
#[cfg(any(feature = "receiver", feature = "audiohook-server"))]
pub mod serve;
pub mod session;
mod sized_queue;
pub mod socketio;
pub mod tls;
pub mod trd;
pub mod twilio;
mod ws_connect;
mod ws_write;
