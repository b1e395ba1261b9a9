//! libdas: a client SDK for Veridas das-Peak Streaming (real-time voice biometrics over
//! Socket.IO signalling plus an AudioHook or Twilio audio channel) and for CPqD TRD
//! transcription results delivered by webhook.
//!
//! The crate is pure Rust; the C ABI lives in `bindings/c` and the Python wheel in `python/`.

#![forbid(unsafe_code)]

pub mod audio;
pub mod audiohook;
pub mod auth;
pub mod channel;
pub mod listen;
pub mod session;
pub mod socketio;
pub mod tls;
pub mod trd;
pub mod twilio;
mod ws_connect;
mod ws_write;
