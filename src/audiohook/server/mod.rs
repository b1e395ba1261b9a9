//! The AudioHook server: accepts upgrades, authenticates, runs each session's state machine
//! and hands the application a [`ServerSession`] per accepted `open`, usable standalone
//! ([`AudioHookServer::bind`]) or mounted in an axum application ([`AudioHookServer::router`]).

mod auth;
mod config;
mod events;
mod live;
mod session;

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::sync::mpsc;

use crate::audiohook::signature::NonceCache;
use live::LiveSessions;

pub use auth::Upgrade;
pub use config::{AuthFailure, MediaSelector, ServerConfig};
pub use events::{AudioFrame, ServerSession, SessionControl, SessionEnd, SessionEvent};

/// Largest WebSocket message read at all; text above 64 KiB is rejected by the session with
/// a `disconnect`, which needs the message to be read first.
const MAX_WS_MESSAGE: usize = 1 << 20;

/// Initial read buffer per connection (it grows for larger messages). Audio frames are
/// 1.6–6.4 KB; the default 128 KiB would be most of a session's memory
/// (benches/RESULTS.md, audiohook_streams).
const READ_BUFFER_BYTES: usize = 8192;

/// An AudioHook endpoint. Clone it freely; every clone feeds the same session queue.
#[derive(Clone)]
pub struct AudioHookServer {
    config: Arc<ServerConfig>,
    sessions: mpsc::Sender<ServerSession>,
    /// Signatures already accepted, so none is accepted twice.
    nonces: Arc<NonceCache>,
    /// Session ids open now, so none is opened twice at once.
    live: Arc<LiveSessions>,
}

/// Shows how many API keys it accepts, not the keys or their secrets.
impl fmt::Debug for AudioHookServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AudioHookServer")
            .field("api_keys", &self.config.keys.len())
            .finish_non_exhaustive()
    }
}

/// The stream of opened sessions of an [`AudioHookServer`].
#[derive(Debug)]
pub struct Incoming {
    sessions: mpsc::Receiver<ServerSession>,
}

impl Incoming {
    /// The next session whose `open` was accepted; `None` once every server clone is gone.
    pub async fn next(&mut self) -> Option<ServerSession> {
        self.sessions.recv().await
    }
}

impl AudioHookServer {
    /// A server with `config`, plus the queue of sessions it accepts.
    pub fn new(config: ServerConfig) -> (AudioHookServer, Incoming) {
        let (sessions, receiver) = mpsc::channel(64);
        (
            AudioHookServer {
                config: Arc::new(config),
                sessions,
                nonces: Arc::new(NonceCache::new()),
                live: Arc::new(LiveSessions::default()),
            },
            Incoming { sessions: receiver },
        )
    }

    /// An axum router serving the endpoint at `path` (e.g. `/audiohook/ws`), ready to be
    /// merged into a larger application.
    pub fn router(&self, path: &str) -> Router {
        Router::new()
            .route(path, get(upgrade))
            .with_state(self.clone())
    }

    /// Serves the endpoint at `path` on its own listener (port 0 picks a free port), within
    /// the configuration's [`connection_limits`](ServerConfig::connection_limits), and
    /// returns the bound address. The server runs until the task is aborted.
    pub async fn bind(
        config: ServerConfig,
        addr: SocketAddr,
        path: &str,
    ) -> std::io::Result<(SocketAddr, Incoming, tokio::task::JoinHandle<()>)> {
        let limits = config.connection_limits;
        let (server, incoming) = AudioHookServer::new(config);
        let listener = crate::listen::listen(addr)?;
        let local = listener.local_addr()?;
        let app = server.router(path);
        let task = tokio::spawn(crate::serve::serve(
            listener,
            app,
            None,
            limits,
            std::future::pending(),
        ));
        Ok((local, incoming, task))
    }
}

async fn upgrade(
    State(server): State<AudioHookServer>,
    ws: WebSocketUpgrade,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let upgrade = match Upgrade::check(&server.config, &server.nonces, &uri, &headers) {
        Ok(upgrade) => upgrade,
        Err(problem) => return (StatusCode::BAD_REQUEST, problem).into_response(),
    };
    if upgrade.auth.is_err() && server.config.auth_failure == AuthFailure::Http401 {
        tokio::time::sleep_until(crate::deadline::deadline_after(
            upgrade.received,
            server.config.auth_failure_delay,
        ))
        .await;
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let config = server.config.clone();
    let sessions = server.sessions.clone();
    let live = server.live.clone();
    ws.max_message_size(MAX_WS_MESSAGE)
        .read_buffer_size(READ_BUFFER_BYTES)
        .on_upgrade(move |socket| session::run(socket, upgrade, config, sessions, live))
}
