use std::fmt;
use std::time::Duration;

use serde_json::Value;

use crate::auth::AuthError;
use crate::tls::TlsError;

/// The peer broke the Engine.IO / Socket.IO wire format.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("protocol error: {0}")]
pub struct ProtocolError(String);

impl ProtocolError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }

    /// What was wrong.
    pub fn message(&self) -> &str {
        &self.0
    }
}

/// Errors of the Socket.IO client.
#[derive(Debug, thiserror::Error)]
pub enum SocketIoError {
    /// The server URL cannot be used (scheme, host).
    #[error("invalid URL: {0}")]
    InvalidUrl(String),
    /// A header name or value is not valid HTTP.
    #[error("invalid header: {0}")]
    InvalidHeader(String),
    /// The TLS configuration (trusted roots) is unusable, or the server's certificate was
    /// refused (e.g. [`TlsError::UnknownIssuer`]).
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The proxy refused, broke or did not answer the tunnel to the server.
    #[error(transparent)]
    Proxy(#[from] crate::proxy::ProxyError),
    /// The token provider could not produce `Authorization`.
    #[error("authorization: {0}")]
    Auth(#[from] AuthError),
    /// The WebSocket upgrade was answered with a non-101 status.
    #[error("server refused the WebSocket upgrade with HTTP {status}")]
    HttpStatus {
        /// The HTTP status.
        status: u16,
    },
    /// TCP, TLS or WebSocket failure.
    #[error("transport: {0}")]
    Transport(String),
    /// Connecting or an event wait took too long; the text says which.
    #[error("timed out: {0}")]
    Timeout(String),
    /// The server answered a namespace CONNECT with CONNECT_ERROR.
    #[error("server refused namespace {namespace}: {message}")]
    ConnectRefused {
        /// The refused namespace.
        namespace: String,
        /// The server's `message` (or its string payload).
        message: String,
        /// `data` of an object payload, if any.
        data: Option<Box<Value>>,
        /// The CONNECT_ERROR payload as the server sent it (what python-socketio hands its
        /// `connect_error` handler), `None` when it had none.
        payload: Option<Box<Value>>,
    },
    /// The server broke the wire format.
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    /// An emit larger than the server's handshake `maxPayload`; nothing was sent.
    #[error("packet of {size} bytes exceeds the server's maxPayload of {max} bytes")]
    PayloadTooLarge {
        /// Bytes of the encoded packet.
        size: usize,
        /// The server's `maxPayload`.
        max: usize,
    },
    /// The namespace was never joined or has been left.
    #[error("namespace {0} is not connected")]
    NotConnected(String),
    /// The client was disconnected.
    #[error("the connection is closed")]
    Closed,
    /// The server did not acknowledge in time.
    #[error("no ack within {0:?}")]
    AckTimeout(Duration),
    /// The connection ended before every namespace was accepted.
    #[error("disconnected while connecting: {0}")]
    Disconnected(DisconnectReason),
}

impl SocketIoError {
    /// The server refused the connection: CONNECT_ERROR, or HTTP 401/403 on the upgrade.
    /// With a token, it may have been revoked or have expired early.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            SocketIoError::ConnectRefused { .. } | SocketIoError::HttpStatus { status: 401 | 403 }
        )
    }
}

/// Why a connection (or one namespace) ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DisconnectReason {
    /// `disconnect()` was called or every `Client` handle was dropped.
    ClientDisconnect,
    /// The server sent DISCONNECT for this namespace.
    ServerDisconnect {
        /// The namespace the server left.
        namespace: String,
    },
    /// The WebSocket closed or the server sent an Engine.IO close packet.
    TransportClose,
    /// The WebSocket failed.
    TransportError(String),
    /// Nothing arrived within `pingInterval + pingTimeout`.
    PingTimeout,
    /// The server sent something that is not valid Engine.IO / Socket.IO.
    Protocol(String),
    /// Reconnection gave up.
    ReconnectFailed {
        /// Attempts made.
        attempts: u32,
        /// Why the last one failed.
        last_error: String,
    },
}

impl DisconnectReason {
    /// Transport-level losses are worth reconnecting; decisions by either side are not.
    pub fn is_reconnectable(&self) -> bool {
        matches!(
            self,
            Self::TransportClose | Self::TransportError(_) | Self::PingTimeout
        )
    }
}

impl fmt::Display for DisconnectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ClientDisconnect => f.write_str("client disconnect"),
            Self::ServerDisconnect { namespace } => {
                write!(f, "server disconnected namespace {namespace}")
            }
            Self::TransportClose => f.write_str("transport close"),
            Self::TransportError(e) => write!(f, "transport error: {e}"),
            Self::PingTimeout => f.write_str("ping timeout"),
            Self::Protocol(e) => write!(f, "protocol error: {e}"),
            Self::ReconnectFailed {
                attempts,
                last_error,
            } => {
                write!(
                    f,
                    "reconnection failed after {attempts} attempt(s): {last_error}"
                )
            }
        }
    }
}
