use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use url::Url;

use super::{AuthError, Token};
use crate::capped_body::{read_capped, BodyError};
use crate::proxy::ProxySetting;
use crate::tls::{TlsError, TlsOptions};

/// Produces the `Authorization` header value for das-Peak Streaming.
///
/// Cheap to clone (an `Arc` inside): every session sharing one provider shares one cached token
/// and at most one refresh in flight.
#[derive(Clone)]
pub struct TokenProvider {
    inner: Arc<Source>,
}

pub(super) enum Source {
    Static(String),
    ClientCredentials(Box<Fetcher>),
}

pub(super) struct Fetcher {
    http: reqwest::Client,
    token_url: Url,
    client_id: String,
    client_secret: String,
    scope: Option<String>,
    refresh_margin: Duration,
    max_attempts: u32,
    retry_backoff: Duration,
    proxy: ProxySetting,
    /// The trust of its requests, and of an `https://` proxy.
    tls: Arc<rustls::ClientConfig>,
    request_timeout: Duration,
    // Held across the HTTP request so concurrent callers wait for one refresh.
    cache: Mutex<Option<Token>>,
}

impl TokenProvider {
    /// Starts configuring an OAuth2 client-credentials provider.
    pub fn client_credentials(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> ClientCredentials {
        ClientCredentials {
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            scope: None,
            refresh_margin: Duration::from_secs(30),
            request_timeout: Duration::from_secs(10),
            max_attempts: 3,
            retry_backoff: Duration::from_millis(200),
            tls: TlsOptions::default(),
            proxy: ProxySetting::default(),
        }
    }

    /// A provider that always returns `value` (e.g. `"Bearer <token>"`), for pre-issued tokens.
    pub fn static_header(value: impl Into<String>) -> Self {
        Self {
            inner: Arc::new(Source::Static(value.into())),
        }
    }

    /// The `Authorization` header value: `"<token_type> <access_token>"`, fetching or
    /// refreshing the token when it is missing or expires within the refresh margin.
    pub async fn authorization(&self) -> Result<String, AuthError> {
        match self.inner.as_ref() {
            Source::Static(value) => Ok(value.clone()),
            Source::ClientCredentials(f) => Ok(f.current().await?.authorization()),
        }
    }

    /// The current token (fetched or refreshed as needed), with its raw reply JSON.
    pub async fn token(&self) -> Result<Token, AuthError> {
        match self.inner.as_ref() {
            Source::Static(_) => Err(AuthError::NoTokenJson),
            Source::ClientCredentials(f) => f.current().await,
        }
    }

    /// True for client-credentials providers: [`invalidate`](Self::invalidate) then makes
    /// the next call fetch a new token (a static header never changes).
    pub(crate) fn refreshable(&self) -> bool {
        matches!(self.inner.as_ref(), Source::ClientCredentials(_))
    }

    /// Forgets the cached token so that the next call fetches a new one (e.g. after the
    /// server rejected it).
    pub async fn invalidate(&self) {
        if let Source::ClientCredentials(f) = self.inner.as_ref() {
            *f.cache.lock().await = None;
        }
    }

    /// The server refused a connection that sent `authorization`: forgets the cached token
    /// if it is still that one. When many sessions sharing this provider are refused at
    /// once, the first one replaces the token and the others reuse the replacement instead
    /// of each fetching their own.
    pub(crate) async fn refused(&self, authorization: &str) {
        if let Source::ClientCredentials(f) = self.inner.as_ref() {
            let mut cache = f.cache.lock().await;
            if cache
                .as_ref()
                .is_some_and(|token| token.authorization() == authorization)
            {
                *cache = None;
            }
        }
    }
}

impl fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.inner.as_ref() {
            Source::Static(_) => f.write_str("TokenProvider::Static(<redacted>)"),
            Source::ClientCredentials(c) => f
                .debug_struct("TokenProvider::ClientCredentials")
                .field("token_url", &c.token_url.as_str())
                .field("client_id", &c.client_id)
                .field("client_secret", &"<redacted>")
                .finish_non_exhaustive(),
        }
    }
}

/// Builder for [`TokenProvider::client_credentials`].
#[derive(Clone, PartialEq)]
pub struct ClientCredentials {
    token_url: String,
    client_id: String,
    client_secret: String,
    scope: Option<String>,
    refresh_margin: Duration,
    request_timeout: Duration,
    max_attempts: u32,
    retry_backoff: Duration,
    tls: TlsOptions,
    proxy: ProxySetting,
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl ClientCredentials {
    /// Refresh this long before `expires_in` runs out (default 30 s).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// Timeout of each token request (default 10 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Total attempts for 5xx replies and connection errors (default 3, minimum 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// First retry delay; doubles per attempt (default 200 ms).
    pub fn retry_backoff(mut self, delay: Duration) -> Self {
        self.retry_backoff = delay;
        self
    }

    /// Adds a `scope` form field (not sent by default, as in the documented example).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// TLS roots for an HTTPS token endpoint (e.g. the emulator's self-signed certificate).
    pub fn tls(mut self, tls: TlsOptions) -> Self {
        self.tls = tls;
        self
    }

    /// The proxy to the token endpoint (default: from the environment).
    pub fn proxy(mut self, proxy: ProxySetting) -> Self {
        self.proxy = proxy;
        self
    }

    /// Validates the URL and TLS settings and builds the provider. No request is made yet.
    pub fn build(self) -> Result<TokenProvider, AuthError> {
        Ok(TokenProvider {
            inner: Arc::new(self.source()?),
        })
    }

    /// As [`build`](Self::build), but while a provider built this way with the same settings
    /// (URL, credentials, scope, timeouts, retries, TLS roots) is alive, returns that one: for
    /// code that builds a provider per session, so that all of them share one token.
    pub fn build_shared(self) -> Result<TokenProvider, AuthError> {
        let inner = super::shared::shared(self, ClientCredentials::source)?;
        Ok(TokenProvider { inner })
    }

    /// Empties the secret and returns it (for a registry key that must not hold it).
    pub(super) fn take_secret(&mut self) -> String {
        std::mem::take(&mut self.client_secret)
    }

    fn source(self) -> Result<Source, AuthError> {
        let token_url = Url::parse(&self.token_url)
            .map_err(|e| AuthError::Config(format!("token URL {:?}: {e}", self.token_url)))?;
        if !matches!(token_url.scheme(), "http" | "https") {
            return Err(AuthError::Config(format!(
                "token URL must be http or https, got {:?}",
                token_url.scheme()
            )));
        }
        let tls = self.tls.client_config()?;
        let http = self
            .proxy
            .apply_to(reqwest::Client::builder())
            .tls_backend_preconfigured((*tls).clone())
            .redirect(crate::redirects::same_origin_only())
            .timeout(self.request_timeout)
            .connect_timeout(self.request_timeout)
            .build()
            .map_err(|e| AuthError::Config(format!("HTTP client: {e}")))?;
        Ok(Source::ClientCredentials(Box::new(Fetcher {
            http,
            token_url,
            client_id: self.client_id,
            client_secret: self.client_secret,
            scope: self.scope,
            refresh_margin: self.refresh_margin,
            max_attempts: self.max_attempts,
            retry_backoff: self.retry_backoff,
            proxy: self.proxy,
            tls,
            request_timeout: self.request_timeout,
            cache: Mutex::new(None),
        })))
    }
}

impl Fetcher {
    async fn current(&self) -> Result<Token, AuthError> {
        let mut cache = self.cache.lock().await;
        if let Some(token) = cache.as_ref() {
            if !token.is_stale(self.refresh_margin) {
                return Ok(token.clone());
            }
        }
        let token = self.fetch().await?;
        *cache = Some(token.clone());
        Ok(token)
    }

    async fn fetch(&self) -> Result<Token, AuthError> {
        let mut delay = self.retry_backoff;
        let mut attempt = 1;
        loop {
            let retryable = match self.request_once().await {
                Ok(Ok(token)) => return Ok(token),
                Ok(Err(err)) => return Err(err),
                Err(Retryable::Tls(refused)) => return Err(AuthError::Tls(refused)),
                Err(retryable) => retryable,
            };
            if attempt >= self.max_attempts {
                return Err(match retryable {
                    Retryable::Status(status) => AuthError::Status {
                        status,
                        attempts: attempt,
                    },
                    Retryable::Transport(message) => AuthError::Unreachable {
                        attempts: attempt,
                        message,
                    },
                    Retryable::Tls(refused) => AuthError::Tls(refused),
                });
            }
            tracing::warn!(attempt, url = %self.token_url, "token request failed, retrying in {delay:?}");
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(5));
            attempt += 1;
        }
    }

    /// One POST. Outer `Err` = worth retrying; inner result = final.
    async fn request_once(&self) -> Result<Result<Token, AuthError>, Retryable> {
        let mut form = vec![
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.as_str()),
            ("grant_type", "client_credentials"),
        ];
        if let Some(scope) = &self.scope {
            form.push(("scope", scope));
        }
        let reply = match self
            .http
            .post(self.token_url.clone())
            .form(&form)
            .send()
            .await
        {
            Ok(reply) => reply,
            Err(e) => {
                let proxy =
                    self.proxy
                        .failure(&self.token_url, Err(&e), self.request_timeout, &self.tls);
                return match proxy.await {
                    Some(refused) => Ok(Err(AuthError::Proxy(refused))),
                    None => Err(transport(e)),
                };
            }
        };
        let status = reply.status().as_u16();
        let proxy =
            self.proxy
                .failure(&self.token_url, Ok(status), self.request_timeout, &self.tls);
        if let Some(refused) = proxy.await {
            return Ok(Err(AuthError::Proxy(refused)));
        }
        // A redirect the client did not follow (see `redirects.rs`): say where it pointed.
        if reply.status().is_redirection() {
            let location = reply
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|value| value.to_str().ok())
                .unwrap_or("nowhere");
            return Ok(Err(AuthError::InvalidReply(format!(
                "HTTP {status} redirect to {location} not followed: \
                 libdas follows redirects only within the token URL's origin"
            ))));
        }
        let body = match read_capped(reply, MAX_TOKEN_REPLY).await {
            Ok(body) => body,
            Err(BodyError::Http(e)) => return Err(transport(e)),
            Err(too_large) => return Ok(Err(AuthError::InvalidReply(too_large.describe()))),
        };
        if (200..300).contains(&status) {
            return Ok(Token::from_json(&body));
        }
        if status >= 500 || status == 429 {
            return Err(Retryable::Status(status));
        }
        Ok(Err(oauth_error(status, &body)))
    }
}

/// Largest token endpoint reply read: a token reply is a few hundred bytes.
const MAX_TOKEN_REPLY: usize = 64 << 10;

enum Retryable {
    Status(u16),
    Transport(String),
    /// A refused certificate: retrying cannot help.
    Tls(TlsError),
}

/// A transport failure: a refused certificate, or the error with its causes (reqwest's own
/// text, "error sending request", hides the one that helps, "Connection refused").
fn transport(error: reqwest::Error) -> Retryable {
    if let Some(refused) = TlsError::find_in(&error) {
        return Retryable::Tls(refused);
    }
    let error = error.without_url();
    let mut message = error.to_string();
    let mut cause = std::error::Error::source(&error);
    while let Some(inner) = cause {
        message = format!("{message}: {inner}");
        cause = inner.source();
    }
    Retryable::Transport(message)
}

/// Maps a 4xx reply to [`AuthError::Rejected`], reading the RFC 6749 §5.2 error body if present.
fn oauth_error(status: u16, body: &[u8]) -> AuthError {
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = |key: &str| {
        json.as_ref()
            .and_then(|j| j.get(key))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    match field("error") {
        Some(error) => AuthError::Rejected {
            status,
            error,
            description: field("error_description"),
        },
        None => AuthError::Rejected {
            status,
            error: format!("http_{status}"),
            description: (!body.is_empty())
                .then(|| String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned()),
        },
    }
}
