//! One accept loop for every server libdas runs (the AudioHook endpoint, the webhook receiver
//! and the emulator built on them): a connection cap, deadlines on the TLS handshake and on
//! request headers, and room made for newcomers by evicting connections that said nothing,
//! then connections kept alive between requests.

mod close;
mod refuse;
mod slots;
mod tracked;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::header::UPGRADE;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tower_service::Service;

pub use close::close_websocket;
use refuse::{making_room, refuse, Throttled};
use slots::{Admission, Slot, Slots, Standing};
use tracked::Tracked;

/// How long the loop pauses after an accept error that is not about one connection (out of
/// file descriptors, say), so it does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(10);

/// What one server lets its peers hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Connections open at once, WebSockets included. When every place is taken, the oldest
    /// connection that has not yet sent a whole request is closed to make room, else the one
    /// idle the longest between requests (once its last response is written; an upgrade it
    /// asks for in that instant is answered 503); when every one is serving a request or a
    /// WebSocket, a newcomer is refused (`503` on plain HTTP, closed on TLS) and a warning is
    /// logged.
    pub max_connections: usize,
    /// Time a connection gets for its TLS handshake and for each request's headers, the wait
    /// for the next request on a kept-alive connection included.
    pub header_read_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(10),
        }
    }
}

/// Serves `app` over HTTP/1.1 (with upgrades) on `listener` until `shutdown` resolves, then
/// waits for the connections still open to finish their requests. Every request carries the
/// peer address as [`ConnectInfo<SocketAddr>`](axum::extract::ConnectInfo).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    tls: Option<TlsAcceptor>,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Slots::new(limits.max_connections);
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut refused = Throttled::new("connection limit reached, refusing connections");
    let mut failures = Throttled::new("accept failed");
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) if is_about_one_connection(&error) => continue,
            Err(error) => {
                failures.hit(&error);
                // Out of descriptors: a silent or idle connection's descriptor is worth more to a
                // newcomer.
                slots.evict_one();
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let slot = match slots.admit() {
            Admission::Admit(slot) => slot,
            Admission::Refuse => {
                refused.hit(&format_args!(
                    "{} open, limit {}",
                    slots.open(),
                    slots.limit()
                ));
                refuse(stream, tls.is_none());
                continue;
            }
        };
        // Server messages are small: without TCP_NODELAY one may wait for a delayed ACK.
        let _ = stream.set_nodelay(true);
        connections.spawn(connection(
            stream,
            peer,
            slot,
            tls.clone(),
            app.clone(),
            limits.header_read_timeout,
            stopping.clone(),
        ));
        while connections.try_join_next().is_some() {}
    }
    let _ = stop.send(true);
    while connections.join_next().await.is_some() {}
}

fn is_about_one_connection(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
    )
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    slot: Slot,
    tls: Option<TlsAcceptor>,
    app: Router,
    header_read_timeout: Duration,
    stopping: watch::Receiver<bool>,
) {
    let standing = slot.standing();
    let io = Tracked::new(stream, slot);
    let served = async {
        let http = Http {
            peer,
            app,
            standing: standing.clone(),
            header_read_timeout,
            stopping,
        };
        match tls {
            None => http.serve(io).await,
            Some(acceptor) => {
                let tls = tokio::time::timeout(header_read_timeout, acceptor.accept(io))
                    .await
                    .map_err(|_| "TLS handshake timed out")??;
                http.serve(tls).await
            }
        }
    };
    tokio::select! {
        result = served => if let Err(error) = result {
            tracing::debug!(%peer, %error, "connection ended with an error");
        },
        () = standing.evicted() => {
            tracing::debug!(%peer, "connection closed to make room: no request yet");
        }
    }
}

/// One connection's HTTP side.
struct Http {
    peer: SocketAddr,
    app: Router,
    standing: Arc<Standing>,
    header_read_timeout: Duration,
    stopping: watch::Receiver<bool>,
}

impl Http {
    async fn serve<IO>(mut self, io: IO) -> Result<(), Box<dyn std::error::Error + Send + Sync>>
    where
        IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let (peer, app, standing) = (self.peer, self.app, self.standing);
        let serving = standing.clone();
        let service = service_fn(move |mut request: Request<Incoming>| {
            let staying = serving.request_started();
            request.extensions_mut().insert(ConnectInfo(peer));
            let (mut app, standing) = (app.clone(), serving.clone());
            async move {
                // Told to close to make room as this request came: hyper serves it, but a
                // WebSocket would outlive the place the connection has given up.
                if !staying && request.headers().contains_key(UPGRADE) {
                    return Ok(making_room());
                }
                let response = app.call(request).await;
                // An upgraded connection is a WebSocket's from now on: busy for good.
                let upgraded =
                    matches!(&response, Ok(r) if r.status() == StatusCode::SWITCHING_PROTOCOLS);
                if !upgraded {
                    standing.request_done();
                }
                response
            }
        });
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(self.header_read_timeout);
        let connection = builder
            .serve_connection(TokioIo::new(io), service)
            .with_upgrades();
        tokio::pin!(connection);
        tokio::select! {
            result = connection.as_mut() => return Ok(result?),
            Ok(_) = self.stopping.wait_for(|stopping| *stopping) => {}
            () = standing.retired() => {
                tracing::debug!(%peer, "connection closed to make room: idle between requests");
            }
        }
        connection.as_mut().graceful_shutdown();
        Ok(connection.await?)
    }
}
