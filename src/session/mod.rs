//! das-Peak Streaming sessions: register or verify a speaker over Socket.IO signalling
//! (`initialize` → `info-consumer-ready` → `info-vad-status`… → `result-*`), with typed events
//! on one ordered queue and a bounded buffer for audio pushed before the consumer is ready.
//!
//! ```no_run
//! use std::time::Duration;
//! use das::{auth::TokenProvider, session::{Event, RegisterSession}};
//!
//! # async fn register() -> Result<(), Box<dyn std::error::Error>> {
//! let token = TokenProvider::client_credentials(
//!     "https://api.eu.veri-das.com/socket.io/oauth2/token", "CLIENT_ID", "CLIENT_SECRET").build()?;
//! let mut session = RegisterSession::builder("https://api.eu.veri-das.com/socket.io", token)
//!     .model_hash("<MODEL_HASH>")
//!     .start().await?;
//! while let Some(event) = session.next_event(Duration::from_secs(30)).await? {
//!     match event {
//!         Event::ConsumerReady { .. } => { /* start the audio channel with session.call_id() */ }
//!         Event::ResultSuccess { credential, .. } => { println!("{credential:?}"); break; }
//!         other => println!("{} {}", other.name(), other.data()),
//!     }
//! }
//! session.close().await;
//! # Ok(()) }
//! ```

mod argument;
mod audio;
mod builder;
mod cancel;
mod error;
mod event;
mod feeder;
mod kind;
mod metadata;
mod payload;
mod route;
mod running;
pub mod settings;
mod sink;
mod verdict;

pub use argument::Argument;
pub use audio::{AudioError, AudioSender};
pub use builder::{RegisterSession, SessionBuilder, VerifySession};
pub use cancel::StartCancel;
pub use error::SessionError;
pub use event::Event;
pub use kind::SessionKind;
pub use metadata::Metadata;
pub use running::Session;
pub use settings::{SessionSettings, SettingError};
pub use sink::EventSink;
pub use verdict::Verdict;
