//! Session settings: each checked when set, the one source of the `initialize` payload and of
//! a redacted description. `SessionBuilder` is their fluent face for Rust; the C API and the
//! Python binding fill them through the same setters.

mod audio;
mod describe;
mod error;
mod model;
mod payload;
mod resolve;
mod secret;
mod set;

pub use audio::{AudioProtocol, SAMPLE_RATE_RANGE};
pub use error::SettingError;
pub use model::{
    SessionSettings, TimeoutKind, AUDIO_BUFFER_RANGE, EVENT_CAPACITY_RANGE,
    MAX_AUDIO_TOTAL_DURATION, MAX_TIMEOUT,
};
