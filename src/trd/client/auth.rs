//! Bearer tokens for TRD: static, or from the CPqD license server (`POST /auth/token` with HTTP
//! Basic → `{access_token, expires_in}`), cached and fetched again shortly before expiry.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::error::{from_status, proxy_answer, read_text, retry_after, unanswered, TrdError};
use crate::proxy::ProxySetting;
use crate::tls::TlsOptions;

/// A token is refreshed this long before the license server says it expires.
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);

/// How the client authenticates to TRD.
#[derive(Clone)]
pub enum Credentials {
    /// No `Authorization` header (on-premises TRD without authentication).
    None,
    /// A ready-made Bearer token; never refreshed.
    Bearer(String),
    /// HTTP Basic with a TRD user on every request (trd-sdk-python's `username`/`password`).
    Basic {
        /// The TRD user.
        username: String,
        /// Its password (never logged).
        password: String,
    },
    /// Tokens from the license server at `token_url` (e.g. `https://host:port/auth/token`).
    LicenseServer {
        /// The license server's token endpoint.
        token_url: String,
        /// HTTP Basic user name.
        username: String,
        /// HTTP Basic password.
        password: String,
    },
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::None => f.write_str("None"),
            Credentials::Bearer(_) => f.write_str("Bearer(<redacted>)"),
            Credentials::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            Credentials::LicenseServer {
                token_url,
                username,
                ..
            } => f
                .debug_struct("LicenseServer")
                .field("token_url", token_url)
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
        }
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<f64>,
}

pub(crate) struct CachedToken {
    pub(crate) value: String,
    expires: Option<Instant>,
}

impl CachedToken {
    pub(crate) fn is_fresh(&self) -> bool {
        self.expires
            .is_none_or(|expires| Instant::now() + EXPIRY_MARGIN < expires)
    }
}

/// One token from the license server at `token_url`, for callers that keep tokens themselves
/// (the C API hands it on as a bearer). A [`super::TrdClient`] built with
/// [`Credentials::LicenseServer`] fetches and refreshes tokens by itself.
pub async fn license_server_token(
    token_url: &str,
    username: &str,
    password: &str,
    timeout: Duration,
    tls: &TlsOptions,
    proxy: &ProxySetting,
) -> Result<String, TrdError> {
    let (http, tls) =
        http_client(tls, proxy, None, timeout).map_err(|e| TrdError::TokenServer(Box::new(e)))?;
    Ok(
        fetch_token(&http, proxy, &tls, token_url, username, password, timeout)
            .await?
            .value,
    )
}

/// An HTTP client trusting `tls`'s roots, through the proxy `proxy` picks, with an overall
/// request `timeout` when given; and its TLS configuration (which reads a proxy's refusal
/// again).
pub(crate) fn http_client(
    tls: &TlsOptions,
    proxy: &ProxySetting,
    timeout: Option<Duration>,
    connect_timeout: Duration,
) -> Result<(reqwest::Client, Arc<rustls::ClientConfig>), TrdError> {
    let config = tls.client_config()?;
    let mut http = proxy
        .apply_to(reqwest::Client::builder())
        .tls_backend_preconfigured((*config).clone())
        .redirect(crate::redirects::same_origin_only())
        .connect_timeout(connect_timeout);
    if let Some(timeout) = timeout {
        http = http.timeout(timeout);
    }
    let http = http.build().map_err(|e| TrdError::Http(e.to_string()))?;
    Ok((http, config))
}
/// Largest license-server reply read: a token reply is a few hundred bytes.
const MAX_TOKEN_RESPONSE: usize = 64 << 10;

/// Asks the license server for a token.
pub(crate) async fn fetch_token(
    http: &reqwest::Client,
    proxy: &ProxySetting,
    tls: &Arc<rustls::ClientConfig>,
    token_url: &str,
    username: &str,
    password: &str,
    timeout: Duration,
) -> Result<CachedToken, TrdError> {
    let wrap = |e| TrdError::TokenServer(Box::new(e));
    let sent = http
        .post(token_url)
        .basic_auth(username, Some(password))
        .timeout(timeout)
        .send()
        .await;
    let response = match sent {
        Ok(response) => response,
        Err(e) => return Err(wrap(unanswered(e, proxy, tls, timeout).await)),
    };
    let status = response.status();
    if let Some(refused) = proxy_answer(token_url, status.as_u16(), proxy, tls).await {
        return Err(wrap(refused));
    }
    let retry = retry_after(response.headers());
    let body = read_text(response, MAX_TOKEN_RESPONSE, timeout)
        .await
        .map_err(wrap)?;
    if !status.is_success() {
        return Err(wrap(from_status(status.as_u16(), retry, body)));
    }
    let token: TokenResponse = serde_json::from_str(&body).map_err(|e| {
        wrap(TrdError::InvalidResponse(format!(
            "token response without access_token: {e}"
        )))
    })?;
    let expires = token
        .expires_in
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Instant::now() + Duration::from_secs_f64(s.min(1e9)));
    tracing::debug!(expires_in = ?token.expires_in, "license server token obtained");
    Ok(CachedToken {
        value: token.access_token,
        expires,
    })
}
