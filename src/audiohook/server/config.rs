//! What an AudioHook server accepts: keys, signature policy, media selection, timeouts.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crate::audiohook::messages::{MediaParameter, OpenParameters};
use crate::audiohook::secret::ClientSecret;
use crate::audiohook::signature::Verifier;
use crate::serve::ConnectionLimits;

/// Picks at most one of the offered media entries for an `open`.
pub type MediaSelector = Arc<dyn Fn(&OpenParameters) -> Option<MediaParameter> + Send + Sync>;

/// Server configuration.
#[derive(Clone)]
pub struct ServerConfig {
    /// API key → client secret. An empty secret accepts unsigned requests for that key.
    pub keys: HashMap<String, ClientSecret>,
    /// Signature age and clock-skew policy.
    pub verifier: Verifier,
    /// Media selection; the default takes the first offered entry.
    pub select_media: MediaSelector,
    /// Ask clients to start paused (`opened.startPaused`).
    pub start_paused: bool,
    /// How long an upgraded connection may stay without `open` before it is closed. Genesys
    /// gives up on `opened` after 5 s, so a peer still silent then is not Genesys.
    pub open_timeout: Duration,
    /// How long to wait for the socket to close after `closed` or a `disconnect`.
    pub idle_timeout: Duration,
    /// What [`AudioHookServer::bind`](super::AudioHookServer::bind)'s listener lets peers
    /// hold (connections, header deadline); an application that mounts
    /// [`router`](super::AudioHookServer::router) in its own server sets its own.
    pub connection_limits: ConnectionLimits,
    /// Bytes of unread events (audio counted raw plus decoded) one session queues for the
    /// application; while full, the session stops reading its socket, so a client sending
    /// faster than the application consumes is held back by TCP, not buffered.
    pub event_queue_bytes: usize,
    /// How far the audio received may run ahead of the time since `opened` before the
    /// session is ended with `disconnect{reason:"error"}` saying why. Genesys streams in real
    /// time; `None` accepts any rate (a test client sending as fast as it can).
    pub max_audio_lead: Option<Duration>,
    /// How long an opened session may send nothing (no audio, no `ping`: Genesys pings every
    /// 5 s, paused or not) before it is ended with `disconnect{reason:"error"}`, so a peer
    /// cannot hold a session and its connection place by keeping quiet. `None`: no limit.
    pub quiet_timeout: Option<Duration>,
    /// How authentication failures are signalled.
    pub auth_failure: AuthFailure,
    /// Failures are answered no sooner than this after the upgrade request, so response
    /// timing tells a prober little (the reference implementation uses 500 ms).
    pub auth_failure_delay: Duration,
}

/// How a server signals a failed API-key or signature check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthFailure {
    /// Accept the WebSocket and answer `open` with `disconnect{reason:"unauthorized"}`
    /// (the reference implementation's default).
    #[default]
    Disconnect,
    /// Refuse the upgrade with HTTP 401.
    Http401,
}

impl ServerConfig {
    /// A configuration accepting `api_key` with `secret`.
    pub fn with_key(api_key: impl Into<String>, secret: ClientSecret) -> Self {
        ServerConfig {
            keys: HashMap::from([(api_key.into(), secret)]),
            ..ServerConfig::default()
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            keys: HashMap::new(),
            verifier: Verifier::default(),
            select_media: Arc::new(|open: &OpenParameters| open.media.first().cloned()),
            start_paused: false,
            open_timeout: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(10),
            connection_limits: ConnectionLimits::default(),
            event_queue_bytes: 1 << 20,
            max_audio_lead: Some(Duration::from_secs(60)),
            quiet_timeout: Some(Duration::from_secs(60)),
            auth_failure: AuthFailure::Disconnect,
            auth_failure_delay: Duration::from_millis(500),
        }
    }
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("keys", &self.keys.len())
            .field("verifier", &self.verifier)
            .field("start_paused", &self.start_paused)
            .field("open_timeout", &self.open_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("connection_limits", &self.connection_limits)
            .field("event_queue_bytes", &self.event_queue_bytes)
            .field("max_audio_lead", &self.max_audio_lead)
            .field("quiet_timeout", &self.quiet_timeout)
            .field("auth_failure", &self.auth_failure)
            .field("auth_failure_delay", &self.auth_failure_delay)
            .finish_non_exhaustive()
    }
}
