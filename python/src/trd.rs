//! `das._native` items behind `das.trd`: the pure webhook parser, the constant-time token
//! comparison, the webhook receiver and the TRD client.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use das::trd::{
    Credentials, Delivery, ReceiverBuilder, ReceiverError, Tls, TrdError, TrdErrorKind,
    ValidateOptions, WebhookReceiver as ReceiverBuilderCore,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString, PyTuple};

use crate::channel::tls_options;
use crate::errors::{das_error, parse_error, Kind};
use crate::runtime::block_on;
use crate::trd_jobs::TrdJobClient;
use crate::trd_view::{parse_view, result_view, TrdView};
use das::tls::TlsOptions;

/// Parses a TRD result body (`bytes` or `str`) once into the typed tree and returns the lazy
/// view of the whole document. Raises `WebhookParseError`.
#[pyfunction]
pub fn trd_parse(body: &Bound<'_, PyAny>) -> PyResult<TrdView> {
    let result = if let Ok(bytes) = body.cast::<PyBytes>() {
        parse_view(bytes.as_bytes())
    } else if let Ok(text) = body.cast::<PyString>() {
        parse_view(text.to_cow()?.as_bytes())
    } else {
        return Err(das_error(
            Kind::InvalidArgument,
            "the webhook body must be bytes or str",
        ));
    };
    result.map_err(parse_error)
}

/// The core's token rule (constant time): `None`, or why the token is not trusted.
#[pyfunction]
#[pyo3(signature = (given, expected))]
pub fn check_token(given: Option<&str>, expected: &str) -> Option<String> {
    das::trd::check_token(given, expected)
        .err()
        .map(|e| e.to_string())
}

/// Options of a webhook receiver, shared by `WebhookReceiver.start` and
/// `TrdClient.start_webhook`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn receiver_builder(
    host: &str,
    port: u16,
    token: Option<String>,
    tls: &str,
    hosts: Option<Vec<String>>,
    cert_pem: Option<String>,
    key_pem: Option<String>,
    public_host: Option<String>,
    spool: Option<PathBuf>,
    queue_bound: usize,
    body_limit: usize,
) -> PyResult<ReceiverBuilder> {
    let ip: IpAddr = host.parse().map_err(|_| {
        das_error(
            Kind::InvalidArgument,
            format!("host must be an IP address, got {host:?}"),
        )
    })?;
    let mut builder = ReceiverBuilderCore::builder()
        .bind(SocketAddr::new(ip, port))
        .queue_bound(queue_bound.max(1))
        .body_limit(body_limit);
    let tls = match (tls, cert_pem, key_pem) {
        ("plain", None, None) => Some(Tls::Plain),
        ("self-signed", None, None) => hosts.map(|hosts| Tls::SelfSigned { hosts }),
        ("pem", Some(cert), Some(key)) => Some(Tls::Pem { cert, key }),
        _ => {
            return Err(das_error(
                Kind::InvalidArgument,
                "tls must be 'self-signed', 'plain', or 'pem' with cert_pem and key_pem",
            ))
        }
    };
    if let Some(tls) = tls {
        builder = builder.tls(tls);
    }
    if let Some(token) = token {
        builder = builder.token(token);
    }
    if let Some(host) = public_host {
        builder = builder.public_host(host);
    }
    if let Some(dir) = spool {
        builder = builder.spool(dir);
    }
    Ok(builder)
}

/// A running TRD webhook receiver (HTTP or HTTPS server on the shared runtime).
#[pyclass(module = "das._native", frozen)]
pub struct WebhookReceiver {
    receiver: das::trd::WebhookReceiver,
    pending: Mutex<HashMap<u64, Delivery>>,
    next_id: AtomicU64,
}

#[pymethods]
impl WebhookReceiver {
    /// Binds `host:port` (port 0: a free one) and serves `POST /{job_id}` and
    /// `POST /{name}/{job_id}`. `tls`: `'self-signed'` (for `hosts`, default loopback),
    /// `'plain'`, or `'pem'` with `cert_pem` and `key_pem`. With `token`, deliveries must carry
    /// it. With `spool`, each delivery stays on disk until acknowledged.
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (host="127.0.0.1", port=0, *, token=None, tls="self-signed", hosts=None,
        cert_pem=None, key_pem=None, public_host=None, spool=None, queue_bound=1024,
        body_limit=33_554_432))]
    fn start(
        py: Python<'_>,
        host: &str,
        port: u16,
        token: Option<String>,
        tls: &str,
        hosts: Option<Vec<String>>,
        cert_pem: Option<String>,
        key_pem: Option<String>,
        public_host: Option<String>,
        spool: Option<PathBuf>,
        queue_bound: usize,
        body_limit: usize,
    ) -> PyResult<Self> {
        let builder = receiver_builder(
            host,
            port,
            token,
            tls,
            hosts,
            cert_pem,
            key_pem,
            public_host,
            spool,
            queue_bound,
            body_limit,
        )?;
        das::trd::ensure_crypto_provider();
        let receiver = block_on(py, builder.start())?.map_err(receiver_error)?;
        Ok(Self::wrap(receiver))
    }

    /// The next delivery, waiting at most `timeout` seconds (`None` when none came):
    /// `(delivery_id, job_id, name, result_view, body, duplicate, recovered)`.
    fn next_delivery<'py>(
        &self,
        py: Python<'py>,
        timeout: f64,
    ) -> PyResult<Option<Bound<'py, PyTuple>>> {
        let wait = crate::convert::wait_seconds(timeout);
        let Some(delivery) = block_on(py, self.receiver.next_delivery(wait))? else {
            return Ok(None);
        };
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let item = (
            id,
            delivery.job_id.as_str(),
            delivery.name.as_deref(),
            result_view(delivery.result.clone()),
            PyBytes::new(py, &delivery.body),
            delivery.duplicate,
            delivery.recovered,
        )
            .into_pyobject(py)?;
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, delivery);
        Ok(Some(item))
    }

    /// Acknowledges delivery `delivery_id`: its spool file (if any) is deleted.
    fn ack(&self, delivery_id: u64) -> PyResult<()> {
        let delivery = self
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&delivery_id);
        match delivery {
            Some(delivery) => delivery.ack().map_err(receiver_error),
            None => Err(das_error(
                Kind::InvalidArgument,
                format!("no unacknowledged delivery {delivery_id}"),
            )),
        }
    }

    /// Stops accepting connections; queued deliveries can still be taken.
    fn shutdown(&self, py: Python<'_>) -> PyResult<()> {
        block_on(py, self.receiver.shutdown())
    }

    /// The base URL to register with TRD (`https://host:port`).
    #[getter]
    fn url(&self) -> &str {
        self.receiver.url()
    }

    /// The server certificate's PEM (what `webhook/validate` takes), `None` for plain HTTP.
    #[getter]
    fn certificate_pem(&self) -> Option<&str> {
        self.receiver.certificate_pem()
    }

    /// The token deliveries must carry, if any.
    #[getter]
    fn token(&self) -> Option<&str> {
        self.receiver.token()
    }

    /// `(ip, port)` the listener is bound to.
    #[getter]
    fn local_addr(&self) -> (String, u16) {
        let addr = self.receiver.local_addr();
        (addr.ip().to_string(), addr.port())
    }
}

impl WebhookReceiver {
    fn wrap(receiver: das::trd::WebhookReceiver) -> Self {
        Self {
            receiver,
            pending: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
        }
    }
}

/// Client for TRD's `webhook/whoami` and `webhook/validate`; `jobs()` gives its job calls.
#[pyclass(module = "das._native", frozen)]
pub struct TrdClient {
    client: Arc<das::trd::TrdClient>,
}

#[pymethods]
impl TrdClient {
    /// `base_url` like `https://speech.cpqd.com.br/trd/v3`. Authentication: a `bearer` token,
    /// or `token_url` + `username` + `password` for the CPqD license server, or none.
    #[new]
    #[pyo3(signature = (base_url, *, bearer=None, token_url=None, username=None, password=None,
        timeout=10.0, root_certificate_pem=None, trusted_roots="both", proxy=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        base_url: String,
        bearer: Option<String>,
        token_url: Option<String>,
        username: Option<String>,
        password: Option<String>,
        timeout: f64,
        root_certificate_pem: Option<String>,
        trusted_roots: &str,
        proxy: Option<&str>,
    ) -> PyResult<Self> {
        let client = build_client(
            base_url,
            credentials(bearer, token_url, username, password)?,
            timeout,
            tls_options(root_certificate_pem, trusted_roots)?,
            crate::proxy::proxy_setting(proxy)?,
        )?;
        Ok(Self {
            client: Arc::new(client),
        })
    }

    /// The job calls (`das.trd.Client`'s), on this same client.
    fn jobs(&self) -> TrdJobClient {
        TrdJobClient::new(Arc::clone(&self.client))
    }

    /// `GET /webhook/whoami`: this machine's address as TRD sees it.
    fn whoami(&self, py: Python<'_>) -> PyResult<String> {
        block_on(py, self.client.whoami())?.map_err(trd_error)
    }

    /// `webhook/validate`: whether TRD can reach `url`; registers `token` and `crt` when given.
    #[pyo3(signature = (url, *, token=None, crt=None, attempt_timeout=None, retries=None))]
    fn validate(
        &self,
        py: Python<'_>,
        url: &str,
        token: Option<&str>,
        crt: Option<&str>,
        attempt_timeout: Option<u32>,
        retries: Option<u32>,
    ) -> PyResult<bool> {
        let options = ValidateOptions {
            timeout: attempt_timeout,
            retries,
        };
        block_on(py, self.client.validate(url, options, token, crt))?.map_err(trd_error)
    }

    /// One call: whoami (unless `public_host`), start a receiver (self-signed HTTPS and a fresh
    /// token unless given), and register it with `webhook/validate`.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (host="0.0.0.0", port=0, *, token=None, tls="self-signed", hosts=None,
        cert_pem=None, key_pem=None, public_host=None, spool=None, queue_bound=1024,
        body_limit=33_554_432))]
    fn start_webhook(
        &self,
        py: Python<'_>,
        host: &str,
        port: u16,
        token: Option<String>,
        tls: &str,
        hosts: Option<Vec<String>>,
        cert_pem: Option<String>,
        key_pem: Option<String>,
        public_host: Option<String>,
        spool: Option<PathBuf>,
        queue_bound: usize,
        body_limit: usize,
    ) -> PyResult<WebhookReceiver> {
        let builder = receiver_builder(
            host,
            port,
            token,
            tls,
            hosts,
            cert_pem,
            key_pem,
            public_host,
            spool,
            queue_bound,
            body_limit,
        )?;
        let receiver = block_on(
            py,
            self.client
                .start_webhook(builder, ValidateOptions::default()),
        )?
        .map_err(trd_error)?;
        Ok(WebhookReceiver::wrap(receiver))
    }
}

/// A core client from the keyword arguments every Python TRD client takes.
pub(crate) fn build_client(
    base_url: String,
    credentials: Credentials,
    timeout: f64,
    tls: TlsOptions,
    proxy: das::proxy::ProxySetting,
) -> PyResult<das::trd::TrdClient> {
    das::trd::TrdClient::builder(base_url)
        .credentials(credentials)
        .timeout(seconds(timeout, "timeout")?)
        .tls(tls)
        .proxy(proxy)
        .build()
        .map_err(trd_error)
}

/// A positive, finite number of seconds from Python.
pub(crate) fn seconds(value: f64, what: &str) -> PyResult<Duration> {
    match Duration::try_from_secs_f64(value) {
        // `try_from_secs_f64` refuses NaN, infinities and what no `Duration` holds.
        Ok(duration) if value > 0.0 => Ok(duration),
        _ => Err(das_error(
            Kind::InvalidArgument,
            format!("{what} must be a positive, finite number of seconds"),
        )),
    }
}

/// The credentials the keyword arguments give: a bearer token; username and password with a
/// license-server `token_url`, or alone for HTTP Basic; or none.
pub(crate) fn credentials(
    bearer: Option<String>,
    token_url: Option<String>,
    username: Option<String>,
    password: Option<String>,
) -> PyResult<Credentials> {
    Ok(match (bearer, token_url, username, password) {
        (None, None, None, None) => Credentials::None,
        (Some(token), None, None, None) => Credentials::Bearer(token),
        (None, Some(token_url), Some(username), Some(password)) => Credentials::LicenseServer {
            token_url,
            username,
            password,
        },
        (None, None, Some(username), Some(password)) => Credentials::Basic { username, password },
        _ => {
            return Err(das_error(
                Kind::InvalidArgument,
                "give bearer, or username and password (with token_url or without), or neither",
            ))
        }
    })
}

fn receiver_error(e: ReceiverError) -> PyErr {
    match e {
        ReceiverError::Bind { .. } => das_error(Kind::Connect, e),
        ReceiverError::Certificate(_) | ReceiverError::Tls(_) => das_error(Kind::Tls, e),
        ReceiverError::Spool { .. } => das_error(Kind::Io, e),
        ReceiverError::EmptyToken => das_error(Kind::InvalidToken, e),
    }
}

/// A TRD failure as the exception of its class ([`TrdError::kind`]).
pub(crate) fn trd_error(e: TrdError) -> PyErr {
    let kind = match e.kind() {
        TrdErrorKind::Auth => Kind::Auth,
        TrdErrorKind::Rejected => Kind::Rejected,
        TrdErrorKind::NotFound => Kind::NotFound,
        TrdErrorKind::Busy => Kind::Busy,
        TrdErrorKind::Timeout => Kind::Timeout,
        TrdErrorKind::Network | TrdErrorKind::NotReachable => Kind::Connect,
        TrdErrorKind::Tls => Kind::Tls,
        TrdErrorKind::Proxy => Kind::Proxy,
        TrdErrorKind::InvalidInput => match e.underlying() {
            TrdError::File { .. } => Kind::Io,
            TrdError::EmptyToken => Kind::InvalidToken,
            _ => Kind::InvalidArgument,
        },
        TrdErrorKind::JobFailed => Kind::JobFailed,
        TrdErrorKind::Protocol => Kind::Protocol,
        TrdErrorKind::Receiver => Kind::Io,
    };
    match e {
        TrdError::Receiver(inner) => receiver_error(inner),
        other => das_error(kind, other),
    }
}
