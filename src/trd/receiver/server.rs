//! The running receiver: the shared accept loop (connection limit, TLS handshake and
//! header-read deadlines) serving the webhook routes, and the application's side of the
//! delivery queue.

use std::collections::VecDeque;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinHandle;

use super::builder::{ReceiverBuilder, Tls};
use super::delivery::Delivery;
use super::error::ReceiverError;
use super::handler::{router, ReceiverState};
use super::seen::SeenDeliveries;
use super::spool::Spool;
use super::tls::{self, ServerIdentity};
use crate::trd::parse_webhook;

/// A running TRD webhook receiver. Dropping it stops the server (like [`shutdown`]).
///
/// [`shutdown`]: WebhookReceiver::shutdown
pub struct WebhookReceiver {
    local_addr: SocketAddr,
    url: String,
    certificate_pem: Option<String>,
    token: Option<String>,
    recovered: Mutex<VecDeque<Delivery>>,
    queue: tokio::sync::Mutex<mpsc::Receiver<Delivery>>,
    server: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for WebhookReceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookReceiver")
            .field("local_addr", &self.local_addr)
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

impl WebhookReceiver {
    /// A builder with the defaults described on each of its methods.
    pub fn builder() -> ReceiverBuilder {
        ReceiverBuilder::default()
    }

    pub(crate) async fn start(config: ReceiverBuilder) -> Result<WebhookReceiver, ReceiverError> {
        if config
            .token
            .as_deref()
            .is_some_and(|token| !crate::trd::verify::is_usable_token(token))
        {
            return Err(ReceiverError::EmptyToken);
        }
        let tls_mode = config.tls.clone().unwrap_or_else(|| Tls::SelfSigned {
            hosts: match &config.public_host {
                Some(host) => vec![host.clone()],
                None => vec!["127.0.0.1".into(), "localhost".into()],
            },
        });
        let identity: Option<ServerIdentity> = match &tls_mode {
            Tls::SelfSigned { hosts } => Some(tls::self_signed(hosts)?),
            Tls::Pem { cert, key } => Some(tls::from_pem(cert, key)?),
            Tls::Plain => None,
        };
        let seen = Arc::new(Mutex::new(SeenDeliveries::new(
            config.remembered_deliveries,
        )));
        let spool = match &config.spool {
            Some(dir) => Some(Arc::new(Spool::open(dir)?)),
            None => None,
        };
        let recovered = match &spool {
            Some(spool) => recover(spool, &seen)?,
            None => VecDeque::new(),
        };

        let listener =
            crate::listen::listen(config.bind).map_err(|source| ReceiverError::Bind {
                addr: config.bind,
                source,
            })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| ReceiverError::Bind {
                addr: config.bind,
                source,
            })?;
        let host = config
            .public_host
            .clone()
            .or_else(|| match &tls_mode {
                Tls::SelfSigned { hosts } => hosts.first().cloned(),
                _ => None,
            })
            .unwrap_or_else(|| display_ip(local_addr.ip()));
        let scheme = if identity.is_some() { "https" } else { "http" };
        let url = format!("{scheme}://{}:{}", bracket_ipv6(&host), local_addr.port());

        let (sender, receiver) = mpsc::channel(config.queue_bound);
        let state = Arc::new(ReceiverState {
            token: config.token.clone(),
            body_limit: config.body_limit,
            body_timeout: config.body_read_timeout,
            body_budget: Arc::new(Semaphore::new(
                config
                    .body_budget
                    .max(config.body_limit)
                    .min(Semaphore::MAX_PERMITS),
            )),
            min_body_rate: config.min_body_rate,
            queue: sender,
            spool,
            seen,
        });
        let certificate_pem = identity.as_ref().map(|i| i.certificate_pem.clone());
        let server = tokio::spawn(crate::serve::serve(
            listener,
            router(state),
            identity.map(|i| i.acceptor),
            config.limits,
            std::future::pending(),
        ));
        tracing::info!(%url, recovered = recovered.len(), "TRD webhook receiver listening");
        Ok(WebhookReceiver {
            local_addr,
            url,
            certificate_pem,
            token: config.token,
            recovered: Mutex::new(recovered),
            queue: tokio::sync::Mutex::new(receiver),
            server: Mutex::new(Some(server)),
        })
    }

    /// The address the listener is bound to (with the real port when bound to port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The base URL to register as a TRD callback (`https://host:port`); TRD appends
    /// `/{job_id}`, and `/{name}` before it for named callbacks.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The PEM of the server certificate (what `webhook/validate` takes as `crt`); `None` for
    /// plain HTTP.
    pub fn certificate_pem(&self) -> Option<&str> {
        self.certificate_pem.as_deref()
    }

    /// The token deliveries must carry, if one was configured.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// Waits up to `timeout` for the next delivery; `None` on timeout or after shutdown.
    /// Deliveries recovered from the spool come first. A zero timeout never blocks.
    pub async fn next_delivery(&self, timeout: Duration) -> Option<Delivery> {
        if let Some(delivery) = self.recovered.lock().ok()?.pop_front() {
            return Some(delivery);
        }
        // One deadline for both waits, so concurrent callers never wait longer than `timeout`.
        let deadline = crate::deadline::deadline_in(timeout);
        let mut queue = tokio::time::timeout_at(deadline, self.queue.lock())
            .await
            .ok()?;
        tokio::time::timeout_at(deadline, queue.recv())
            .await
            .ok()
            .flatten()
    }

    /// Stops accepting connections and closes the open ones. Deliveries already queued can
    /// still be taken with [`next_delivery`](Self::next_delivery).
    pub async fn shutdown(&self) {
        let server = self.server.lock().ok().and_then(|mut server| server.take());
        if let Some(server) = server {
            server.abort();
            // The task was aborted: its result only says so.
            let _ = server.await;
        }
    }
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        if let Some(server) = self.server.get_mut().ok().and_then(Option::take) {
            server.abort();
        }
    }
}

fn recover(
    spool: &Spool,
    seen: &Mutex<SeenDeliveries>,
) -> Result<VecDeque<Delivery>, ReceiverError> {
    let mut recovered = VecDeque::new();
    for file in spool.pending()? {
        let result = match parse_webhook(&file.body) {
            Ok(result) => result,
            Err(error) => {
                tracing::error!(path = %file.path.display(), %error, "unreadable spool file set aside");
                spool.reject(&file.path)?;
                continue;
            }
        };
        let duplicate = seen
            .lock()
            .map(|mut seen| seen.record((file.name.clone(), file.job_id.clone())))
            .unwrap_or(false);
        recovered.push_back(Delivery {
            job_id: file.job_id,
            name: file.name,
            result,
            body: Bytes::from(file.body),
            duplicate,
            recovered: true,
            spool_file: Some(file.path),
        });
    }
    Ok(recovered)
}

fn display_ip(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) if v4.is_unspecified() => Ipv4Addr::LOCALHOST.to_string(),
        IpAddr::V6(v6) if v6.is_unspecified() => "::1".into(),
        other => other.to_string(),
    }
}

fn bracket_ipv6(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}
