//! Errors of TRD REST calls, one variant per documented HTTP status, plus the client's own
//! failures (unreadable upload, failed job, wait timeout). [`TrdError::kind`] classifies them
//! once for every surface (C result codes, Python exceptions, CLI exit codes).

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use crate::capped_body::{read_capped, BodyError};
use crate::trd::JobStatus;

/// A failed call to TRD (or to the license server).
#[derive(Debug, thiserror::Error)]
pub enum TrdError {
    /// 400: the request is malformed.
    #[error("TRD rejected the request (400): {}", detail(.body))]
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
    #[error("access denied (403): {}", detail(.body))]
    Forbidden {
        /// The server's answer (at most 1 KiB).
        body: String,
    },
    /// 404: no such job.
    #[error("not found (404): {}", detail(.body))]
    NotFound {
        /// The server's answer (at most 1 KiB).
        body: String,
    },
    /// 413: the media is too long or the minute quota is spent.
    #[error("media too long or minute quota exceeded (413): {}", detail(.body))]
    PayloadTooLarge {
        /// The server's answer (at most 1 KiB).
        body: String,
    },
    /// 422: a field failed validation; [`TrdError::detail`] says which.
    #[error("validation error (422): {}", detail(.body))]
    Validation {
        /// The server's answer (at most 1 KiB).
        body: String,
    },
    /// 429: rate limited (after every retry).
    #[error("too many requests (429){}: {}", retry_text(.retry_after), detail(.body))]
    TooManyRequests {
        /// The `Retry-After` header, if sent.
        retry_after: Option<Duration>,
        /// The server's answer (at most 1 KiB).
        body: String,
    },
    /// 503: the server is busy (after every retry).
    #[error("server busy (503){}: {}", retry_text(.retry_after), detail(.body))]
    Unavailable {
        /// The `Retry-After` header, if sent.
        retry_after: Option<Duration>,
        /// The server's answer (at most 1 KiB).
        body: String,
    },
    /// Any other non-success status.
    #[error("unexpected HTTP status {status}: {}", detail(.body))]
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
    /// The proxy refused the request (status named).
    #[error(transparent)]
    Proxy(#[from] crate::proxy::ProxyError),
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
    /// The recording to upload cannot be read (missing, not a regular file, unreadable).
    #[error("cannot read {}: {source}", .path.display())]
    File {
        /// The recording's path.
        path: PathBuf,
        /// Why it cannot be read.
        source: std::io::Error,
    },
    /// The recording to upload is empty.
    #[error("{} is empty: there is no audio to upload", .path.display())]
    EmptyFile {
        /// The recording's path.
        path: PathBuf,
    },
    /// A `config` item is neither `key=value` items nor a JSON object.
    #[error("invalid job config: {0}")]
    InvalidConfig(String),
    /// The webhook token given to `webhook/validate` is empty (an unset setting, most often):
    /// registered, it would match bodies with `"token": ""`.
    #[error("the webhook token is empty: give a token, or none")]
    EmptyToken,
    /// The bearer token is empty (an unset setting, most often): every request would be
    /// refused 401 after a round trip. No token at all is [`Credentials::None`](super::Credentials::None).
    #[error("the bearer token is empty: give a token, or no bearer for no Authorization header")]
    EmptyBearer,
    /// A job id that is not 1-100 URL-safe characters (checked before any request).
    #[error("invalid job id `{0}`: expected 1-100 characters of A-Z a-z 0-9 . _ ~ -")]
    InvalidJobId(String),
    /// The job ended `FAILED`.
    #[error("job {job_id} failed: {reason}")]
    JobFailed {
        /// The job's id.
        job_id: String,
        /// Its `failure_reason`.
        reason: String,
    },
    /// `transcribe` got no result within its timeout.
    #[error(
        "job {job_id} has no result after {waited:?}{}{}",
        last_status.as_ref().map(|s| format!(" (last status {s})")).unwrap_or_default(),
        if *.stopped { " (stopped)" } else { "" }
    )]
    WaitTimeout {
        /// The job's id.
        job_id: String,
        /// How long `transcribe` waited.
        waited: Duration,
        /// Whether `job/stop` was sent because the wait ran out.
        stopped: bool,
        /// The job's status at the last poll (`None` when no poll answered): one TRD does not
        /// document (`Other`) is polled like `IN_PROGRESS`, until the timeout.
        last_status: Option<JobStatus>,
    },
    /// A failure after `transcribe` created the job: the job exists at TRD under `job_id`
    /// (its status or result may be fetched again later); the inner error says what failed.
    #[error("job {job_id}: {source}")]
    InJob {
        /// The created job's id.
        job_id: String,
        /// What failed.
        source: Box<TrdError>,
    },
    /// The webhook receiver could not start or store a delivery.
    #[cfg(feature = "receiver")]
    #[error(transparent)]
    Receiver(#[from] crate::trd::ReceiverError),
}

/// What kind of failure a [`TrdError`] is; every surface maps these, not the variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrdErrorKind {
    /// Credentials or token refused (401/403, or by the license server).
    Auth,
    /// TRD refused the request itself: invalid (400/422), media too long or quota (413).
    Rejected,
    /// No such job (404).
    NotFound,
    /// TRD stayed busy or rate-limited (429/503) through every retry, or its server or gateway
    /// failed (500, 502, 504: the failures [`TrdError::is_transient`] names, worth a later try).
    Busy,
    /// No answer, or no result, in time.
    Timeout,
    /// TRD (or the license server) could not be reached.
    Network,
    /// The server's certificate was refused, or the trusted roots are unusable.
    Tls,
    /// The proxy refused the request (407, 403, 5xx).
    Proxy,
    /// An argument of the call is unusable (base URL, missing or empty file).
    InvalidInput,
    /// The job ended `FAILED`.
    JobFailed,
    /// TRD cannot reach the webhook.
    NotReachable,
    /// TRD answered something that is not the documented shape.
    Protocol,
    /// The webhook receiver could not start or store a delivery.
    Receiver,
}

/// A status the server or a gateway in front of it answers when it fails at its end (internal
/// error, bad gateway, gateway timeout); 503 has its own variant.
fn is_server_failure(status: u16) -> bool {
    matches!(status, 500 | 502 | 504)
}

impl TrdError {
    /// The class of this error (a license-server failure is classified by its cause).
    pub fn kind(&self) -> TrdErrorKind {
        match self {
            TrdError::TokenServer(cause) => match cause.kind() {
                TrdErrorKind::Rejected | TrdErrorKind::NotFound => TrdErrorKind::Auth,
                other => other,
            },
            TrdError::Unauthorized { .. } | TrdError::Forbidden { .. } => TrdErrorKind::Auth,
            TrdError::BadRequest { .. }
            | TrdError::PayloadTooLarge { .. }
            | TrdError::Validation { .. } => TrdErrorKind::Rejected,
            TrdError::NotFound { .. } => TrdErrorKind::NotFound,
            TrdError::TooManyRequests { .. } | TrdError::Unavailable { .. } => TrdErrorKind::Busy,
            TrdError::Timeout(_) | TrdError::WaitTimeout { .. } => TrdErrorKind::Timeout,
            TrdError::Connect { .. } | TrdError::Http(_) => TrdErrorKind::Network,
            TrdError::Tls(_) => TrdErrorKind::Tls,
            TrdError::Proxy(e) if e.is_timeout() => TrdErrorKind::Timeout,
            TrdError::Proxy(_) => TrdErrorKind::Proxy,
            TrdError::InvalidBaseUrl(_)
            | TrdError::File { .. }
            | TrdError::EmptyFile { .. }
            | TrdError::InvalidConfig(_)
            | TrdError::EmptyToken
            | TrdError::EmptyBearer
            | TrdError::InvalidJobId(_) => TrdErrorKind::InvalidInput,
            TrdError::JobFailed { .. } => TrdErrorKind::JobFailed,
            TrdError::NotReachable { .. } => TrdErrorKind::NotReachable,
            TrdError::Status { status, .. } if is_server_failure(*status) => TrdErrorKind::Busy,
            TrdError::Status { .. } | TrdError::InvalidResponse(_) => TrdErrorKind::Protocol,
            TrdError::InJob { source, .. } => source.kind(),
            #[cfg(feature = "receiver")]
            TrdError::Receiver(_) => TrdErrorKind::Receiver,
        }
    }

    /// The error itself, or for [`TrdError::InJob`] the failure it wraps.
    pub fn underlying(&self) -> &TrdError {
        match self {
            TrdError::InJob { source, .. } => source.underlying(),
            other => other,
        }
    }

    /// The job this failure leaves behind at TRD, when one was created.
    pub fn job_id(&self) -> Option<&str> {
        match self {
            TrdError::InJob { job_id, .. }
            | TrdError::JobFailed { job_id, .. }
            | TrdError::WaitTimeout { job_id, .. } => Some(job_id),
            _ => None,
        }
    }

    /// Whether the same request may well succeed if sent again: the server busy (429, 503)
    /// or failing at its gateway (500, 502, 504), no answer in time, a broken connection.
    pub fn is_transient(&self) -> bool {
        match self.underlying() {
            TrdError::Status { status, .. } => is_server_failure(*status),
            TrdError::Timeout(_)
            | TrdError::Connect { .. }
            | TrdError::Http(_)
            | TrdError::TooManyRequests { .. }
            | TrdError::Unavailable { .. } => true,
            _ => false,
        }
    }

    /// The HTTP status TRD answered, for errors that are an answer.
    pub fn http_status(&self) -> Option<u16> {
        Some(match self.underlying() {
            TrdError::BadRequest { .. } => 400,
            TrdError::Unauthorized { .. } => 401,
            TrdError::Forbidden { .. } => 403,
            TrdError::NotFound { .. } => 404,
            TrdError::PayloadTooLarge { .. } => 413,
            TrdError::Validation { .. } => 422,
            TrdError::TooManyRequests { .. } => 429,
            TrdError::Unavailable { .. } => 503,
            TrdError::Status { status, .. } => *status,
            TrdError::TokenServer(cause) => return cause.http_status(),
            _ => return None,
        })
    }

    /// The server's explanation of an HTTP error: FastAPI's `detail` (a string, or the
    /// `loc: msg` of each validation problem), else the body as received.
    pub fn detail(&self) -> Option<String> {
        match self.underlying() {
            TrdError::BadRequest { body }
            | TrdError::Unauthorized { body }
            | TrdError::Forbidden { body }
            | TrdError::NotFound { body }
            | TrdError::PayloadTooLarge { body }
            | TrdError::Validation { body }
            | TrdError::TooManyRequests { body, .. }
            | TrdError::Unavailable { body, .. }
            | TrdError::Status { body, .. } => Some(detail(body)),
            TrdError::TokenServer(cause) => cause.detail(),
            _ => None,
        }
    }

    /// The TLS failure (refused certificate, unusable roots) behind this error, if any, also
    /// when it happened at the license server.
    pub fn tls(&self) -> Option<&crate::tls::TlsError> {
        match self.underlying() {
            TrdError::Tls(tls) => Some(tls),
            TrdError::TokenServer(inner) => inner.tls(),
            _ => None,
        }
    }

    /// The `Retry-After` TRD asked for (429/503).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            TrdError::TooManyRequests { retry_after, .. }
            | TrdError::Unavailable { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// `, retry after N s` when the server said when to retry, else nothing.
fn retry_text(retry_after: &Option<Duration>) -> String {
    retry_after.map_or_else(String::new, |wait| {
        format!(", retry after {} s", wait.as_secs_f64())
    })
}

/// FastAPI answers errors as `{"detail": "text"}`, and validation errors as
/// `{"detail": [{"loc": [...], "msg": "...", ...}]}`; anything else is shown as received.
pub(crate) fn detail(body: &str) -> String {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(body) else {
        return body.trim().to_owned();
    };
    match map.get("detail") {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(problems)) => problems
            .iter()
            .map(|problem| {
                let location = problem["loc"]
                    .as_array()
                    .map(|parts| {
                        parts
                            .iter()
                            .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
                            .collect::<Vec<_>>()
                            .join(".")
                    })
                    .unwrap_or_default();
                let message = problem["msg"].as_str().unwrap_or("invalid");
                if location.is_empty() {
                    message.to_owned()
                } else {
                    format!("{location}: {message}")
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
        Some(other) => other.to_string(),
        None => body.trim().to_owned(),
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
        404 => TrdError::NotFound { body },
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

/// The body of `response` as text, at most `limit` bytes (else [`TrdError::InvalidResponse`]).
pub(crate) async fn read_text(
    response: reqwest::Response,
    limit: usize,
    timeout: Duration,
) -> Result<String, TrdError> {
    match read_capped(response, limit).await {
        Ok(body) => Ok(String::from_utf8_lossy(&body).into_owned()),
        Err(BodyError::Http(error)) => Err(from_reqwest(error, timeout)),
        Err(too_large) => Err(TrdError::InvalidResponse(too_large.describe())),
    }
}

/// The failure of a request that got no answer: a proxy's refusal (read again by
/// [`ProxySetting::failure`](crate::proxy::ProxySetting)), else as [`from_reqwest`].
pub(crate) async fn unanswered(
    error: reqwest::Error,
    proxy: &crate::proxy::ProxySetting,
    tls: &std::sync::Arc<rustls::ClientConfig>,
    timeout: Duration,
) -> TrdError {
    let refused = match error.url() {
        Some(url) => proxy.failure(url, Err(&error), timeout, tls).await,
        None => None,
    };
    match refused {
        Some(refused) => TrdError::Proxy(refused),
        None => from_reqwest(error, timeout),
    }
}

/// The proxy's refusal, when `status` came from the proxy rather than the server (407).
pub(crate) async fn proxy_answer(
    url: &str,
    status: u16,
    proxy: &crate::proxy::ProxySetting,
    tls: &std::sync::Arc<rustls::ClientConfig>,
) -> Option<TrdError> {
    let url = url::Url::parse(url).ok()?;
    let refused = proxy.failure(&url, Ok(status), Duration::ZERO, tls).await?;
    Some(TrdError::Proxy(refused))
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
    } else if let Some(framing) = broken_framing(&error) {
        TrdError::InvalidResponse(format!("the answer's HTTP framing is broken: {framing}"))
    } else {
        TrdError::Http(with_cause(&error))
    }
}

/// The peer's own HTTP error in a body (a chunk size that is not hex), which hyper reports as
/// invalid input or data. A body cut short is `UnexpectedEof`: the connection's failure, not
/// the peer's protocol; so is a TLS failure mid-answer, which tokio-rustls also reports as
/// invalid data.
fn broken_framing(error: &reqwest::Error) -> Option<String> {
    causes(error)
        .filter_map(|cause| cause.downcast_ref::<std::io::Error>())
        .find(|io| {
            matches!(
                io.kind(),
                std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData
            ) && !io
                .get_ref()
                .is_some_and(|inner| inner.is::<rustls::Error>())
        })
        .map(ToString::to_string)
}

/// reqwest's words and the innermost cause ("error decoding response body" says nothing alone).
fn with_cause(error: &reqwest::Error) -> String {
    match causes(error).skip(1).last() {
        Some(cause) => format!("{error}: {cause}"),
        None => error.to_string(),
    }
}

fn causes<'e>(
    error: &'e (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'e (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(error), |cause| cause.source())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_answers_say_when_to_retry_only_when_told() {
        let told = TrdError::Unavailable {
            retry_after: Some(Duration::from_secs(2)),
            body: "{\"detail\":\"ocupado\"}".into(),
        };
        assert_eq!(
            told.to_string(),
            "server busy (503), retry after 2 s: ocupado"
        );
        let untold = TrdError::TooManyRequests {
            retry_after: None,
            body: String::new(),
        };
        assert_eq!(untold.to_string(), "too many requests (429): ");
    }

    #[test]
    fn a_failure_after_the_job_was_created_names_it_and_keeps_its_class() {
        let gateway = TrdError::Status {
            status: 502,
            body: "<html>Bad Gateway</html>".into(),
        };
        assert!(gateway.is_transient());
        let in_job = TrdError::InJob {
            job_id: "65f0c0ffee".into(),
            source: Box::new(gateway),
        };
        assert_eq!(in_job.job_id(), Some("65f0c0ffee"));
        assert_eq!(
            (in_job.kind(), in_job.http_status()),
            (TrdErrorKind::Busy, Some(502))
        );
        assert!(in_job
            .to_string()
            .starts_with("job 65f0c0ffee: unexpected HTTP status 502"));
        let refused = TrdError::Status {
            status: 400,
            body: String::new(),
        };
        assert!(!refused.is_transient());
    }

    #[test]
    fn fastapi_details_are_read() {
        assert_eq!(
            detail(r#"{"detail": "job x not found"}"#),
            "job x not found"
        );
        let validation = r#"{"detail": [{"loc": ["body", "upload_file"], "msg": "Field required", "type": "missing"}, {"loc": ["query", "page", 0], "msg": "bad"}]}"#;
        assert_eq!(
            detail(validation),
            "body.upload_file: Field required; query.page.0: bad"
        );
        assert_eq!(detail("plain text\n"), "plain text");
        let error = from_status(422, None, validation.to_owned());
        assert!(error
            .to_string()
            .contains("body.upload_file: Field required"));
        assert_eq!(error.kind(), TrdErrorKind::Rejected);
        assert_eq!(error.http_status(), Some(422));
    }
}
