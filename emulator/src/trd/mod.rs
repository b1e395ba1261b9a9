//! The CPqD TRD v3 endpoints under `/trd/v3`: bearer or Basic auth, `webhook/whoami`,
//! `webhook/validate`, jobs (create, status, result, list, stop, retry, delete, query) that
//! really run the VAD on the uploaded WAV, result delivery to the callback URLs, injected
//! 413/429/503 answers, and the license server's `/auth/token` that issues bearer tokens.

mod auth;
mod delivery;
mod discard;
mod document;
mod jobs;
mod license;
mod query;
mod run;
mod store;
mod throttle;
mod time;
mod webhook;

use std::sync::Arc;

use axum::routing::{delete, get, post};
use axum::Router;

use crate::state::AppState;

pub(crate) use license::license_token;
pub(crate) use store::JobStore;
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
        .route("/job/stop/{id}", post(jobs::stop))
        .route("/job/retry/{id}", post(jobs::retry))
        .route("/query/job", get(query::query))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            throttle::injected_rejection,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require_credentials,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(
            state.config.trd.max_upload_bytes,
        ))
        .with_state(state)
}
