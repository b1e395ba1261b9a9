//! The `trd_reject` fault: answers TRD requests with its status (413, 429, 503, or any other,
//! with `Retry-After` when configured) instead of serving them, for the first `count` requests
//! since it was set, or all of them.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header::RETRY_AFTER, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::state::AppState;

pub(crate) async fn injected_rejection(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(reject) = state.faults().trd_reject else {
        return next.run(request).await;
    };
    let taken = state.trd_rejected.fetch_add(1, Ordering::SeqCst);
    if reject.count.is_some_and(|count| taken >= count) {
        return next.run(request).await;
    }
    let status = StatusCode::from_u16(reject.status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let detail = match status.as_u16() {
        413 => "minute quota exceeded",
        429 => "too many requests",
        _ => "server busy",
    };
    super::discard::discard_body(request).await;
    let mut response = (status, Json(json!({ "detail": detail }))).into_response();
    if let Some(seconds) = reject.retry_after_secs {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    tracing::info!(status = status.as_u16(), "trd request rejected by fault");
    response
}
