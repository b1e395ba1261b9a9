//! Errors of starting the receiver and acknowledging deliveries.

use std::io;
use std::path::PathBuf;

/// Why the receiver could not start, or an acknowledgement failed.
#[derive(Debug, thiserror::Error)]
pub enum ReceiverError {
    /// The token every delivery must carry is empty (an unset setting, most often): bodies
    /// with `"token": ""` would pass. Give a token, or none to check no token.
    #[error("the webhook token is empty: give a token, or none to accept deliveries without one")]
    EmptyToken,
    /// The listening socket could not be opened.
    #[error("cannot bind the webhook listener to {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// The operating system's error.
        source: io::Error,
    },
    /// The self-signed certificate could not be made (bad host name).
    #[error("cannot generate a self-signed certificate: {0}")]
    Certificate(#[from] rcgen::Error),
    /// The PEM certificate chain or key is unusable.
    #[error("invalid TLS certificate or key: {0}")]
    Tls(String),
    /// Reading, writing or deleting a spool file failed.
    #[error("spool {path}: {source}")]
    Spool {
        /// The file or directory involved.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
}

impl ReceiverError {
    pub(crate) fn spool(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> ReceiverError {
        let path = path.into();
        move |source| ReceiverError::Spool { path, source }
    }
}
