//! libdas: a client SDK for Veridas das-Peak Streaming (real-time voice biometrics over
//! Socket.IO signalling plus an AudioHook or Twilio audio channel) and for CPqD TRD
//! transcription results delivered by webhook.
//!
//! The crate is pure Rust; the C ABI lives in `bindings/c` and the Python wheel in `python/`.
//!
//! Where to start:
//! - a das-Peak Streaming session: [`session::RegisterSession`] / [`session::VerifySession`],
//!   which fetch a token ([`auth::TokenProvider`]), connect Socket.IO ([`socketio::Client`])
//!   and stream audio on a [`channel::AudioChannel`] (AudioHook or Twilio);
//! - Genesys AudioHook on its own: [`audiohook::client`] and the [`audiohook`] server;
//! - a TRD result: [`trd::parse_webhook`], [`trd::WebhookReceiver`], [`trd::TrdClient`].
//!
//! The guides (one per surface and per protocol) are in the repository's `docs/` folder.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod audio;
pub mod audiohook;
pub mod auth;
mod capped_body;
pub mod channel;
mod deadline;
mod lazy_deadline;
pub mod listen;
pub mod log_line;
pub mod proxy;
mod redirects;
pub mod runtime;
#[cfg(any(feature = "receiver", feature = "audiohook-server"))]
pub mod serve;
pub mod session;
mod sized_queue;
pub mod socketio;
pub mod tls;
pub mod trd;
mod try_lock;
pub mod twilio;
mod ws_connect;
mod ws_read_gate;
mod ws_write;
