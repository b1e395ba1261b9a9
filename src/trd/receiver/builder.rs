//! Configuration of a [`WebhookReceiver`](super::WebhookReceiver).

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::error::ReceiverError;
use super::server::WebhookReceiver;
use crate::serve::ConnectionLimits;

/// How the receiver speaks TLS.
#[derive(Clone)]
pub enum Tls {
    /// Generate a self-signed certificate for these DNS names / IP addresses (TRD's cloud only
    /// calls HTTPS hooks; the PEM goes to `webhook/validate`).
    SelfSigned {
        /// Subject alternative names of the certificate.
        hosts: Vec<String>,
    },
    /// The user's certificate chain and private key, PEM text.
    Pem {
        /// The certificate chain, leaf first.
        cert: String,
        /// The private key (never logged).
        key: String,
    },
    /// Plain HTTP, for on-premises TRD or a TLS-terminating proxy in front.
    Plain,
}

impl fmt::Debug for Tls {
    // The private key must never reach a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tls::SelfSigned { hosts } => {
                f.debug_struct("SelfSigned").field("hosts", hosts).finish()
            }
            Tls::Pem { .. } => f.write_str("Pem { cert: .., key: <redacted> }"),
            Tls::Plain => f.write_str("Plain"),
        }
    }
}

/// Builder for [`WebhookReceiver`]; every setting has a default, see each method.
#[derive(Clone)]
pub struct ReceiverBuilder {
    pub(crate) bind: SocketAddr,
    pub(crate) public_host: Option<String>,
    pub(crate) token: Option<String>,
    pub(crate) tls: Option<Tls>,
    pub(crate) spool: Option<PathBuf>,
    pub(crate) queue_bound: usize,
    pub(crate) body_limit: usize,
    pub(crate) limits: ConnectionLimits,
    pub(crate) body_read_timeout: Duration,
    pub(crate) body_budget: usize,
    pub(crate) min_body_rate: u32,
    pub(crate) remembered_deliveries: usize,
}

impl Default for ReceiverBuilder {
    fn default() -> Self {
        ReceiverBuilder {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            public_host: None,
            token: None,
            tls: None,
            spool: None,
            queue_bound: 1024,
            body_limit: 32 * 1024 * 1024,
            limits: ConnectionLimits {
                max_connections: 256,
                header_read_timeout: Duration::from_secs(10),
            },
            body_read_timeout: Duration::from_secs(60),
            body_budget: 128 * 1024 * 1024,
            min_body_rate: 8 * 1024,
            remembered_deliveries: 100_000,
        }
    }
}

impl fmt::Debug for ReceiverBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceiverBuilder")
            .field("bind", &self.bind)
            .field("public_host", &self.public_host)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("tls", &self.tls)
            .field("spool", &self.spool)
            .field("queue_bound", &self.queue_bound)
            .field("body_limit", &self.body_limit)
            .field("body_budget", &self.body_budget)
            .field("min_body_rate", &self.min_body_rate)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl ReceiverBuilder {
    /// Address to listen on. Default `127.0.0.1:0` (loopback, a free port); use `0.0.0.0:8443`
    /// to be reachable by TRD.
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// Host name or IP TRD uses to reach this receiver; it goes into [`WebhookReceiver::url`]
    /// and, with the default TLS, into the self-signed certificate. Default: the first
    /// self-signed host, else the bind address (loopback when bound to an unspecified address).
    pub fn public_host(mut self, host: impl Into<String>) -> Self {
        self.public_host = Some(host.into());
        self
    }

    /// Requires every delivery to carry this top-level `token` (compared in constant time);
    /// missing or different → 401. Default: no token check. An empty token is refused at
    /// `start` ([`ReceiverError::EmptyToken`]).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// TLS mode. Default: [`Tls::SelfSigned`] for the public host (or `127.0.0.1` and
    /// `localhost`).
    pub fn tls(mut self, tls: Tls) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Keeps every accepted body in `dir` until acknowledged; pending files are delivered again
    /// when a receiver starts on the same directory. Default: no spool (in-memory only).
    pub fn spool(mut self, dir: impl Into<PathBuf>) -> Self {
        self.spool = Some(dir.into());
        self
    }

    /// Deliveries waiting for the application before new ones get 503 + Retry-After.
    /// Default 1024; at least 1.
    pub fn queue_bound(mut self, bound: usize) -> Self {
        self.queue_bound = bound.max(1);
        self
    }

    /// Largest accepted body in bytes (larger → 413). Default 32 MiB.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Connections open at once. When all are taken, the oldest one that has not sent a
    /// request yet is closed to make room, else the oldest kept alive between requests (once
    /// its last response is written); when every one is serving a request, a newcomer is
    /// refused (closed on HTTPS, `503` on plain HTTP). Default 256.
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.limits.max_connections = connections.max(1);
        self
    }

    /// Time a connection may take for the TLS handshake and for each request's headers
    /// (including the wait for the next request on a kept-alive connection). Default 10 s.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.header_read_timeout = timeout;
        self
    }

    /// Time a request may take to send its body (→ 408). Default 60 s.
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.body_read_timeout = timeout;
        self
    }

    /// Bytes of request bodies read at once across all connections (each body holds what
    /// arrived so far, until answered); a body that finds the budget spent, or declares more
    /// than is left, gets `503` + `Retry-After`. Bounds what unauthenticated peers can make
    /// the receiver hold: the token is only known once a body is read. Default 128 MiB, and
    /// never less than [`body_limit`](Self::body_limit).
    pub fn body_budget(mut self, bytes: usize) -> Self {
        self.body_budget = bytes;
        self
    }

    /// Bytes per second a body must average after its first two seconds (→ 408), so slow
    /// senders cannot hold connections for the whole body timeout. Default 8 KiB/s.
    pub fn min_body_rate(mut self, bytes_per_second: u32) -> Self {
        self.min_body_rate = bytes_per_second.max(1);
        self
    }

    /// How many (name, job id) pairs are remembered to flag duplicates. Default 100 000.
    pub fn remembered_deliveries(mut self, count: usize) -> Self {
        self.remembered_deliveries = count;
        self
    }

    /// Binds the listener, recovers the spool and starts serving.
    pub async fn start(self) -> Result<WebhookReceiver, ReceiverError> {
        WebhookReceiver::start(self).await
    }
}
