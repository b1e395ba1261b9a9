//! Per-session audio analysis: real voice-activity detection (earshot) plus two *emulated*
//! biometric outputs, a voiceprint credential and a liveness ("authenticity") score.
//! The emulated parts are deterministic signal statistics, not biometrics.

mod analyzer;
mod authenticity;
mod segments;
mod spectrum;
mod upsample;
mod voiceprint;

pub use analyzer::VoiceAnalyzer;
pub use segments::speech_segments;
pub use voiceprint::{CredentialError, Voiceprint};
