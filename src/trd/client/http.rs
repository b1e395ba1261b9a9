//! `TrdClient`: `webhook/whoami` and `webhook/validate` against a TRD base URL.

use std::fmt;
use std::time::Duration;

use reqwest::Method;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::Mutex;

use super::auth::{fetch_token, CachedToken, Credentials};
use super::error::{from_reqwest, from_status, retry_after, TrdError};
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
}

impl fmt::Debug for TrdClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrdClientBuilder")
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .field("timeout", &self.timeout)
            .field("tls", &self.tls)
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
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Which roots to trust (default: the bundled and the machine's, see [`TlsOptions`]).
    pub fn tls(mut self, tls: TlsOptions) -> Self {
        self.tls = tls;
        self
    }

    /// Also trusts this PEM certificate, for on-premises TRD with its own CA.
    pub fn root_certificate_pem(mut self, pem: impl Into<String>) -> Self {
        self.tls = self.tls.trust_pem(pem.into());
        self
    }

    /// Builds the client; fails on an unusable base URL or root certificate.
    pub fn build(self) -> Result<TrdClient, TrdError> {
        let base_url = self.base_url.trim_end_matches('/').to_owned();
        let parsed =
            url::Url::parse(&base_url).map_err(|_| TrdError::InvalidBaseUrl(base_url.clone()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(TrdError::InvalidBaseUrl(base_url));
        }
        let http = super::auth::http_client(&self.tls, Some(self.timeout), self.timeout)?;
        Ok(TrdClient {
            base_url,
            credentials: self.credentials,
            timeout: self.timeout,
            http,
            token: Mutex::new(None),
        })
    }
}

/// A client for TRD's REST API v3 webhook endpoints. Cheap to share behind an `Arc`.
pub struct TrdClient {
    base_url: String,
    credentials: Credentials,
    timeout: Duration,
    http: reqwest::Client,
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
    /// registers them), as GET without a body otherwise. Returns `reachable`.
    pub async fn validate(
        &self,
        url: &str,
        options: ValidateOptions,
        token: Option<&str>,
        crt: Option<&str>,
    ) -> Result<bool, TrdError> {
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

    /// One request with authentication; a license-server token rejected with 401 is fetched
    /// again once (it may have been revoked before its announced expiry).
    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Value>,
    ) -> Result<Value, TrdError> {
        let first = self
            .call_once(method.clone(), path, query, body.as_ref())
            .await;
        match first {
            Err(TrdError::Unauthorized { .. })
                if matches!(self.credentials, Credentials::LicenseServer { .. }) =>
            {
                *self.token.lock().await = None;
                self.call_once(method, path, query, body.as_ref()).await
            }
            other => other,
        }
    }

    async fn call_once(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value, TrdError> {
        let url = format!("{}{path}", self.base_url);
        let mut request = self
            .http
            .request(method, &url)
            .header(reqwest::header::ACCEPT, "application/json")
            .query(query);
        if let Some(token) = self.bearer().await? {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| from_reqwest(e, self.timeout))?;
        let status = response.status();
        let retry = retry_after(response.headers());
        let text = response
            .text()
            .await
            .map_err(|e| from_reqwest(e, self.timeout))?;
        if !status.is_success() {
            tracing::warn!(%url, status = status.as_u16(), "TRD request failed");
            return Err(from_status(status.as_u16(), retry, text));
        }
        serde_json::from_str(&text).map_err(|e| {
            TrdError::InvalidResponse(format!("{e}: {}", super::error::truncated(text)))
        })
    }

    async fn bearer(&self) -> Result<Option<String>, TrdError> {
        match &self.credentials {
            Credentials::None => Ok(None),
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
                let token =
                    fetch_token(&self.http, token_url, username, password, self.timeout).await?;
                let value = token.value.clone();
                *cached = Some(token);
                Ok(Some(value))
            }
        }
    }
}
