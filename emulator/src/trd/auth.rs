//! Credentials check for every TRD route: a configured or license-server bearer token, or
//! HTTP Basic with a license user (trd-sdk-python's `username`/`password`).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header::AUTHORIZATION, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::state::AppState;

pub(crate) async fn require_credentials(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let header = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let configured = header
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .is_some_and(|t| {
            state
                .config
                .trd
                .tokens
                .iter()
                .any(|k| constant_time_eq(k.as_bytes(), t.as_bytes()))
        });
    // Tokens from the license server (`/auth/token`) count until they expire.
    let accepted = configured
        || state.trd_license_tokens.check_header(header).is_ok()
        || header.is_some_and(|h| super::license::is_license_user(&state, h));
    if accepted {
        next.run(request).await
    } else {
        super::discard::discard_body(request).await;
        (
            StatusCode::UNAUTHORIZED,
            Json(json!({"detail": "invalid or missing credentials"})),
        )
            .into_response()
    }
}

pub(super) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
