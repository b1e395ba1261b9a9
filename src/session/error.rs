//! Why a session could not start or an event wait ended.

use std::time::Duration;

use super::settings::SettingError;
use crate::auth::AuthError;
use crate::socketio::SocketIoError;

/// Why a session could not start or an event wait ended.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// A setting was refused, or one the session needs is missing.
    #[error("{0}")]
    Settings(#[from] SettingError),
    /// The token provider could not be made from the credentials.
    #[error("token provider: {0}")]
    Auth(AuthError),
    /// The token, the connection or the namespace failed.
    #[error("signalling: {0}")]
    Signalling(#[from] SocketIoError),
    /// The start was cancelled ([`StartCancel::cancel`](super::StartCancel::cancel), e.g.
    /// the session was closed while connecting).
    #[error("the session was closed while starting")]
    Cancelled,
    /// `next_event` waited this long for nothing.
    #[error("no session event within {0:?}")]
    Timeout(Duration),
}
