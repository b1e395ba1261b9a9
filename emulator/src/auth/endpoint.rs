//! `POST /socket.io/oauth2/token`: the OAuth2 client-credentials grant (RFC 6749 §4.4).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::state::AppState;

/// Handles a form-encoded token request. The body is parsed by hand so that a malformed
/// form (not UTF-8, bad escapes, a parameter given twice: RFC 6749 §3.2) gets an OAuth2
/// `invalid_request` instead of a framework rejection.
pub(crate) async fn token_endpoint(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let Ok(body) = std::str::from_utf8(&body) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "body is not UTF-8",
        );
    };
    let (mut client_id, mut client_secret, mut grant_type) = (None, None, None);
    for pair in body.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let Some(value) = form_decode(value) else {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "body is not form-encoded",
            );
        };
        let slot = match key {
            "client_id" => &mut client_id,
            "client_secret" => &mut client_secret,
            "grant_type" => &mut grant_type,
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "a parameter is given more than once",
            );
        }
    }
    match grant_type.as_deref() {
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "missing grant_type",
            )
        }
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "only grant_type=client_credentials is supported",
            )
        }
    }
    let (Some(client_id), Some(client_secret)) = (client_id, client_secret) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_id and client_secret are required",
        );
    };
    let faults = state.faults();
    let known = state
        .config
        .clients
        .iter()
        .any(|c| c.client_id == client_id && c.client_secret == client_secret);
    if faults.reject_auth || !known {
        tracing::info!(client_id, "token request refused");
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client authentication failed",
        );
    }
    let ttl = state.config.token_ttl_secs;
    let lifetime = faults.expire_tokens_after_secs.unwrap_or(ttl);
    let token = state.tokens.issue(Duration::from_secs(lifetime));
    tracing::debug!(client_id, "token issued");
    Json(json!({"access_token": token, "token_type": "Bearer", "expires_in": ttl})).into_response()
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// Decodes one `application/x-www-form-urlencoded` value; `None` on bad escapes or UTF-8.
fn form_decode(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::form_decode;

    #[test]
    fn form_values_decode_escapes_and_reject_garbage() {
        assert_eq!(form_decode("a+b%2Fc").as_deref(), Some("a b/c"));
        assert_eq!(form_decode("%zz"), None);
        assert_eq!(form_decode("%4"), None);
        assert_eq!(form_decode("%FF"), None);
    }
}
