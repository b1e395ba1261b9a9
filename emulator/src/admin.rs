//! Emulator-only control routes (not part of either emulated service): `PUT /emulator/faults`
//! replaces the fault switches of a running emulator, so a program that started `das emulator`
//! as a child process can change them as `EmulatorHandle::set_faults` does in-process.
//! Only loopback clients may use them, even when the emulator listens on other addresses.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::put;
use axum::{Json, Router};
use serde_json::json;

use crate::faults::Faults;
use crate::state::AppState;

/// Where the fault switches are read (`GET`) and replaced (`PUT`).
pub(crate) const FAULTS_PATH: &str = "/emulator/faults";

pub(crate) fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route(FAULTS_PATH, put(replace_faults).get(current_faults))
        .with_state(state)
}

async fn current_faults(
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    State(state): State<Arc<AppState>>,
) -> Response {
    if !is_local(peer) {
        return refuse_remote();
    }
    Json(state.faults()).into_response()
}

async fn replace_faults(
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    State(state): State<Arc<AppState>>,
    faults: Result<Json<Faults>, JsonRejection>,
) -> Response {
    if !is_local(peer) {
        return refuse_remote();
    }
    match faults {
        Ok(Json(faults)) => {
            tracing::info!(?faults, "fault switches replaced");
            state.replace_faults(faults);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(rejection) => (
            rejection.status(),
            Json(json!({"detail": rejection.body_text()})),
        )
            .into_response(),
    }
}

/// Loopback, also as an IPv4-mapped address on a dual-stack listener.
fn is_local(peer: SocketAddr) -> bool {
    peer.ip().to_canonical().is_loopback()
}

fn refuse_remote() -> Response {
    (
        StatusCode::FORBIDDEN,
        Json(json!({"detail": "emulator control routes answer loopback clients only"})),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::is_local;

    #[test]
    fn only_loopback_peers_are_local() {
        for local in [
            "127.0.0.1:1",
            "127.8.9.10:1",
            "[::1]:1",
            "[::ffff:127.0.0.1]:1",
        ] {
            assert!(is_local(local.parse().unwrap()), "{local}");
        }
        for remote in [
            "10.0.0.1:1",
            "192.0.2.7:1",
            "[2001:db8::1]:1",
            "[::ffff:192.0.2.7]:1",
        ] {
            assert!(!is_local(remote.parse().unwrap()), "{remote}");
        }
    }
}
