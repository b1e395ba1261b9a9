//! A local das-Peak Streaming + CPqD TRD service for offline development and tests.
//!
//! One port serves the OAuth2 token endpoint, Socket.IO signalling
//! (`/socket.io/register`, `/socket.io/verify`), the Twilio Media Streams audio consumer
//! (`/twilio/ws`) with real voice-activity detection (earshot), fault injection, and the
//! CPqD TRD v3 job and webhook endpoints (`/trd/v3`). [`EmulatorHandle::description`] lists
//! them with the accepted credentials; `das emulator --json` prints that for other programs.
//!
//! **Emulation, not biometrics**: the credential is a log-mel spectral summary and the
//! `authenticity` a spectral-flatness/clipping proxy. They are deterministic and tell the
//! committed sample voices apart, nothing more.
//!
//! ```no_run
//! # async fn demo() -> Result<(), das_emulator::EmulatorError> {
//! let emulator = das_emulator::Emulator::start(Default::default()).await?;
//! println!("token: {}  socket.io: {}", emulator.token_url(), emulator.socketio_url());
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

mod admin;
mod analysis;
mod auth;
mod config;
mod consumers;
mod description;
mod faults;
mod pyjson;
mod server;
mod session;
mod signalling;
mod state;
mod timing;
pub mod tls_front;
mod trd;

pub use analysis::{speech_segments, CredentialError, VoiceAnalyzer, Voiceprint};
pub use config::{
    AudiohookConfig, ClientCredentials, EmulatorConfig, PayloadEncoding, TrdConfig, VadChannel,
    VadConfig, VadDetector, VerifyConfig, DEMO_AUDIOHOOK_API_KEY, DEMO_AUDIOHOOK_CLIENT_SECRET,
    DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TRD_LICENSE_PASSWORD, DEMO_TRD_LICENSE_USER,
    DEMO_TRD_TOKEN, ENERGY_VOICED_DBFS,
};
pub use consumers::BadAudiohookKey;
pub use description::EmulatorDescription;
pub use faults::{AudiohookPause, Faults, TrdReject};
pub use pyjson::python_json;
pub use server::{ConsumerContext, Emulator, EmulatorError, EmulatorHandle};
pub use session::{
    AttachError, AudioFeed, AudioFormat, AudioProtocol, FeedClosed, RegisterError, SessionKind,
    SessionRegistry, SessionSpec, VerifyTarget,
};
pub use signalling::{parse_initialize, InitializeError};
pub use state::FaultSwitch;
pub use timing::TimingLogError;
