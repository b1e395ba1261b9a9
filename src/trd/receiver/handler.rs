//! The webhook routes. Each delivery is checked in this order: path (400), size (413),
//! content type (415), room in the byte budget of bodies being read (503 + Retry-After), body
//! read within a deadline and at a minimum rate (408), JSON parse (400 with the parser's
//! message), token (401), path/body job id (400), queue room (503 + Retry-After), spool
//! write (500 on I/O failure); 200 only after the delivery is in the application's queue (and
//! on disk with a spool). Until the token is checked, a body only holds part of the budget.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use super::delivery::Delivery;
use super::seen::SeenDeliveries;
use super::spool::Spool;
use crate::trd::{check_token, parse_webhook};

/// Longest accepted path segment; keeps spool file names within file-system limits.
const MAX_SEGMENT_LEN: usize = 100;

/// Seconds TRD is told to wait when the application's queue is full.
const RETRY_AFTER_SECONDS: &str = "1";

pub(crate) struct ReceiverState {
    pub(crate) token: Option<String>,
    pub(crate) body_limit: usize,
    pub(crate) body_timeout: Duration,
    /// Bytes of bodies being read at once, across every connection.
    pub(crate) body_budget: Arc<Semaphore>,
    /// Bytes per second a body must average once [`RATE_GRACE`] has passed.
    pub(crate) min_body_rate: u32,
    pub(crate) queue: mpsc::Sender<Delivery>,
    pub(crate) spool: Option<Arc<Spool>>,
    pub(crate) seen: Arc<Mutex<SeenDeliveries>>,
}

pub(crate) fn router(state: Arc<ReceiverState>) -> Router {
    Router::new()
        .route("/{job_id}", post(root_delivery))
        .route("/{name}/{job_id}", post(named_delivery))
        .with_state(state)
}

async fn root_delivery(
    State(state): State<Arc<ReceiverState>>,
    Path(job_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    accept(&state, None, job_id, &headers, body).await
}

async fn named_delivery(
    State(state): State<Arc<ReceiverState>>,
    Path((name, job_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    accept(&state, Some(name), job_id, &headers, body).await
}

fn reject(status: StatusCode, message: impl Into<String>) -> Response {
    let message = message.into();
    tracing::warn!(status = status.as_u16(), %message, "webhook delivery rejected");
    (status, message).into_response()
}

async fn accept(
    state: &ReceiverState,
    name: Option<String>,
    job_id: String,
    headers: &HeaderMap,
    body: Body,
) -> Response {
    for segment in name.iter().chain(std::iter::once(&job_id)) {
        if !is_safe_segment(segment) {
            return reject(
                StatusCode::BAD_REQUEST,
                format!(
                    "path segment must be 1-{MAX_SEGMENT_LEN} characters of A-Z a-z 0-9 . _ ~ -, not starting with ."
                ),
            );
        }
    }
    let declared_length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared_length.is_some_and(|len| len > state.body_limit as u64) {
        return too_large(state.body_limit);
    }
    if !is_json(headers) {
        return reject(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/json",
        );
    }
    // A compressed body would reach the parser as bytes that are not JSON (a 400 that
    // blames the document): say what is not supported.
    if headers
        .get(header::CONTENT_ENCODING)
        .is_some_and(|encoding| !encoding.as_bytes().eq_ignore_ascii_case(b"identity"))
    {
        return reject(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Encoding is not supported: send the JSON body uncompressed",
        );
    }
    // Held until the delivery is answered: what an unauthenticated peer can make us hold.
    let (body, _held) = match read_body(body, state, declared_length).await {
        Err(BodyError::Busy) => return busy("receiver is reading too many bodies, retry later"),
        Err(BodyError::TimedOut) => {
            return reject(StatusCode::REQUEST_TIMEOUT, "body not received in time")
        }
        Err(BodyError::TooSlow) => {
            return reject(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "body arriving slower than {} bytes per second",
                    state.min_body_rate
                ),
            )
        }
        Err(BodyError::TooLarge) => return too_large(state.body_limit),
        Err(BodyError::Io(message)) => return reject(StatusCode::BAD_REQUEST, message),
        Ok(read) => read,
    };
    let result = match parse_webhook(&body) {
        Ok(result) => result,
        Err(error) => return reject(StatusCode::BAD_REQUEST, error.to_string()),
    };
    if let Some(expected) = &state.token {
        if check_token(result.token.as_deref(), expected).is_err() {
            return reject(StatusCode::UNAUTHORIZED, "missing or wrong token");
        }
    }
    if result.job.id != job_id {
        return reject(
            StatusCode::BAD_REQUEST,
            format!(
                "path job id `{job_id}` differs from body job.id `{}`",
                result.job.id
            ),
        );
    }
    let Ok(permit) = state.queue.try_reserve() else {
        tracing::warn!(%job_id, "webhook queue full, asking TRD to retry");
        return busy("receiver queue is full, retry later");
    };
    let spool_file = match &state.spool {
        Some(spool) => {
            let spool = Arc::clone(spool);
            let (name, job_id, body) = (name.clone(), job_id.clone(), body.clone());
            let stored =
                tokio::task::spawn_blocking(move || spool.store(name.as_deref(), &job_id, &body))
                    .await;
            match stored {
                Ok(Ok(path)) => Some(path),
                Ok(Err(error)) => {
                    tracing::error!(%error, "cannot spool webhook delivery");
                    return reject(StatusCode::INTERNAL_SERVER_ERROR, "cannot store delivery");
                }
                Err(_) => return reject(StatusCode::INTERNAL_SERVER_ERROR, "spool task failed"),
            }
        }
        None => None,
    };
    let key = (name.clone(), job_id.clone());
    let duplicate = state
        .seen
        .lock()
        .map(|mut seen| seen.record(key))
        .unwrap_or(false);
    tracing::info!(%job_id, name = name.as_deref(), duplicate, "webhook delivery accepted");
    permit.send(Delivery {
        job_id,
        name,
        result,
        body,
        duplicate,
        recovered: false,
        spool_file,
    });
    (StatusCode::OK, "OK").into_response()
}

/// `503` with `Retry-After`: TRD delivers again later.
fn busy(message: &'static str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, RETRY_AFTER_SECONDS)],
        message,
    )
        .into_response()
}

fn too_large(limit: usize) -> Response {
    reject(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("body larger than {limit} bytes"),
    )
}

fn is_safe_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment.len() <= MAX_SEGMENT_LEN
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'~' | b'-'))
        // Spool and `--out` files are named after segments: no `.`, `..` or hidden files.
        && !segment.starts_with('.')
}

fn is_json(headers: &HeaderMap) -> bool {
    let Some(content_type) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

enum BodyError {
    /// The byte budget of bodies being read is spent.
    Busy,
    TimedOut,
    TooSlow,
    TooLarge,
    Io(String),
}

/// How long a body may take before its average rate is checked.
pub(crate) const RATE_GRACE: Duration = Duration::from_secs(2);

/// Reads the body within the limits: at most `body_limit` bytes, all of it within
/// `body_timeout`, averaging at least `min_body_rate` after [`RATE_GRACE`], every byte that
/// arrived held in the shared budget. A declared length is not held up front (a few peers
/// declaring the limit and trickling bytes would hold the whole budget for nothing), only
/// refused at once when it cannot fit now. Returns the body and its share of the budget.
async fn read_body(
    body: Body,
    state: &ReceiverState,
    declared_length: Option<u64>,
) -> Result<(Bytes, OwnedSemaphorePermit), BodyError> {
    let reserve = |bytes: usize| {
        let bytes = u32::try_from(bytes).map_err(|_| BodyError::TooLarge)?;
        Arc::clone(&state.body_budget)
            .try_acquire_many_owned(bytes)
            .map_err(|_| BodyError::Busy)
    };
    let declared = usize::try_from(declared_length.unwrap_or(0)).unwrap_or(usize::MAX);
    if declared > state.body_budget.available_permits() {
        return Err(BodyError::Busy);
    }
    let mut held = reserve(0)?;
    let started = Instant::now();
    let deadline = started + state.body_timeout;
    let rate = f64::from(state.min_body_rate.max(1));
    let mut stream = body.into_data_stream();
    let mut buffer = BytesMut::new();
    loop {
        let due = started + RATE_GRACE + Duration::from_secs_f64((buffer.len() + 1) as f64 / rate);
        let wait_until = due.min(deadline);
        let chunk = match tokio::time::timeout_at(wait_until, stream.next()).await {
            Err(_) if wait_until == deadline => return Err(BodyError::TimedOut),
            Err(_) => return Err(BodyError::TooSlow),
            Ok(None) => break,
            Ok(Some(chunk)) => {
                chunk.map_err(|e| BodyError::Io(format!("cannot read body: {e}")))?
            }
        };
        let length = buffer.len() + chunk.len();
        if length > state.body_limit {
            return Err(BodyError::TooLarge);
        }
        if length > held.num_permits() {
            held.merge(reserve(length - held.num_permits())?);
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok((buffer.freeze(), held))
}
