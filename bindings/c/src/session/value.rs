//! [`SessionValue`], what a `das_session` owns: its life-cycle (created → started → closed), the
//! core session shared between the pusher, the event pump and `close`, and the event queue.
//!
//! Locks are only held for bookkeeping, never across a network wait, so a close from another
//! thread is never stuck behind a push or a poll.

use std::future::poll_fn;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Poll;
use std::time::Duration;

use das_core::auth::AuthError;
use das_core::session::settings::TimeoutKind;
use das_core::session::{AudioError, Session, SessionBuilder, SessionError, StartCancel};
use das_core::socketio::SocketIoError;
use futures_util::StreamExt;
use tokio::task::JoinHandle;

use super::queue::EventQueue;
use crate::config::DasConfig;
use crate::error::Error;
use crate::out::CText;
use crate::result::das_result;
use crate::runtime::{block_on, runtime};

/// The core session, taken out by `close`.
type SharedSession = Arc<Mutex<Option<Session>>>;

#[derive(Debug)]
enum Phase {
    Created(Box<SessionBuilder>),
    Starting,
    Started {
        session: SharedSession,
        pump: JoinHandle<()>,
    },
    Closed,
}

/// A session as C sees it.
#[derive(Debug)]
pub struct SessionValue {
    phase: Mutex<Phase>,
    audio_ended: AtomicBool,
    /// Set by `close`: a start still connecting returns `CLOSED` at once.
    cancel_start: StartCancel,
    queue: Arc<EventQueue>,
    call_id: CText,
    start_timeout: Duration,
    close_timeout: Duration,
    /// Bound on waiting for buffer space in `das_session_push_wav`.
    push_timeout: Duration,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Critical sections are panic-free bookkeeping.
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

fn closed() -> Error {
    Error::new(das_result::Closed, "the session is closed")
}

fn not_started() -> Error {
    Error::new(
        das_result::NotReady,
        "the session is not started: call das_session_start first",
    )
}

/// Maps a failed start to its result code.
fn start_error(error: SessionError) -> Error {
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

impl SessionValue {
    /// A session ready to start from `config`: `NOT_READY` naming what is missing, `AUTH`
    /// when no token provider can be made from the credentials.
    pub fn new(config: &DasConfig) -> Result<Self, Error> {
        let settings = &config.settings;
        let timeout = |which| settings.timeout(which);
        let builder = SessionBuilder::from_settings(settings.clone()).map_err(start_error)?;
        Ok(Self {
            call_id: CText::new(builder.current_call_id()),
            phase: Mutex::new(Phase::Created(Box::new(builder))),
            audio_ended: AtomicBool::new(false),
            cancel_start: StartCancel::new(),
            queue: Arc::new(EventQueue::new(
                settings.event_capacity(),
                settings.event_queue_bytes(),
            )),
            start_timeout: timeout(TimeoutKind::Token) + timeout(TimeoutKind::Connect),
            close_timeout: timeout(TimeoutKind::Close),
            push_timeout: timeout(TimeoutKind::Result),
        })
    }

    /// The `call_id` announced in `initialize`.
    pub fn call_id(&self) -> &CText {
        &self.call_id
    }

    /// The event queue.
    pub fn queue(&self) -> &EventQueue {
        &self.queue
    }

    /// Connects, waits for the namespace and emits `initialize` (blocking).
    pub fn start(&self) -> Result<(), Error> {
        let builder = {
            let mut phase = lock(&self.phase);
            match std::mem::replace(&mut *phase, Phase::Starting) {
                Phase::Created(builder) => builder,
                other @ (Phase::Starting | Phase::Started { .. }) => {
                    *phase = other;
                    return Err(Error::new(
                        das_result::AlreadyStarted,
                        "das_session_start was already called",
                    ));
                }
                Phase::Closed => {
                    *phase = Phase::Closed;
                    return Err(closed());
                }
            }
        };
        let bound = self.start_timeout;
        let cancel = &self.cancel_start;
        let started = block_on(async move {
            tokio::time::timeout(bound, builder.start_cancellable(cancel))
                .await
                .unwrap_or(Err(SessionError::Timeout(bound)))
        })?;
        let session = match started {
            Ok(session) => session,
            Err(error) => {
                *lock(&self.phase) = Phase::Closed;
                self.queue.end();
                return Err(start_error(error));
            }
        };
        let mut phase = lock(&self.phase);
        if matches!(*phase, Phase::Closed) {
            // Closed by another thread while connecting.
            drop(phase);
            self.close_core(session);
            return Err(closed());
        }
        let session: SharedSession = Arc::new(Mutex::new(Some(session)));
        let pump = runtime()?.spawn(pump(session.clone(), self.queue.clone()));
        *phase = Phase::Started { session, pump };
        Ok(())
    }

    /// Runs `action` on the started core session.
    fn with_session<T>(
        &self,
        action: impl FnOnce(&Session) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let session = match &*lock(&self.phase) {
            Phase::Created(_) | Phase::Starting => return Err(not_started()),
            Phase::Closed => return Err(closed()),
            Phase::Started { pump, .. } if pump.is_finished() => {
                return Err(Error::new(
                    das_result::Closed,
                    "the session ended (disconnected)",
                ))
            }
            Phase::Started { session, .. } => session.clone(),
        };
        let guard = lock(&session);
        action(guard.as_ref().ok_or_else(closed)?)
    }

    /// Queues a copy of `data` for the audio channel.
    pub fn push_audio(&self, data: &[u8]) -> Result<(), Error> {
        self.with_session(|session| {
            if self.audio_ended.load(Ordering::Acquire) {
                return Err(audio_ended());
            }
            session.push_audio(data).map_err(audio_error)
        })
    }

    /// Reads, converts and queues a whole WAV file, waiting for buffer room (bounded by the
    /// result timeout).
    pub fn push_wav(&self, path: &str) -> Result<(), Error> {
        let sender = self.with_session(|session| {
            if self.audio_ended.load(Ordering::Acquire) {
                return Err(audio_ended());
            }
            Ok(session.audio())
        })?;
        let bound = self.push_timeout;
        let path = path.to_owned();
        match block_on(async move { tokio::time::timeout(bound, sender.push_wav(path)).await })? {
            Ok(pushed) => pushed.map_err(audio_error),
            Err(_) => Err(Error::new(
                das_result::Timeout,
                format!("the audio buffer stayed full for {bound:?}; the rest was not queued"),
            )),
        }
    }

    /// No more audio will be pushed.
    pub fn end_audio(&self) -> Result<(), Error> {
        self.with_session(|session| {
            self.audio_ended.store(true, Ordering::Release);
            session.end_audio();
            Ok(())
        })
    }

    /// Refuses polls before `start`; afterwards the queue answers.
    pub fn check_pollable(&self) -> Result<(), Error> {
        match &*lock(&self.phase) {
            Phase::Created(_) => Err(not_started()),
            _ => Ok(()),
        }
    }

    /// Disconnects (bounded by the close timeout) and ends the event queue; idempotent.
    pub fn close(&self) {
        self.cancel_start.cancel();
        let previous = std::mem::replace(&mut *lock(&self.phase), Phase::Closed);
        if let Phase::Started { session, pump } = previous {
            pump.abort();
            let taken = lock(&session).take();
            if let Some(session) = taken {
                self.close_core(session);
            }
        }
        self.queue.end();
    }

    fn close_core(&self, session: Session) {
        let bound = self.close_timeout;
        let closed =
            block_on(async move { tokio::time::timeout(bound, session.close()).await.is_ok() });
        if !matches!(closed, Ok(true)) {
            tracing::warn!(
                call_id = self.call_id.as_str(),
                "session close did not finish in time"
            );
        }
    }
}

impl Drop for SessionValue {
    fn drop(&mut self) {
        self.close();
    }
}

/// Maps a refused push to its result code.
fn audio_error(error: AudioError) -> Error {
    let code = match &error {
        AudioError::WouldBlock { .. } => das_result::WouldBlock,
        AudioError::TooLarge { .. } => das_result::OutOfRange,
        AudioError::Ended => return audio_ended(),
        AudioError::NoChannel => das_result::NotReady,
        AudioError::Wav(_) => das_result::Parse,
        AudioError::WavFile { .. } => das_result::Io,
    };
    Error::new(code, error.to_string())
}

fn audio_ended() -> Error {
    Error::new(
        das_result::Closed,
        "audio was ended with das_session_end_audio",
    )
}

/// Moves events from the core session to the C queue until the session ends.
async fn pump(session: SharedSession, queue: Arc<EventQueue>) {
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
