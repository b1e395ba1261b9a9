//! How going through a proxy fails (beyond the proxy being unreachable, which stays the I/O
//! error it is), and how to find that failure inside a client's error.

use std::error::Error as StdError;

/// A proxy setting that cannot be used, or a proxy that refused or broke the tunnel.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProxyError {
    /// The proxy URL does not parse (the message never shows its credentials).
    #[error("invalid proxy URL {0}")]
    InvalidUrl(String),
    /// The proxy answered the CONNECT with this non-2xx status (407: credentials missing or
    /// wrong; 403: target not allowed; 5xx: the proxy could not reach the target).
    #[error("proxy {proxy} refused the tunnel to {target} with HTTP {status}{}", reason_suffix(.reason))]
    Refused {
        /// The proxy, without credentials.
        proxy: String,
        /// `host:port` asked for.
        target: String,
        /// The status code.
        status: u16,
        /// The status line's reason phrase.
        reason: String,
    },
    /// A SOCKS5 proxy refused: it accepts none of the offered authentication methods, the
    /// credentials are wrong, or it answered the CONNECT with a failure (`reply`, RFC 1928's
    /// code: 2 not allowed by its rules, 4 host unreachable, 5 connection refused, …).
    #[error("proxy {proxy} refused the tunnel to {target}: {reason}")]
    SocksRefused {
        /// The proxy, without credentials.
        proxy: String,
        /// `host:port` asked for.
        target: String,
        /// The CONNECT reply code; `None` when authentication failed.
        reply: Option<u8>,
        /// What the refusal means.
        reason: String,
    },
    /// The proxy accepted the connection but sent no complete answer to the CONNECT in time.
    #[error("proxy {proxy} did not answer the CONNECT to {target} within {seconds:.1} s")]
    Timeout {
        /// The proxy, without credentials.
        proxy: String,
        /// `host:port` asked for.
        target: String,
        /// The wait, in seconds.
        seconds: f64,
    },
    /// The proxy's answer is not HTTP (or SOCKS5), or it closed the connection before
    /// answering.
    #[error("proxy {proxy} broke the CONNECT to {target}: {message}")]
    Protocol {
        /// The proxy, without credentials.
        proxy: String,
        /// `host:port` asked for.
        target: String,
        /// What was wrong.
        message: String,
    },
}

fn reason_suffix(reason: &str) -> String {
    if reason.is_empty() {
        String::new()
    } else {
        format!(" ({reason})")
    }
}

impl ProxyError {
    /// The HTTP status a proxy refused with, if that is the failure.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Refused { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether the proxy stayed silent: a timeout for every surface, not a refusal.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. })
    }

    /// The proxy failure somewhere in `error`'s chain (an I/O, tungstenite or reqwest error
    /// wrapping it), if that is why the connection failed.
    pub fn find_in(error: &(dyn StdError + 'static)) -> Option<ProxyError> {
        let mut next = Some(error);
        while let Some(error) = next {
            if let Some(found) = error.downcast_ref::<ProxyError>() {
                return Some(found.clone());
            }
            // `io::Error::source` skips the error it wraps.
            next = match error.downcast_ref::<std::io::Error>() {
                Some(io) => io.get_ref().map(|inner| inner as _),
                None => error.source(),
            };
        }
        None
    }

    pub(crate) fn into_io(self) -> std::io::Error {
        std::io::Error::other(self)
    }
}
