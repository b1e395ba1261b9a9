//! The webhook routes. Each delivery is checked in this order: size (413), content type (415),
//! body read within a deadline (408), JSON parse (400 with the parser's message), token (401),
//! path/body job id (400), queue room (503 + Retry-After), spool write (500 on I/O failure);
//! 200 only after the delivery is in the application's queue (and on disk with a spool).

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
use tokio::sync::mpsc;

use super::delivery::Delivery;
use super::seen::SeenDeliveries;
use super::spool::Spool;
use crate::trd::{parse_webhook, tokens_equal};

/// Longest accepted path segment; keeps spool file names within file-system limits.
const MAX_SEGMENT_LEN: usize = 100;

/// Seconds TRD is told to wait when the application's queue is full.
const RETRY_AFTER_SECONDS: &str = "1";

pub(crate) struct ReceiverState {
    pub(crate) token: Option<String>,
    pub(crate) body_limit: usize,
    pub(crate) body_timeout: Duration,
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
                    "path segment must be 1-{MAX_SEGMENT_LEN} characters of A-Z a-z 0-9 . _ ~ -"
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
    let body = match tokio::time::timeout(state.body_timeout, read_limited(body, state.body_limit))
        .await
    {
        Err(_) => return reject(StatusCode::REQUEST_TIMEOUT, "body not received in time"),
        Ok(Err(BodyError::TooLarge)) => return too_large(state.body_limit),
        Ok(Err(BodyError::Io(message))) => return reject(StatusCode::BAD_REQUEST, message),
        Ok(Ok(body)) => body,
    };
    let result = match parse_webhook(&body) {
        Ok(result) => result,
        Err(error) => return reject(StatusCode::BAD_REQUEST, error.to_string()),
    };
    if let Some(expected) = &state.token {
        let matches = result
            .token
            .as_deref()
            .is_some_and(|given| tokens_equal(given, expected));
        if !matches {
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
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, RETRY_AFTER_SECONDS)],
            "receiver queue is full, retry later",
        )
            .into_response();
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
        && segment != "."
        && segment != ".."
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
    TooLarge,
    Io(String),
}

async fn read_limited(body: Body, limit: usize) -> Result<Bytes, BodyError> {
    let mut stream = body.into_data_stream();
    let mut buffer = BytesMut::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| BodyError::Io(format!("cannot read body: {e}")))?;
        if buffer.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(buffer.freeze())
}
