//! Sessions: what a valid `initialize` asked for, the registry that joins a signalling
//! session to its audio channel by `call_id`, and the task that turns audio into events.

mod events;
mod feed;
mod registry;
mod runner;
mod spec;

pub use feed::{AudioFeed, FeedClosed};
pub use registry::{AttachError, RegisterError, SessionRegistry};
pub use spec::{AudioFormat, AudioProtocol, SessionKind, SessionSpec, VerifyTarget};

pub(crate) use events::Event;
pub(crate) use runner::{run_session, RunSettings};
