/// Why no `Authorization` header could be produced.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The token endpoint refused the credentials (HTTP 400/401 with an OAuth error body).
    #[error("token endpoint rejected the request (HTTP {status}): {error}{}", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// OAuth `error` code, e.g. `invalid_client`.
        error: String,
        /// OAuth `error_description`, when the server sent one.
        description: Option<String>,
    },
    /// Any other non-success status that retrying did not fix.
    #[error("token endpoint answered HTTP {status} after {attempts} attempt(s)")]
    Status {
        /// The last HTTP status.
        status: u16,
        /// Requests made.
        attempts: u32,
    },
    /// Connection error or timeout that retrying did not fix.
    #[error("token endpoint unreachable after {attempts} attempt(s): {message}")]
    Unreachable {
        /// Requests made.
        attempts: u32,
        /// The last connection error.
        message: String,
    },
    /// The reply was not a token (not JSON, or missing `token_type`/`access_token`).
    #[error("token endpoint sent an invalid token reply: {0}")]
    InvalidReply(String),
    /// The provider's configuration is unusable (bad URL).
    #[error("token provider configuration: {0}")]
    Config(String),
    /// The trusted roots are unusable, or the endpoint's certificate was refused.
    #[error("token endpoint TLS: {0}")]
    Tls(#[from] crate::tls::TlsError),
    /// The proxy refused the request to the token endpoint (status named).
    #[error("token endpoint: {0}")]
    Proxy(#[from] crate::proxy::ProxyError),
    /// A static provider has no token JSON to return.
    #[error("a static Authorization header has no token JSON")]
    NoTokenJson,
}

impl AuthError {
    /// The token endpoint could not be reached (refused, unreachable, timed out): a network
    /// failure, which the bindings report as IO rather than as refused credentials.
    pub fn is_network(&self) -> bool {
        matches!(self, Self::Unreachable { .. })
    }
}
