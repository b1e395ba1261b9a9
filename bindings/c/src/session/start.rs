//! [`Start`]: one session start, run to its end by `das_session_start` (blocking the caller)
//! or by `das_session_start_nonblocking` (on the runtime, its outcome queued as an event), and
//! the [`Disconnect`] both a close and a start overtaken by a close end with.

use std::future::poll_fn;
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;

use das_core::auth::AuthError;
use das_core::session::{Session, SessionBuilder, SessionError, StartCancel};
use das_core::socketio::SocketIoError;
use futures_util::StreamExt;

use super::queue::EventQueue;
use super::value::{closed, lock, Phase, SharedSession};
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
    pub queue: Arc<EventQueue>,
    pub cancel: StartCancel,
    /// The token plus connect timeouts.
    pub bound: Duration,
    pub disconnect: Disconnect,
}

impl Start {
    /// Connects, waits for the namespace and emits `initialize`; then the session runs (its
    /// events pumped into the queue). A failure closes the session. With `announce`, the
    /// outcome is queued too: `started` before the first session event, or `start-failed`
    /// before the end of the queue.
    pub async fn run(self, announce: bool) -> Result<(), Error> {
        let Self {
            builder,
            phase,
            queue,
            cancel,
            bound,
            disconnect,
        } = self;
        let started = tokio::time::timeout(bound, builder.start_cancellable(&cancel))
            .await
            .unwrap_or(Err(SessionError::Timeout(bound)));
        let session = match started {
            Ok(session) => session,
            Err(error) => {
                let error = start_error(error);
                *lock(&phase) = Phase::Closed;
                if announce {
                    queue.reserve().await;
                    queue
                        .push_last(QueuedEvent::StartFailed(error.clone()))
                        .await;
                } else {
                    queue.end();
                }
                return Err(error);
            }
        };
        // The phase lock is held from the check to the switch to `Started`, so a push that
        // follows the `started` event (the pump may queue it at once) finds the session running.
        let overtaken = {
            let mut phase = lock(&phase);
            match *phase {
                Phase::Closed => Some(session),
                _ => {
                    let session: SharedSession = Arc::new(Mutex::new(Some(session)));
                    let first = announce.then(|| QueuedEvent::Started {
                        call_id: disconnect.call_id.to_string(),
                    });
                    let pump = tokio::spawn(pump(session.clone(), queue, first));
                    *phase = Phase::Started { session, pump };
                    None
                }
            }
        };
        match overtaken {
            // Closed by another thread while connecting.
            Some(session) => {
                disconnect.run(session).await;
                Err(closed())
            }
            None => Ok(()),
        }
    }
}

/// Moves events from the core session to the C queue until the session ends, after `first`.
async fn pump(session: SharedSession, queue: Arc<EventQueue>, first: Option<QueuedEvent>) {
    if let Some(first) = first {
        queue.reserve().await;
        queue.push(first).await;
    }
    loop {
        queue.reserve().await;
        // The lock is held only while polling, never across an await.
        let next = poll_fn(|cx| match lock(&session).as_mut() {
            Some(session) => session.poll_next_unpin(cx),
            None => Poll::Ready(None),
        })
        .await;
        match next {
            Some(event) => queue.push(event).await,
            None => {
                queue.end();
                return;
            }
        }
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
