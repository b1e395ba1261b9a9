//! [`Start`]: one session start, run to its end by `das_session_start` (blocking the caller)
//! or by `das_session_start_nonblocking` (on the runtime, its outcome queued as an event), and
//! the [`Disconnect`] both a close and a start overtaken by a close end with.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use das_core::auth::AuthError;
use das_core::session::{Session, SessionBuilder, SessionError, StartCancel};
use das_core::socketio::SocketIoError;

use super::sink::{QueueSink, StartGate};
use super::value::{closed, lock, Phase};
use super::SessionQueue;
use crate::error::Error;
use crate::event::QueuedEvent;
use crate::result::das_result;

/// Disconnects a core session, bounded by the close timeout.
#[derive(Debug, Clone)]
pub struct Disconnect {
    pub bound: Duration,
    /// Names the session in the warning when the bound runs out.
    pub call_id: Arc<str>,
}

impl Disconnect {
    pub async fn run(self, session: Session) {
        if tokio::time::timeout(self.bound, session.close())
            .await
            .is_err()
        {
            tracing::warn!(
                call_id = &*self.call_id,
                "session close did not finish in time"
            );
        }
    }
}

/// A start taken out of `Phase::Created`, with what it needs to finish after the C call that
/// began it returned.
#[derive(Debug)]
pub struct Start {
    pub builder: Box<SessionBuilder>,
    pub phase: Arc<Mutex<Phase>>,
    pub queue: Arc<SessionQueue>,
    pub cancel: StartCancel,
    /// The token plus connect timeouts.
    pub bound: Duration,
    pub disconnect: Disconnect,
}

impl Start {
    /// Connects, waits for the namespace and emits `initialize`; then the session runs, its
    /// events delivered straight into the queue. A failure closes the session. With
    /// `announce`, the outcome is queued too: `started` before the first session event, or
    /// `start-failed` before the end of the queue.
    pub async fn run(self, announce: bool) -> Result<(), Error> {
        let Self {
            builder,
            phase,
            queue,
            cancel,
            bound,
            disconnect,
        } = self;
        let gate = Arc::new(StartGate::default());
        // Whatever the outcome, the gate opens once it is queued: until then the session's
        // first events wait in the signalling task.
        let _open = OpenOnDrop(gate.clone());
        let sink = QueueSink {
            queue: queue.clone(),
            gate: gate.clone(),
        };
        let started = builder.start_cancellable_with_sink(&cancel, sink);
        let started = tokio::time::timeout(bound, started)
            .await
            .unwrap_or(Err(SessionError::Timeout(bound)));
        let session = match started {
            Ok(session) => session,
            Err(error) => {
                let error = start_error(error);
                *lock(&phase) = Phase::Closed;
                if announce {
                    queue
                        .push_last(QueuedEvent::StartFailed(error.clone()))
                        .await;
                } else {
                    queue.end();
                }
                return Err(error);
            }
        };
        // The phase is `Started` before `started` is queued, so a push that follows the
        // event finds the session running.
        let overtaken = {
            let mut phase = lock(&phase);
            match *phase {
                Phase::Closed => Some(session),
                _ => {
                    *phase = Phase::Started(Box::new(session));
                    None
                }
            }
        };
        match overtaken {
            // Closed by another thread while connecting: the queue has ended, and the
            // signalling task must not wait at the gate while it disconnects.
            Some(session) => {
                gate.open();
                disconnect.run(session).await;
                Err(closed())
            }
            None => {
                if announce {
                    let call_id = disconnect.call_id.to_string();
                    queue.push(QueuedEvent::Started { call_id }, 0).await;
                }
                Ok(())
            }
        }
    }
}

struct OpenOnDrop(Arc<StartGate>);

impl Drop for OpenOnDrop {
    fn drop(&mut self) {
        self.0.open();
    }
}

/// Maps a failed start to its result code.
pub fn start_error(error: SessionError) -> Error {
    let code = match &error {
        SessionError::Settings(refused) => return refused.clone().into(),
        SessionError::Auth(AuthError::Tls(_)) => das_result::Tls,
        SessionError::Auth(AuthError::Proxy(e))
        | SessionError::Signalling(SocketIoError::Auth(AuthError::Proxy(e)))
        | SessionError::Signalling(SocketIoError::Proxy(e)) => match e.is_timeout() {
            true => das_result::Timeout,
            false => das_result::Proxy,
        },
        SessionError::Auth(e) | SessionError::Signalling(SocketIoError::Auth(e))
            if e.is_network() =>
        {
            das_result::Io
        }
        SessionError::Auth(_) => das_result::Auth,
        SessionError::Timeout(_) => das_result::Timeout,
        SessionError::Cancelled => das_result::Closed,
        SessionError::Signalling(inner) => match inner {
            SocketIoError::Auth(AuthError::Tls(_)) => das_result::Tls,
            SocketIoError::Auth(_) => das_result::Auth,
            SocketIoError::HttpStatus { status: 401 | 403 } => das_result::Auth,
            SocketIoError::ConnectRefused { .. } => das_result::ConnectRefused,
            SocketIoError::Timeout(_) => das_result::Timeout,
            SocketIoError::Tls(_) => das_result::Tls,
            SocketIoError::Transport(_) => das_result::Io,
            SocketIoError::InvalidUrl(_) | SocketIoError::InvalidHeader(_) => das_result::Parse,
            SocketIoError::Closed => das_result::Closed,
            _ => das_result::Protocol,
        },
    };
    Error::new(code, format!("session start failed: {error}"))
}
