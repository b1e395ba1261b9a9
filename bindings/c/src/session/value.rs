//! [`SessionValue`], what a `das_session` owns: its life-cycle (created → starting → started →
//! closed), the core session shared between the pusher and `close`, and the event queue the
//! core session delivers into.
//!
//! Locks are only held for bookkeeping, never across a network wait, so a close from another
//! thread is never stuck behind a push or a poll.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use das_core::session::settings::TimeoutKind;
use das_core::session::{AudioError, Session, SessionBuilder, StartCancel};

use super::start::{start_error, Disconnect, Start};
use super::SessionQueue;
use crate::config::DasConfig;
use crate::error::Error;
use crate::out::CText;
use crate::result::das_result;
use crate::runtime::{block_on, runtime};

/// Where a session is in its life; a start running on the runtime holds it too.
#[derive(Debug)]
pub enum Phase {
    Created(Box<SessionBuilder>),
    Starting,
    /// The core session, taken out by `close`.
    Started(Box<Session>),
    Closed,
}

/// A session as C sees it.
#[derive(Debug)]
pub struct SessionValue {
    /// Shared with a start running on the runtime.
    phase: Arc<Mutex<Phase>>,
    audio_ended: AtomicBool,
    /// Set by `close`: a start still connecting returns `CLOSED` at once.
    cancel_start: StartCancel,
    queue: Arc<SessionQueue>,
    call_id: CText,
    start_timeout: Duration,
    disconnect: Disconnect,
    /// Bound on waiting for buffer space in `das_session_push_wav`.
    push_timeout: Duration,
}

pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Critical sections are panic-free bookkeeping.
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

pub fn closed() -> Error {
    Error::new(das_result::Closed, "the session is closed")
}

fn not_started() -> Error {
    Error::new(
        das_result::NotReady,
        "the session is not started: call das_session_start first",
    )
}

fn still_starting() -> Error {
    Error::new(
        das_result::NotReady,
        "the session is still starting: wait for das_session_start to return or for the \
         DAS_EVENT_KIND_STARTED event",
    )
}

impl SessionValue {
    /// A session ready to start from `config`: `NOT_READY` naming what is missing, `AUTH`
    /// when no token provider can be made from the credentials.
    pub fn new(config: &DasConfig) -> Result<Self, Error> {
        let settings = &config.settings;
        let timeout = |which| settings.timeout(which);
        let builder = SessionBuilder::from_settings(settings.clone()).map_err(start_error)?;
        let call_id = builder.current_call_id();
        Ok(Self {
            call_id: CText::new(call_id),
            disconnect: Disconnect {
                bound: timeout(TimeoutKind::Close),
                call_id: call_id.into(),
            },
            phase: Arc::new(Mutex::new(Phase::Created(Box::new(builder)))),
            audio_ended: AtomicBool::new(false),
            cancel_start: StartCancel::new(),
            // A caller-driven wait (`das_run`) hears of every event of every session.
            queue: Arc::new(
                SessionQueue::new(settings.event_capacity(), settings.event_queue_bytes())
                    .notifying(das_core::runtime::drive::note_queue_change),
            ),
            start_timeout: timeout(TimeoutKind::Token) + timeout(TimeoutKind::Connect),
            push_timeout: timeout(TimeoutKind::Result),
        })
    }

    /// The `call_id` announced in `initialize`.
    pub fn call_id(&self) -> &CText {
        &self.call_id
    }

    /// The event queue.
    pub fn queue(&self) -> &SessionQueue {
        &self.queue
    }

    /// Connects, waits for the namespace and emits `initialize` (blocking).
    pub fn start(&self) -> Result<(), Error> {
        let start = self.take_start()?;
        block_on(start.run(false))?
    }

    /// Starts connecting on the runtime and returns at once; the outcome is queued (`started`,
    /// or `start-failed` and the end of the queue).
    pub fn start_nonblocking(&self) -> Result<(), Error> {
        let runtime = runtime()?;
        let start = self.take_start()?;
        // The outcome reaches the caller through the queue.
        runtime.spawn(async move { start.run(true).await.ok() });
        Ok(())
    }

    /// Moves the session from created to starting: `ALREADY_STARTED` or `CLOSED` otherwise.
    fn take_start(&self) -> Result<Start, Error> {
        let mut phase = lock(&self.phase);
        let builder = match std::mem::replace(&mut *phase, Phase::Starting) {
            Phase::Created(builder) => builder,
            other @ (Phase::Starting | Phase::Started(_)) => {
                *phase = other;
                return Err(Error::new(
                    das_result::AlreadyStarted,
                    "the session was already started",
                ));
            }
            Phase::Closed => {
                *phase = Phase::Closed;
                return Err(closed());
            }
        };
        Ok(Start {
            builder,
            phase: self.phase.clone(),
            queue: self.queue.clone(),
            cancel: self.cancel_start.clone(),
            bound: self.start_timeout,
            disconnect: self.disconnect.clone(),
        })
    }

    /// Runs `action` on the started core session.
    fn with_session<T>(
        &self,
        action: impl FnOnce(&Session) -> Result<T, Error>,
    ) -> Result<T, Error> {
        match &*lock(&self.phase) {
            Phase::Created(_) => Err(not_started()),
            Phase::Starting => Err(still_starting()),
            Phase::Closed => Err(closed()),
            Phase::Started(_) if self.queue.is_ended() => Err(Error::new(
                das_result::Closed,
                "the session ended (disconnected)",
            )),
            Phase::Started(session) => action(session),
        }
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

    /// Ends the session, then disconnects (bounded by the close timeout); idempotent.
    pub fn close(&self) {
        if let Some(session) = self.end() {
            if let Err(error) = block_on(self.disconnect.clone().run(session)) {
                tracing::warn!(
                    call_id = self.call_id.as_str(),
                    "session close could not disconnect: {error}"
                );
            }
        }
    }

    /// Ends the session and leaves the disconnect (bounded by the close timeout) to the
    /// runtime; idempotent.
    pub fn close_nonblocking(&self) {
        if let Some(session) = self.end() {
            match runtime() {
                Ok(runtime) => drop(runtime.spawn(self.disconnect.clone().run(session))),
                // Dropping the session closes its sockets without the polite disconnect.
                Err(error) => tracing::warn!(
                    call_id = self.call_id.as_str(),
                    "session close could not disconnect: {error}"
                ),
            }
        }
    }

    /// Ends the session for the caller: cancels a start, ends the queue (after what it holds;
    /// later events are dropped) and refuses later calls; the core session it returns is
    /// still to be disconnected.
    fn end(&self) -> Option<Session> {
        // The queue ends first: a start that the cancel below makes fail finds it ended, and
        // queues no outcome.
        self.queue.end();
        let previous = std::mem::replace(&mut *lock(&self.phase), Phase::Closed);
        self.cancel_start.cancel();
        match previous {
            Phase::Started(session) => Some(*session),
            _ => None,
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
        // The application's own `das_session_end_audio` is refused before reaching the core.
        AudioError::Ended => {
            return Error::new(
                das_result::Closed,
                "the audio channel ended (its audio-ended event says why)",
            )
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_push_after_the_channel_ended_does_not_blame_end_audio() {
        let error = audio_error(AudioError::Ended);
        assert_eq!(error.code(), das_result::Closed);
        let message = error.message();
        assert!(message.contains("audio-ended"), "{message}");
        assert!(!message.contains("end_audio"), "{message}");
    }
}
