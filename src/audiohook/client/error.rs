//! How an AudioHook client session fails, and how it ends when it does not.

use crate::audiohook::messages::MessageError;

/// A client-side failure.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("invalid AudioHook configuration: {0}")]
    Config(String),
    #[error("cannot connect to the AudioHook server: {0}")]
    Connect(String),
    #[error("AudioHook server refused the upgrade with HTTP {0}")]
    Rejected(u16),
    #[error("timed out waiting for opened")]
    OpenTimeout,
    #[error("AudioHook server refused the session as unauthorized: {0}")]
    Unauthorized(String),
    #[error("AudioHook server selected no media")]
    NoMediaSelected,
    #[error("AudioHook server disconnected with an error: {0}")]
    ServerError(String),
    #[error("AudioHook protocol violation by the server: {0}")]
    Protocol(String),
    #[error("invalid message from the AudioHook server: {0}")]
    Message(#[from] MessageError),
    #[error("timed out waiting for pong")]
    PongTimeout,
    #[error("timed out waiting for closed")]
    CloseTimeout,
    #[error("AudioHook connection lost: {0}")]
    ConnectionLost(String),
    #[error("the AudioHook server stopped reading: nothing could be written for {0:?}")]
    WriteStalled(std::time::Duration),
}

impl From<crate::ws_write::WriteFailure> for ClientError {
    fn from(failure: crate::ws_write::WriteFailure) -> Self {
        match failure {
            crate::ws_write::WriteFailure::Stalled(limit) => ClientError::WriteStalled(limit),
            crate::ws_write::WriteFailure::Ws(e) => ClientError::ConnectionLost(e.to_string()),
        }
    }
}

/// How a session that did not fail ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEnd {
    /// All pushed audio was sent and the close transaction (`end`) completed.
    Finished,
    /// The server sent `disconnect{reason:"completed"}` (it had enough audio) and the
    /// close transaction (`disconnect`) completed, or the server closed the WebSocket cleanly
    /// while audio was streaming. A normal end.
    ConsumerClosed { info: Option<String> },
}
