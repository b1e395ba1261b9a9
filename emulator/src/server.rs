//! Starting and stopping the emulator: one listener (libdas's accept loop, with its
//! connection limits) serves the token endpoint, Socket.IO, the audio consumers and TRD.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use das::serve::ConnectionLimits;
use socketioxide::SocketIo;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::auth::token_endpoint;
use crate::config::EmulatorConfig;
use crate::consumers::{audiohook_router, twilio_ws, BadAudiohookKey};
use crate::description::EmulatorDescription;
use crate::faults::Faults;
use crate::session::SessionRegistry;
use crate::signalling::register_namespaces;
use crate::state::{AppState, FaultSwitch};
use crate::timing::{EventTimingLog, TimingLogError};
use crate::tls_front::{PrivateCa, PrivateCaError, TlsFront};

/// How long [`EmulatorHandle::shutdown`] waits for connections to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    AudiohookKey(#[from] BadAudiohookKey),
    #[error(transparent)]
    TimingLog(#[from] TimingLogError),
    #[error("emulator TLS front: {0}")]
    TlsFrontCa(#[from] PrivateCaError),
    #[error("emulator TLS front: {0}")]
    TlsFront(std::io::Error),
}

/// What an extra audio consumer (e.g. the AudioHook server) needs from the emulator.
#[derive(Debug, Clone)]
pub struct ConsumerContext {
    /// Attach incoming streams to sessions by `call_id`.
    pub registry: SessionRegistry,
    /// Live fault switches (the AudioHook consumer reads `audiohook_pause`).
    pub faults: FaultSwitch,
    /// Largest audio message to accept, in bytes.
    pub max_message_bytes: usize,
    /// How long to wait for a stream's opening message.
    pub audio_timeout: Duration,
}

/// The emulator. See the crate docs for what it serves.
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// Starts an emulator with the built-in consumers.
    pub async fn start(config: EmulatorConfig) -> Result<EmulatorHandle, EmulatorError> {
        Self::start_with(config, |_| Router::new()).await
    }

    /// Starts an emulator and merges the routes `extra` builds (an application's own test
    /// endpoints, say) into its router.
    pub async fn start_with(
        config: EmulatorConfig,
        extra: impl FnOnce(ConsumerContext) -> Router,
    ) -> Result<EmulatorHandle, EmulatorError> {
        let listener = das::listen::listen(config.bind).map_err(|source| EmulatorError::Bind {
            addr: config.bind,
            source,
        })?;
        let addr = listener
            .local_addr()
            .map_err(|source| EmulatorError::Bind {
                addr: config.bind,
                source,
            })?;
        let audiohook_config = config.audiohook.clone();
        let timing = match &config.event_timing_log {
            Some(path) => Some(Arc::new(EventTimingLog::open(path)?)),
            None => None,
        };
        let state = AppState::new(config, timing);
        let (socketio, io) = SocketIo::builder().with_state(state.clone()).build_svc();
        register_namespaces(&io);
        let context = ConsumerContext {
            registry: state.registry.clone(),
            faults: state.faults.clone(),
            max_message_bytes: state.config.max_audio_message_bytes,
            audio_timeout: Duration::from_millis(state.config.audio_timeout_ms),
        };
        let app = Router::new()
            .route("/socket.io/oauth2/token", post(token_endpoint))
            .route("/auth/token", post(crate::trd::license_token))
            .route("/twilio/ws", get(twilio_ws))
            .with_state(state.clone())
            .nest("/trd/v3", crate::trd::router(state.clone()))
            .merge(crate::admin::router(state.clone()))
            .route_service("/socket.io/", socketio.clone())
            .route_service("/socket.io", socketio)
            .merge(audiohook_router(&audiohook_config, context.clone())?)
            .merge(extra(context));
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let limits = ConnectionLimits {
            max_connections: state.config.max_connections,
            header_read_timeout: Duration::from_millis(state.config.header_read_timeout_ms),
        };
        let server = tokio::spawn(das::serve::serve(listener, app, None, limits, async {
            let _ = stop_rx.await;
        }));
        // Its private CA is trusted nowhere by default: clients rehearse trusting it
        // (SSL_CERT_FILE, an extra PEM) as they would an inspecting proxy's root.
        let ca = PrivateCa::generate()?;
        let tls_front = TlsFront::start(addr, &ca)
            .await
            .map_err(EmulatorError::TlsFront)?;
        tracing::info!(%addr, "emulator listening");
        Ok(EmulatorHandle {
            addr,
            state,
            io,
            tls_front,
            tls_ca_pem: ca.ca_pem().to_owned(),
            stop: Some(stop_tx),
            server: Some(server),
        })
    }
}

/// A running emulator. Dropping it without [`EmulatorHandle::shutdown`] stops accepting
/// connections but does not wait for them.
pub struct EmulatorHandle {
    addr: SocketAddr,
    state: Arc<AppState>,
    io: SocketIo,
    /// HTTPS/WSS on another port, relayed to `addr`, with a certificate of a private CA.
    tls_front: TlsFront,
    tls_ca_pem: String,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorHandle")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl EmulatorHandle {
    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What a client passes to Socket.IO `connect`, as in the documented example.
    pub fn socketio_url(&self) -> String {
        format!("{}/socket.io", self.base_url())
    }

    /// The OAuth2 token endpoint.
    pub fn token_url(&self) -> String {
        format!("{}/socket.io/oauth2/token", self.base_url())
    }

    /// The Twilio Media Streams consumer.
    pub fn twilio_url(&self) -> String {
        format!("ws://{}/twilio/ws", self.addr)
    }

    /// The AudioHook consumer (`ws://127.0.0.1:PORT/audiohook/ws`).
    pub fn audiohook_url(&self) -> String {
        format!("ws://{}/audiohook/ws", self.addr)
    }

    /// The TRD v3 API base (`http://127.0.0.1:PORT/trd/v3`).
    pub fn trd_url(&self) -> String {
        format!("{}/trd/v3", self.base_url())
    }

    /// The TLS front's URL for `path`, e.g. `tls_url("wss", "/audiohook/ws")`
    /// (`wss://localhost:PORT/audiohook/ws`); its certificate is issued by
    /// [`tls_ca_pem`](Self::tls_ca_pem).
    pub fn tls_url(&self, scheme: &str, path: &str) -> String {
        self.tls_front.url(scheme, path)
    }

    /// The private CA behind [`tls_url`](Self::tls_url), the root a client must trust.
    pub fn tls_ca_pem(&self) -> &str {
        &self.tls_ca_pem
    }

    /// The TRD license server's token endpoint (`http://127.0.0.1:PORT/auth/token`).
    pub fn trd_license_url(&self) -> String {
        format!("{}/auth/token", self.base_url())
    }

    /// The first configured license-server user.
    pub fn trd_license_user(&self) -> &str {
        self.state
            .config
            .trd
            .license_users
            .keys()
            .next()
            .map_or("", String::as_str)
    }

    /// The password of [`trd_license_user`](Self::trd_license_user).
    pub fn trd_license_password(&self) -> &str {
        self.state
            .config
            .trd
            .license_users
            .values()
            .next()
            .map_or("", String::as_str)
    }

    /// The first configured client id.
    pub fn client_id(&self) -> &str {
        self.state
            .config
            .clients
            .first()
            .map_or("", |c| c.client_id.as_str())
    }

    /// The first configured client secret.
    pub fn client_secret(&self) -> &str {
        self.state
            .config
            .clients
            .first()
            .map_or("", |c| c.client_secret.as_str())
    }

    /// The first configured AudioHook API key (`X-API-KEY`).
    pub fn audiohook_api_key(&self) -> &str {
        self.state
            .config
            .audiohook
            .keys
            .keys()
            .next()
            .map_or("", String::as_str)
    }

    /// The base64 client secret of [`audiohook_api_key`](Self::audiohook_api_key).
    pub fn audiohook_client_secret(&self) -> &str {
        self.state
            .config
            .audiohook
            .keys
            .values()
            .next()
            .map_or("", String::as_str)
    }

    /// The first accepted TRD bearer token.
    pub fn trd_token(&self) -> &str {
        self.state
            .config
            .trd
            .tokens
            .first()
            .map_or("", String::as_str)
    }

    /// Emulator-only: where `PUT` with a JSON [`Faults`] object replaces the fault switches
    /// (loopback clients only).
    pub fn faults_url(&self) -> String {
        format!("{}{}", self.base_url(), crate::admin::FAULTS_PATH)
    }

    /// Every URL and credential above in one value: what `das emulator` prints.
    pub fn description(&self) -> EmulatorDescription {
        EmulatorDescription {
            base_url: self.base_url(),
            socketio_url: self.socketio_url(),
            token_url: self.token_url(),
            audiohook_url: self.audiohook_url(),
            twilio_url: self.twilio_url(),
            trd_url: self.trd_url(),
            trd_license_url: self.trd_license_url(),
            faults_url: self.faults_url(),
            client_id: self.client_id().to_owned(),
            client_secret: self.client_secret().to_owned(),
            audiohook_api_key: self.audiohook_api_key().to_owned(),
            audiohook_client_secret: self.audiohook_client_secret().to_owned(),
            trd_token: self.trd_token().to_owned(),
            trd_license_user: self.trd_license_user().to_owned(),
            trd_license_password: self.trd_license_password().to_owned(),
            tls_socketio_url: self.tls_url("https", "/socket.io"),
            tls_token_url: self.tls_url("https", "/socket.io/oauth2/token"),
            tls_audiohook_url: self.tls_url("wss", "/audiohook/ws"),
            tls_trd_url: self.tls_url("https", "/trd/v3"),
            tls_trd_license_url: self.tls_url("https", "/auth/token"),
            tls_ca_pem: self.tls_ca_pem.clone(),
        }
    }

    /// The configuration the emulator runs with.
    pub fn config(&self) -> &EmulatorConfig {
        &self.state.config
    }

    /// The live session registry.
    pub fn registry(&self) -> &SessionRegistry {
        &self.state.registry
    }

    /// How many das-Peak access tokens the token endpoint has issued.
    pub fn tokens_issued(&self) -> u64 {
        self.state.tokens.issued()
    }

    /// How many TRD bearer tokens the license server (`/auth/token`) has issued.
    pub fn trd_license_tokens_issued(&self) -> u64 {
        self.state.trd_license_tokens.issued()
    }

    /// Replaces the fault switches; new requests and sessions see them.
    pub fn set_faults(&self, faults: Faults) {
        self.state.replace_faults(faults);
    }

    /// Cancels sessions (and waits for their tasks to finish), disconnects sockets and
    /// waits for the server to stop, each within a grace period.
    pub async fn shutdown(mut self) {
        self.state.registry.cancel_all();
        let sessions_done = async {
            while !self.state.registry.is_empty() {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        };
        if tokio::time::timeout(SHUTDOWN_GRACE, sessions_done)
            .await
            .is_err()
        {
            tracing::warn!("sessions still live after the shutdown grace");
        }
        self.io.close().await;
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            if tokio::time::timeout(SHUTDOWN_GRACE, server).await.is_err() {
                tracing::warn!("emulator connections still open after the shutdown grace");
            }
        }
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
