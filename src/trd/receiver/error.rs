//! Errors of starting the receiver and acknowledging deliveries.

use std::io;
use std::path::PathBuf;

/// Why the receiver could not start, or an acknowledgement failed.
#[derive(Debug, thiserror::Error)]
pub enum ReceiverError {
    #[error("cannot bind the webhook listener to {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: io::Error,
    },
    #[error("cannot generate a self-signed certificate: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("invalid TLS certificate or key: {0}")]
    Tls(String),
    #[error("spool {path}: {source}")]
    Spool { path: PathBuf, source: io::Error },
}

impl ReceiverError {
    pub(crate) fn spool(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> ReceiverError {
        let path = path.into();
        move |source| ReceiverError::Spool { path, source }
    }
}
