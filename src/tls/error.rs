//! How trusting or checking a server certificate fails, and how to find that failure inside
//! the error of an HTTP or WebSocket client.

use std::error::Error as StdError;
use std::path::PathBuf;

/// A TLS setting that cannot be used, or a server certificate that was refused.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The text is not valid PEM.
    #[error("extra root certificates: invalid PEM: {0}")]
    Pem(String),
    /// Valid PEM without a `CERTIFICATE` block.
    #[error("extra root certificates: the PEM holds no certificate")]
    NoCertificate,
    /// A certificate rustls cannot use as a root.
    #[error("extra root certificates: rejected by rustls: {0}")]
    Rejected(#[from] rustls::Error),
    /// A trusted-roots name other than `bundled`, `system` or `both`.
    #[error("trusted roots must be bundled, system or both, not {0:?}")]
    UnknownPolicy(String),
    /// `SSL_CERT_FILE` or `SSL_CERT_DIR` names something that holds no readable certificate.
    #[error("{variable}={}: no certificate could be read: {message}", path.display())]
    CertEnv {
        /// The variable.
        variable: &'static str,
        /// Its value.
        path: PathBuf,
        /// Why reading failed.
        message: String,
    },
    /// The policy left no root to trust.
    #[error("no trusted roots (consulted: {0})")]
    NoRoots(super::RootsConsulted),
    /// The server's certificate chains to no trusted root.
    #[error(transparent)]
    UnknownIssuer(#[from] UnknownIssuer),
    /// The server's certificate was refused for another reason (expired, wrong name, ...).
    #[error("server certificate refused: {0}")]
    Certificate(rustls::CertificateError),
}

/// A server certificate whose issuer is none of the trusted roots: the usual sign of a
/// private CA or a TLS-inspecting proxy whose root this client was not given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "server certificate issued by \"{issuer}\", which is not a trusted root \
     (roots consulted: {consulted}); trust it with an extra PEM root, SSL_CERT_FILE or the \
     system store"
)]
pub struct UnknownIssuer {
    /// The issuer's distinguished name, e.g. `CN=Corp Inspection CA, O=Corp`.
    pub issuer: String,
    /// The root sets the client consulted, with their sizes.
    pub consulted: String,
}

impl TlsError {
    /// The certificate refusal somewhere in `error`'s chain (a reqwest, hyper, tungstenite or
    /// I/O error wrapping rustls), if that is why the connection failed.
    pub fn find_in(error: &(dyn StdError + 'static)) -> Option<TlsError> {
        let mut next = Some(error);
        while let Some(error) = next {
            if let Some(found) = certificate_error(error) {
                return Some(found);
            }
            // `io::Error::source` skips the error it wraps (often another `io::Error`).
            next = match error.downcast_ref::<std::io::Error>() {
                Some(io) => io.get_ref().map(|inner| inner as _),
                None => error.source(),
            };
        }
        None
    }
}

fn certificate_error(error: &(dyn StdError + 'static)) -> Option<TlsError> {
    let rustls::Error::InvalidCertificate(refusal) = error.downcast_ref::<rustls::Error>()? else {
        return None;
    };
    if let rustls::CertificateError::Other(other) = refusal {
        if let Some(unknown) = other.0.downcast_ref::<UnknownIssuer>() {
            return Some(TlsError::UnknownIssuer(unknown.clone()));
        }
    }
    Some(TlsError::Certificate(refusal.clone()))
}
