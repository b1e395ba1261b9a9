//! How an AudioHook client session fails, and how it ends when it does not.

use crate::audiohook::messages::MessageError;

/// A client-side failure.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Unusable settings (URL, header values); the text says which.
    #[error("invalid AudioHook configuration: {0}")]
    Config(String),
    /// TCP, TLS or the WebSocket handshake failed.
    #[error("cannot connect to the AudioHook server: {0}")]
    Connect(String),
    /// The trusted roots are unusable, or the server's certificate was refused.
    #[error("AudioHook server TLS: {0}")]
    Tls(#[from] crate::tls::TlsError),
    /// The proxy refused, broke or did not answer the tunnel to the server.
    #[error("AudioHook server: {0}")]
    Proxy(#[from] crate::proxy::ProxyError),
    /// The server answered the upgrade with this HTTP status.
    #[error("AudioHook server refused the upgrade with HTTP {0}")]
    Rejected(u16),
    /// No `opened` within `open_timeout`.
    #[error("timed out waiting for opened")]
    OpenTimeout,
    /// `disconnect{reason:"unauthorized"}`: wrong API key or signature.
    #[error("AudioHook server refused the session as unauthorized: {0}")]
    Unauthorized(String),
    /// `opened` selected none of the offered media.
    #[error("AudioHook server selected no media")]
    NoMediaSelected,
    /// `disconnect{reason:"error"}`, with the server's info.
    #[error("AudioHook server disconnected with an error: {0}")]
    ServerError(String),
    /// The server broke the protocol (unexpected or oversized message, wrong ids).
    #[error("AudioHook protocol violation by the server: {0}")]
    Protocol(String),
    /// A server text message that does not parse.
    #[error("invalid message from the AudioHook server: {0}")]
    Message(#[from] MessageError),
    /// A `ping` went unanswered.
    #[error("timed out waiting for pong")]
    PongTimeout,
    /// No `closed` within `close_timeout`.
    #[error("timed out waiting for closed")]
    CloseTimeout,
    /// The WebSocket dropped without a close transaction.
    #[error("AudioHook connection lost: {0}")]
    ConnectionLost(String),
    /// The server took no bytes for this long (`write_stall_timeout`).
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
    ConsumerClosed {
        /// The `disconnect` message's `info`, if any.
        info: Option<String>,
    },
}
