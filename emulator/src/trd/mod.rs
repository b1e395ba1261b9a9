//! The CPqD TRD v3 endpoints under `/trd/v3`: bearer auth, `webhook/whoami`,
//! `webhook/validate`, jobs (create, status, result, list, delete) that really run the VAD
//! on the uploaded WAV, result delivery to the callback URLs, and the license server's
//! `/auth/token` that issues bearer tokens.

mod auth;
mod delivery;
mod document;
mod jobs;
mod license;
mod time;
mod webhook;

use std::sync::Arc;

use axum::routing::{delete, get, post};
use axum::Router;

use crate::state::AppState;

pub(crate) use jobs::JobStore;
pub(crate) use license::license_token;
pub(crate) use webhook::ValidatedHooks;

/// The `/trd/v3` routes.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/webhook/whoami", get(webhook::whoami))
        .route(
            "/webhook/validate",
            get(webhook::validate).post(webhook::validate),
        )
        .route("/job/create", post(jobs::create))
        .route("/job", get(jobs::list))
        .route("/job/status/{id}", get(jobs::status))
        .route("/job/result/{id}", get(jobs::result))
        .route("/job/{id}", delete(jobs::remove))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require_bearer,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(
            state.config.trd.max_upload_bytes,
        ))
        .with_state(state)
}
