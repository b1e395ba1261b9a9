use std::fmt;
use std::time::Duration;

use serde_json::Value;

use crate::auth::TokenProvider;
use crate::proxy::ProxySetting;
use crate::tls::TlsOptions;

/// How to connect: the python-socketio `connect()` arguments plus timeouts and reconnection.
#[derive(Clone)]
pub struct ConnectOptions {
    pub(crate) url: String,
    pub(crate) socketio_path: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) token: Option<TokenProvider>,
    pub(crate) auth: Option<Value>,
    pub(crate) namespaces: Vec<String>,
    pub(crate) connect_timeout: Duration,
    pub(crate) reconnection: Reconnection,
    pub(crate) tls: TlsOptions,
    pub(crate) proxy: ProxySetting,
    pub(crate) event_capacity: usize,
    pub(crate) event_bytes: usize,
    pub(crate) max_incoming_message: usize,
}

impl ConnectOptions {
    /// `url` as given to python-socketio (`https://host/socket.io`): its path is ignored, the
    /// Engine.IO path comes from [`socketio_path`](Self::socketio_path).
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            socketio_path: "socket.io".to_owned(),
            headers: Vec::new(),
            token: None,
            auth: None,
            namespaces: Vec::new(),
            connect_timeout: Duration::from_secs(10),
            reconnection: Reconnection::default(),
            tls: TlsOptions::default(),
            proxy: ProxySetting::default(),
            event_capacity: 256,
            event_bytes: 16 << 20,
            max_incoming_message: 16 << 20,
        }
    }

    /// Engine.IO path (default `socket.io`).
    pub fn socketio_path(mut self, path: impl Into<String>) -> Self {
        self.socketio_path = path.into();
        self
    }

    /// Adds a header to the WebSocket upgrade request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sends `Authorization: <provider.authorization()>` on every connection attempt, so a
    /// reconnection carries a fresh token. A refused attempt (see
    /// [`SocketIoError::is_refusal`](super::SocketIoError::is_refusal)) makes the provider
    /// forget the token it sent, if it still holds it.
    pub fn token_provider(mut self, provider: TokenProvider) -> Self {
        self.token = Some(provider);
        self
    }

    /// Auth payload of every namespace CONNECT packet.
    pub fn auth(mut self, auth: Value) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Adds a namespace to connect (a leading `/` is added when missing). Default: `/` only.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        let ns = namespace.into();
        let ns = if ns.starts_with('/') {
            ns
        } else {
            format!("/{ns}")
        };
        if !self.namespaces.contains(&ns) {
            self.namespaces.push(ns);
        }
        self
    }

    /// Bound on the WebSocket handshake, the open packet and every namespace reply (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Reconnection after a transport loss (default: on, 5 attempts).
    pub fn reconnection(mut self, reconnection: Reconnection) -> Self {
        self.reconnection = reconnection;
        self
    }

    /// Roots trusted for `https://` / `wss://` servers (default: the webpki roots).
    pub fn tls(mut self, tls: TlsOptions) -> Self {
        self.tls = tls;
        self
    }

    /// The proxy to the server (default: from the environment; see [`ProxySetting`]).
    pub fn proxy(mut self, proxy: ProxySetting) -> Self {
        self.proxy = proxy;
        self
    }

    /// Capacity of the incoming event queue (default 256). A full queue pauses reading.
    pub fn event_capacity(mut self, capacity: usize) -> Self {
        self.event_capacity = capacity.max(1);
        self
    }

    /// Bytes the incoming event queue holds, counted as received on the wire (default
    /// 16 MiB; one larger event still passes, alone). A full queue pauses reading, so a slow
    /// reader holds the server back instead of filling memory.
    pub fn event_bytes(mut self, bytes: usize) -> Self {
        self.event_bytes = bytes.max(1);
        self
    }

    /// Largest incoming WebSocket message accepted (default 16 MiB).
    pub fn max_incoming_message(mut self, bytes: usize) -> Self {
        self.max_incoming_message = bytes;
        self
    }

    pub(crate) fn namespaces(&self) -> Vec<String> {
        if self.namespaces.is_empty() {
            vec!["/".to_owned()]
        } else {
            self.namespaces.clone()
        }
    }
}

impl fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("ConnectOptions")
            .field("url", &self.url)
            .field("socketio_path", &self.socketio_path)
            .field("header_names", &header_names)
            .field("token", &self.token)
            .field("auth", &self.auth.as_ref().map(|_| "<redacted>"))
            .field("namespaces", &self.namespaces)
            .field("connect_timeout", &self.connect_timeout)
            .field("reconnection", &self.reconnection)
            .field("proxy", &self.proxy)
            .finish_non_exhaustive()
    }
}

/// Reconnection after transport loss, like python-socketio: exponential backoff with jitter.
#[derive(Clone, Debug)]
pub struct Reconnection {
    /// Whether to reconnect at all.
    pub enabled: bool,
    /// Attempts before giving up (0 = never give up).
    pub max_attempts: u32,
    /// Delay before the first attempt; doubles per attempt.
    pub delay: Duration,
    /// Longest delay, before jitter.
    pub delay_max: Duration,
    /// Each delay is scaled by a random factor in `1 ± randomization`.
    pub randomization: f64,
}

impl Default for Reconnection {
    fn default() -> Self {
        Self {
            enabled: true,
            max_attempts: 5,
            delay: Duration::from_secs(1),
            delay_max: Duration::from_secs(5),
            randomization: 0.5,
        }
    }
}

impl Reconnection {
    /// No reconnection: a transport loss ends the connection.
    pub fn disabled() -> Self {
        Self {
            enabled: false,
            ..Self::default()
        }
    }

    /// Delay before attempt `attempt` (1-based).
    pub(crate) fn delay_for(&self, attempt: u32) -> Duration {
        let exp = 2f64.powi(attempt.saturating_sub(1).min(30) as i32);
        let base = (self.delay.as_secs_f64() * exp).min(self.delay_max.as_secs_f64());
        let jitter = self.randomization.clamp(0.0, 1.0) * (2.0 * rand::random::<f64>() - 1.0);
        // A cap of `Duration::MAX` plus jitter is past what a `Duration` holds: no limit.
        Duration::try_from_secs_f64((base * (1.0 + jitter)).max(0.0)).unwrap_or(Duration::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_within_jitter_and_cap() {
        let r = Reconnection {
            delay: Duration::from_millis(100),
            delay_max: Duration::from_millis(400),
            randomization: 0.5,
            ..Reconnection::default()
        };
        for (attempt, base) in [(1, 100.0), (2, 200.0), (3, 400.0), (9, 400.0)] {
            let d = r.delay_for(attempt).as_secs_f64() * 1000.0;
            assert!(
                d >= base * 0.5 - 1e-6 && d <= base * 1.5 + 1e-6,
                "attempt {attempt}: {d}"
            );
        }
    }

    #[test]
    fn unbounded_delays_stay_unbounded() {
        let r = Reconnection {
            delay: Duration::MAX,
            delay_max: Duration::MAX,
            randomization: 1.0,
            ..Reconnection::default()
        };
        for attempt in [1, 2, 40] {
            assert!(r.delay_for(attempt) > Duration::from_secs(86_400 * 365 * 1000));
        }
    }

    #[test]
    fn namespaces_are_normalised_and_default_to_root() {
        assert_eq!(ConnectOptions::new("http://h").namespaces(), vec!["/"]);
        let o = ConnectOptions::new("http://h")
            .namespace("socket.io/register")
            .namespace("/socket.io/register");
        assert_eq!(o.namespaces(), vec!["/socket.io/register"]);
    }

    #[test]
    fn debug_hides_header_values_and_auth() {
        let o = ConnectOptions::new("http://h")
            .header("Authorization", "Bearer s3cr3t")
            .auth(serde_json::json!({"token":"t0k"}));
        let s = format!("{o:?}");
        assert!(!s.contains("s3cr3t") && !s.contains("t0k"), "{s}");
    }
}
