//! `POST /auth/token`: the CPqD license server ("SL"). HTTP Basic with a license user answers
//! `{access_token, expires_in}`; `/trd/v3` accepts the token until it expires.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::json;

use super::auth::constant_time_eq;
use crate::state::AppState;

pub(crate) async fn license_token(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Response {
    let known = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|header| is_license_user(&state, header));
    if !known {
        tracing::info!("license token refused");
        return (
            StatusCode::UNAUTHORIZED,
            [(WWW_AUTHENTICATE, "Basic realm=\"license\"")],
            Json(json!({"detail": "invalid license credentials"})),
        )
            .into_response();
    }
    let ttl = state.config.trd.license_token_ttl_secs;
    let token = state.trd_license_tokens.issue(Duration::from_secs(ttl));
    Json(json!({"access_token": token, "expires_in": ttl})).into_response()
}

/// Whether an `Authorization` value is HTTP Basic with a configured license user.
pub(crate) fn is_license_user(state: &AppState, header: &str) -> bool {
    basic_credentials(header).is_some_and(|(user, password)| {
        state
            .config
            .trd
            .license_users
            .get(&user)
            .is_some_and(|expected| constant_time_eq(expected.as_bytes(), password.as_bytes()))
    })
}

/// `(username, password)` of an HTTP Basic `Authorization` value.
fn basic_credentials(header: &str) -> Option<(String, String)> {
    let (scheme, encoded) = header.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_decoded_and_other_schemes_refused() {
        let value = format!("Basic {}", STANDARD.encode("user:pa:ss"));
        assert_eq!(
            basic_credentials(&value),
            Some(("user".to_owned(), "pa:ss".to_owned()))
        );
        assert_eq!(basic_credentials("Bearer abc"), None);
        assert_eq!(basic_credentials("Basic !!!"), None);
        assert_eq!(
            basic_credentials(&format!("Basic {}", STANDARD.encode("no-colon"))),
            None
        );
    }
}
