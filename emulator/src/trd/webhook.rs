//! `webhook/whoami` and `webhook/validate`: the caller's address, and a real reachability
//! check of a callback URL (TCP, then TLS trusting the posted `crt`).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use reqwest::Url;
use serde::Deserialize;
use serde_json::json;

use crate::state::AppState;

/// Most attempts a validate request may ask for.
const MAX_RETRIES: u32 = 5;

/// What `validate` registered for one callback origin. `Debug` redacts the token.
#[derive(Clone)]
pub(crate) struct Hook {
    pub(crate) token: Option<String>,
    pub(crate) crt: Option<String>,
}

impl std::fmt::Debug for Hook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hook")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("crt", &self.crt.is_some())
            .finish()
    }
}

/// Validated callback origins (`scheme://host:port`).
#[derive(Default)]
pub(crate) struct ValidatedHooks {
    hooks: Mutex<HashMap<String, Hook>>,
}

impl ValidatedHooks {
    /// The registration covering `url`, if any.
    pub(crate) fn for_url(&self, url: &Url) -> Option<Hook> {
        let hooks = self.hooks.lock().unwrap_or_else(|e| e.into_inner());
        hooks.get(&origin(url)).cloned()
    }

    fn insert(&self, url: &Url, hook: Hook) {
        let mut hooks = self.hooks.lock().unwrap_or_else(|e| e.into_inner());
        hooks.insert(origin(url), hook);
    }
}

fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

pub(crate) async fn whoami(ConnectInfo(peer): ConnectInfo<SocketAddr>) -> Json<serde_json::Value> {
    Json(json!({"address": peer.ip().to_string()}))
}

#[derive(Deserialize)]
pub(crate) struct ValidateQuery {
    url: String,
    timeout: Option<u64>,
    retries: Option<u32>,
}

#[derive(Deserialize, Default)]
struct ValidateBody {
    crt: Option<String>,
    token: Option<String>,
}

pub(crate) async fn validate(
    State(state): State<Arc<AppState>>,
    query: Result<Query<ValidateQuery>, axum::extract::rejection::QueryRejection>,
    body: Bytes,
) -> Response {
    let Ok(Query(query)) = query else {
        return bad_request("query parameter url is required; timeout and retries are integers");
    };
    let Ok(url) = Url::parse(&query.url) else {
        return bad_request("url must be an absolute http(s) URL");
    };
    if !matches!(url.scheme(), "http" | "https") {
        return bad_request("url must use http or https");
    }
    let body: ValidateBody = if body.is_empty() {
        ValidateBody::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(body) => body,
            Err(e) => return bad_request(&format!("body must be JSON {{crt, token}}: {e}")),
        }
    };
    let timeout = Duration::from_secs(query.timeout.unwrap_or(5).clamp(1, 60));
    let attempts = query.retries.unwrap_or(0).min(MAX_RETRIES) + 1;
    let reachable = probe(&url, body.crt.as_deref(), timeout, attempts).await;
    if reachable {
        state.trd_hooks.insert(
            &url,
            Hook {
                token: body.token,
                crt: body.crt,
            },
        );
    }
    tracing::info!(url = %url, reachable, "webhook validated");
    Json(json!({"reachable": reachable})).into_response()
}

/// Any HTTP answer (whatever its status) proves TCP and, for https, TLS work.
async fn probe(url: &Url, crt: Option<&str>, timeout: Duration, attempts: u32) -> bool {
    let Ok(client) = super::delivery::http_client(crt, timeout) else {
        return false;
    };
    for attempt in 0..attempts {
        match client.get(url.clone()).send().await {
            Ok(_) => return true,
            Err(error) => tracing::debug!(attempt, %error, "webhook probe failed"),
        }
    }
    false
}

fn bad_request(detail: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"detail": detail}))).into_response()
}
