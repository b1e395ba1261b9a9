//! das-Peak Streaming sessions: register or verify a speaker over Socket.IO signalling
//! (`initialize` → `info-consumer-ready` → `info-vad-status`… → `result-*`), with typed events
//! on one ordered queue and a bounded buffer for audio pushed before the consumer is ready.

mod audio;
mod builder;
mod event;
mod running;

pub use audio::AudioError;
pub use builder::{Metadata, RegisterSession, SessionBuilder, SessionKind, VerifySession};
pub use event::Event;
pub use running::{Session, SessionError};
