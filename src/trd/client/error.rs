//! Errors of TRD REST calls, one variant per documented HTTP status.

use std::time::Duration;

/// A failed call to TRD (or to the license server).
#[derive(Debug, thiserror::Error)]
pub enum TrdError {
    /// 400: the request is malformed.
    #[error("TRD rejected the request (400): {body}")]
    BadRequest {
        /// The server's answer (at most 1 KiB).
        body: String,
    },
    /// 401: the token or the license credentials were refused.
    #[error("unauthorized (401): check the token or license credentials")]
    Unauthorized {
        /// The server's answer (at most 1 KiB).
        body: String,
    },
    /// 403: the credentials lack access.
    #[error("access denied (403): {body}")]
    Forbidden {
        /// The server's answer (at most 1 KiB).
        body: String,
    },
    /// 413: the media is too long or the minute quota is spent.
    #[error("media too long or minute quota exceeded (413): {body}")]
    PayloadTooLarge {
        /// The server's answer (at most 1 KiB).
        body: String,
    },
    /// 422: a field failed validation; the body says which.
    #[error("validation error (422): {body}")]
    Validation {
        /// The server's answer (at most 1 KiB).
        body: String,
    },
    /// 429: rate limited.
    #[error("too many requests (429), retry after {retry_after:?}")]
    TooManyRequests {
        /// The `Retry-After` header, if sent.
        retry_after: Option<Duration>,
        /// The server's answer (at most 1 KiB).
        body: String,
    },
    /// 503: the server is busy.
    #[error("server busy (503), retry after {retry_after:?}")]
    Unavailable {
        /// The `Retry-After` header, if sent.
        retry_after: Option<Duration>,
        /// The server's answer (at most 1 KiB).
        body: String,
    },
    /// Any other non-success status.
    #[error("unexpected HTTP status {status}: {body}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The server's answer (at most 1 KiB).
        body: String,
    },
    /// No answer within the client's timeout.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The connection could not be made.
    #[error("cannot reach {url}: {message}")]
    Connect {
        /// The URL requested.
        url: String,
        /// The connection error.
        message: String,
    },
    /// The trusted roots are unusable, or the server's certificate was refused.
    #[error("TLS: {0}")]
    Tls(#[from] crate::tls::TlsError),
    /// Another HTTP client failure (building the client, reading the body).
    #[error("HTTP error: {0}")]
    Http(String),
    /// A success status with a body that is not what TRD documents.
    #[error("unexpected response: {0}")]
    InvalidResponse(String),
    /// The base URL is not `http://` or `https://`.
    #[error("invalid TRD base URL `{0}`")]
    InvalidBaseUrl(String),
    /// Fetching the license-server token failed; the inner error says how.
    #[error("license server: {0}")]
    TokenServer(Box<TrdError>),
    /// `webhook/validate` answered `reachable: false`.
    #[error("TRD cannot reach the webhook at {url}")]
    NotReachable {
        /// The webhook URL TRD tried.
        url: String,
    },
    /// The webhook receiver could not start.
    #[cfg(feature = "receiver")]
    #[error(transparent)]
    Receiver(#[from] crate::trd::ReceiverError),
}

impl TrdError {
    /// The TLS failure (refused certificate, unusable roots) behind this error, if any, also
    /// when it happened at the license server.
    pub fn tls(&self) -> Option<&crate::tls::TlsError> {
        match self {
            TrdError::Tls(tls) => Some(tls),
            TrdError::TokenServer(inner) => inner.tls(),
            _ => None,
        }
    }
}

/// Longest part of an error body kept in a [`TrdError`].
const MAX_BODY: usize = 1024;

pub(crate) fn truncated(body: String) -> String {
    if body.len() <= MAX_BODY {
        return body;
    }
    let mut end = MAX_BODY;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &body[..end])
}

/// Maps a non-success status to its error.
pub(crate) fn from_status(status: u16, retry_after: Option<Duration>, body: String) -> TrdError {
    let body = truncated(body);
    match status {
        400 => TrdError::BadRequest { body },
        401 => TrdError::Unauthorized { body },
        403 => TrdError::Forbidden { body },
        413 => TrdError::PayloadTooLarge { body },
        422 => TrdError::Validation { body },
        429 => TrdError::TooManyRequests { retry_after, body },
        503 => TrdError::Unavailable { retry_after, body },
        status => TrdError::Status { status, body },
    }
}

/// `Retry-After` in delta-seconds form; the HTTP-date form is not used by TRD's stack and yields
/// `None`.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

pub(crate) fn from_reqwest(error: reqwest::Error, timeout: Duration) -> TrdError {
    if let Some(refused) = crate::tls::TlsError::find_in(&error) {
        TrdError::Tls(refused)
    } else if error.is_timeout() {
        TrdError::Timeout(timeout)
    } else if error.is_connect() {
        TrdError::Connect {
            url: error.url().map(|u| u.to_string()).unwrap_or_default(),
            message: std::error::Error::source(&error)
                .map_or_else(|| error.to_string(), |s| s.to_string()),
        }
    } else {
        TrdError::Http(error.to_string())
    }
}
