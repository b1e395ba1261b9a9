//! `TrdClient`: authenticated requests to a TRD base URL, with retries on 429/503, and the
//! `webhook/whoami` and `webhook/validate` calls.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::Mutex;

use super::auth::{fetch_token, CachedToken, Credentials};
use super::error::{from_status, proxy_answer, read_text, retry_after, unanswered, TrdError};
use super::retry::RetryPolicy;
use super::upload::Upload;
use crate::proxy::ProxySetting;
use crate::tls::TlsOptions;

/// Query parameters of `webhook/validate`: TRD's wait between attempts and number of attempts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ValidateOptions {
    /// Seconds between TRD's connection attempts (`timeout`).
    pub timeout: Option<u32>,
    /// Number of connection attempts (`retries`).
    pub retries: Option<u32>,
}

/// Builder for [`TrdClient`].
pub struct TrdClientBuilder {
    base_url: String,
    credentials: Credentials,
    timeout: Duration,
    tls: TlsOptions,
    proxy: ProxySetting,
    retry: RetryPolicy,
    upload_min_rate: u64,
}

/// The body of one request.
pub(crate) enum Payload<'a> {
    Empty,
    Json(&'a Value),
    /// A `job/create` form, built again (the file opened again) for each attempt.
    Upload(&'a Upload),
}

impl fmt::Debug for TrdClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrdClientBuilder")
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .field("timeout", &self.timeout)
            .field("tls", &self.tls)
            .field("proxy", &self.proxy)
            .finish()
    }
}

impl TrdClientBuilder {
    /// How to authenticate. Default [`Credentials::None`].
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Shorthand for `credentials(Credentials::Bearer(token))`.
    pub fn bearer(self, token: impl Into<String>) -> Self {
        self.credentials(Credentials::Bearer(token.into()))
    }

    /// Deadline of every request (connect + response). Default 10 s, as trd-sdk-python uses.
    /// An upload gets this plus the time its file takes at [`upload_min_rate`](Self::upload_min_rate).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Which roots to trust (default: the bundled and the machine's, see [`TlsOptions`]).
    pub fn tls(mut self, tls: TlsOptions) -> Self {
        self.tls = tls;
        self
    }

    /// The proxy to TRD and the license server (default: from the environment, see
    /// [`ProxySetting`]).
    pub fn proxy(mut self, proxy: ProxySetting) -> Self {
        self.proxy = proxy;
        self
    }

    /// Retries of requests answered 429 or 503. Default [`RetryPolicy::default`].
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The slowest upload rate, in bytes per second, before `job/create` gives up
    /// ([`TrdError::Timeout`]). Default 256 KiB/s.
    pub fn upload_min_rate(mut self, bytes_per_second: u64) -> Self {
        self.upload_min_rate = bytes_per_second.max(1);
        self
    }

    /// Also trusts this PEM certificate, for on-premises TRD with its own CA.
    pub fn root_certificate_pem(mut self, pem: impl Into<String>) -> Self {
        self.tls = self.tls.trust_pem(pem.into());
        self
    }

    /// Builds the client; fails on an unusable base URL or root certificate, or an empty
    /// bearer token.
    pub fn build(self) -> Result<TrdClient, TrdError> {
        if matches!(&self.credentials, Credentials::Bearer(token) if token.is_empty()) {
            return Err(TrdError::EmptyBearer);
        }
        let base_url = self.base_url.trim_end_matches('/').to_owned();
        let parsed =
            url::Url::parse(&base_url).map_err(|_| TrdError::InvalidBaseUrl(base_url.clone()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(TrdError::InvalidBaseUrl(base_url));
        }
        // Deadlines are set per request: an upload needs longer than a status call.
        let (http, tls) = super::auth::http_client(&self.tls, &self.proxy, None, self.timeout)?;
        Ok(TrdClient {
            base_url,
            credentials: self.credentials,
            timeout: self.timeout,
            retry: self.retry,
            upload_min_rate: self.upload_min_rate,
            http,
            proxy: self.proxy,
            tls,
            token: Mutex::new(None),
        })
    }
}

/// Largest successful TRD answer read whole: a job result (a long call's transcript with its
/// word timings) is the biggest, a few MiB per recorded hour.
const MAX_RESPONSE: usize = 64 << 20;

/// Largest error answer read: a status line's detail is a small JSON document.
const MAX_ERROR_RESPONSE: usize = 1 << 20;

/// A client for TRD's REST API v3: jobs (see [`TrdClient::create_job`] and
/// [`TrdClient::transcribe`]) and webhook set-up. Cheap to share behind an `Arc`.
pub struct TrdClient {
    base_url: String,
    credentials: Credentials,
    timeout: Duration,
    retry: RetryPolicy,
    upload_min_rate: u64,
    http: reqwest::Client,
    proxy: ProxySetting,
    /// The trust of its requests, and of an `https://` proxy.
    tls: Arc<rustls::ClientConfig>,
    token: Mutex<Option<CachedToken>>,
}

impl fmt::Debug for TrdClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrdClient")
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct ValidateBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    crt: Option<&'a str>,
}

impl TrdClient {
    /// A builder for the API at `base_url`, e.g. `https://speech.cpqd.com.br/trd/v3` or
    /// `http://TRD_HOST:8000/trd/v3`.
    pub fn builder(base_url: impl Into<String>) -> TrdClientBuilder {
        TrdClientBuilder {
            base_url: base_url.into(),
            credentials: Credentials::None,
            timeout: Duration::from_secs(10),
            tls: TlsOptions::default(),
            proxy: ProxySetting::default(),
            retry: RetryPolicy::default(),
            upload_min_rate: 256 * 1024,
        }
    }

    /// The base URL without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `GET /webhook/whoami`: this machine's address as TRD sees it.
    pub async fn whoami(&self) -> Result<String, TrdError> {
        let response = self.call(Method::GET, "/webhook/whoami", &[], None).await?;
        match &response {
            Value::Object(map) => map.get("address").and_then(Value::as_str),
            // API v2 answered with a bare JSON string.
            Value::String(address) => Some(address.as_str()),
            _ => None,
        }
        .map(str::to_owned)
        .ok_or_else(|| TrdError::InvalidResponse(format!("whoami without `address`: {response}")))
    }

    /// `webhook/validate`: asks TRD whether it can reach the webhook at `url`
    /// (`scheme://host[:port]`). Sent as POST with `{token, crt}` when either is given (this
    /// registers them), as GET without a body otherwise. Returns `reachable`. An empty `token`
    /// is refused before anything is sent ([`TrdError::EmptyToken`]).
    pub async fn validate(
        &self,
        url: &str,
        options: ValidateOptions,
        token: Option<&str>,
        crt: Option<&str>,
    ) -> Result<bool, TrdError> {
        if token.is_some_and(|token| !crate::trd::verify::is_usable_token(token)) {
            return Err(TrdError::EmptyToken);
        }
        let mut query = vec![("url", url.to_owned())];
        query.extend(options.timeout.map(|t| ("timeout", t.to_string())));
        query.extend(options.retries.map(|r| ("retries", r.to_string())));
        let body = (token.is_some() || crt.is_some())
            .then(|| serde_json::to_value(ValidateBody { token, crt }))
            .transpose()
            .map_err(|e| TrdError::Http(e.to_string()))?;
        let method = if body.is_some() {
            Method::POST
        } else {
            Method::GET
        };
        let response = self.call(method, "/webhook/validate", &query, body).await?;
        match &response {
            Value::Object(map) => map.get("reachable").and_then(Value::as_bool),
            // API v2 answered with a bare boolean.
            Value::Bool(reachable) => Some(*reachable),
            _ => None,
        }
        .ok_or_else(|| {
            TrdError::InvalidResponse(format!("validate without `reachable`: {response}"))
        })
    }

    /// One request answered with JSON.
    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Value>,
    ) -> Result<Value, TrdError> {
        let payload = match &body {
            Some(json) => Payload::Json(json),
            None => Payload::Empty,
        };
        let text = self.call_text(method, path, query, payload).await?;
        serde_json::from_str(&text).map_err(|e| {
            TrdError::InvalidResponse(format!("{e}: {}", super::error::truncated(text)))
        })
    }

    /// One request whose whole answer is read as text.
    pub(crate) async fn call_text(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        payload: Payload<'_>,
    ) -> Result<String, TrdError> {
        let deadline = self.deadline(&payload);
        let response = self.send(method, path, query, payload, deadline).await?;
        read_text(response, MAX_RESPONSE, deadline.unwrap_or(self.timeout)).await
    }

    /// Sends a request with authentication and returns the successful response. A
    /// license-server token rejected with 401 is fetched again once (it may have been revoked
    /// before its announced expiry); 429 and 503 are retried as the [`RetryPolicy`] says.
    /// `deadline` bounds the whole exchange; `None` bounds only the wait for the headers (the
    /// caller bounds each read of a streamed body).
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        payload: Payload<'_>,
        deadline: Option<Duration>,
    ) -> Result<reqwest::Response, TrdError> {
        let mut retries = 0;
        let mut refreshed = false;
        loop {
            let attempt = self
                .send_once(method.clone(), path, query, &payload, deadline)
                .await;
            match attempt {
                Err(TrdError::Unauthorized { .. })
                    if !refreshed
                        && matches!(self.credentials, Credentials::LicenseServer { .. }) =>
                {
                    refreshed = true;
                    *self.token.lock().await = None;
                }
                Err(error @ (TrdError::TooManyRequests { .. } | TrdError::Unavailable { .. }))
                    if retries + 1 < self.retry.attempts =>
                {
                    retries += 1;
                    let delay = self.retry.delay(retries, error.retry_after());
                    tracing::info!(path, %error, ?delay, retries, "TRD busy, retrying");
                    tokio::time::sleep(delay).await;
                }
                other => return other,
            }
        }
    }

    async fn send_once(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        payload: &Payload<'_>,
        deadline: Option<Duration>,
    ) -> Result<reqwest::Response, TrdError> {
        let url = format!("{}{path}", self.base_url);
        let mut request = self
            .http
            .request(method, &url)
            .header(reqwest::header::ACCEPT, "application/json")
            .query(query);
        if let Some(deadline) = deadline {
            request = request.timeout(deadline);
        }
        request = match &self.credentials {
            Credentials::Basic { username, password } => {
                request.basic_auth(username, Some(password))
            }
            _ => match self.bearer().await? {
                Some(token) => request.bearer_auth(token),
                None => request,
            },
        };
        request = match payload {
            Payload::Empty => request,
            Payload::Json(body) => request.json(body),
            Payload::Upload(job) => request.multipart(job.form().await?),
        };
        let wait = deadline.unwrap_or(self.timeout);
        let sent = match deadline {
            Some(_) => request.send().await,
            None => tokio::time::timeout(wait, request.send())
                .await
                .map_err(|_| TrdError::Timeout(wait))?,
        };
        let response = match sent {
            Ok(response) => response,
            Err(e) => return Err(unanswered(e, &self.proxy, &self.tls, self.timeout).await),
        };
        let status = response.status();
        if let Some(refused) = proxy_answer(&url, status.as_u16(), &self.proxy, &self.tls).await {
            return Err(refused);
        }
        if status.is_success() {
            return Ok(response);
        }
        let retry = retry_after(response.headers());
        let text = tokio::time::timeout(
            self.timeout,
            read_text(response, MAX_ERROR_RESPONSE, self.timeout),
        )
        .await
        .map_err(|_| TrdError::Timeout(self.timeout))??;
        tracing::warn!(%url, status = status.as_u16(), "TRD request failed");
        Err(from_status(status.as_u16(), retry, text))
    }

    /// The deadline of a whole exchange: the request timeout, plus for an upload the time the
    /// file takes at the slowest accepted rate.
    fn deadline(&self, payload: &Payload<'_>) -> Option<Duration> {
        let extra = match payload {
            Payload::Upload(job) => job.upload_len().map_or(Duration::ZERO, |len| {
                Duration::from_secs_f64(len as f64 / self.upload_min_rate.max(1) as f64)
            }),
            _ => Duration::ZERO,
        };
        Some(self.timeout + extra)
    }

    /// The request timeout (connect, and each wait for an answer).
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    async fn bearer(&self) -> Result<Option<String>, TrdError> {
        match &self.credentials {
            Credentials::None | Credentials::Basic { .. } => Ok(None),
            Credentials::Bearer(token) => Ok(Some(token.clone())),
            Credentials::LicenseServer {
                token_url,
                username,
                password,
            } => {
                let mut cached = self.token.lock().await;
                if let Some(token) = cached.as_ref().filter(|t| t.is_fresh()) {
                    return Ok(Some(token.value.clone()));
                }
                let token = fetch_token(
                    &self.http,
                    &self.proxy,
                    &self.tls,
                    token_url,
                    username,
                    password,
                    self.timeout,
                )
                .await?;
                let value = token.value.clone();
                *cached = Some(token);
                Ok(Some(value))
            }
        }
    }
}
