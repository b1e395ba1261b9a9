//! Live sessions keyed by `call_id`, shared by the signalling side and audio consumers.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, watch};

use super::feed::{AudioChunk, AudioFeed};
use super::spec::{AudioFormat, AudioProtocol};

/// Chunks buffered between a consumer and its session before backpressure.
const FEED_DEPTH: usize = 64;

/// Why a session could not be registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    #[error("call_id {0:?} already belongs to a live session")]
    DuplicateCallId(String),
}

/// Why an audio consumer could not join a session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachError {
    #[error("no live session has call_id {0:?}")]
    UnknownCallId(String),
    #[error("session {0:?} already has an audio channel")]
    AlreadyAttached(String),
    #[error("session {call_id:?} expects audio_protocol {expected}")]
    WrongProtocol {
        call_id: String,
        expected: AudioProtocol,
    },
}

struct Entry {
    protocol: AudioProtocol,
    format: AudioFormat,
    /// Taken by the first consumer that attaches.
    audio_tx: Option<mpsc::Sender<AudioChunk>>,
    close_rx: watch::Receiver<bool>,
    cancel_tx: watch::Sender<bool>,
}

/// The session task's ends of a registered session.
pub(crate) struct SessionChannels {
    pub(crate) inbox: mpsc::Receiver<AudioChunk>,
    pub(crate) close_audio: watch::Sender<bool>,
    pub(crate) cancelled: watch::Receiver<bool>,
}

/// Shared, cloneable registry of live sessions.
#[derive(Clone, Default)]
pub struct SessionRegistry {
    sessions: Arc<Mutex<HashMap<String, Entry>>>,
}

/// Shows how many sessions are live.
impl fmt::Debug for SessionRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionRegistry")
            .field("live", &self.lock().len())
            .finish()
    }
}

impl SessionRegistry {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn register(
        &self,
        call_id: &str,
        protocol: AudioProtocol,
        format: AudioFormat,
    ) -> Result<SessionChannels, RegisterError> {
        let mut sessions = self.lock();
        if sessions.contains_key(call_id) {
            return Err(RegisterError::DuplicateCallId(call_id.to_owned()));
        }
        let (audio_tx, inbox) = mpsc::channel(FEED_DEPTH);
        let (close_audio, close_rx) = watch::channel(false);
        let (cancel_tx, cancelled) = watch::channel(false);
        sessions.insert(
            call_id.to_owned(),
            Entry {
                protocol,
                format,
                audio_tx: Some(audio_tx),
                close_rx,
                cancel_tx,
            },
        );
        Ok(SessionChannels {
            inbox,
            close_audio,
            cancelled,
        })
    }

    /// Joins an audio consumer speaking `protocol` to the live session `call_id`.
    /// Consumers refuse their socket on error.
    pub fn attach(&self, call_id: &str, protocol: AudioProtocol) -> Result<AudioFeed, AttachError> {
        let mut sessions = self.lock();
        let entry = sessions
            .get_mut(call_id)
            .ok_or_else(|| AttachError::UnknownCallId(call_id.to_owned()))?;
        if entry.protocol != protocol {
            return Err(AttachError::WrongProtocol {
                call_id: call_id.to_owned(),
                expected: entry.protocol,
            });
        }
        let tx = entry
            .audio_tx
            .take()
            .ok_or_else(|| AttachError::AlreadyAttached(call_id.to_owned()))?;
        // The channel is fresh and deep, so the marker always fits.
        let _ = tx.try_send(AudioChunk::Attached);
        Ok(AudioFeed::new(
            call_id.to_owned(),
            entry.format,
            tx,
            entry.close_rx.clone(),
        ))
    }

    /// Number of live sessions.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no session is live.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    pub(crate) fn remove(&self, call_id: &str) {
        self.lock().remove(call_id);
    }

    /// Asks the session's task to stop (its signalling socket went away).
    pub(crate) fn cancel(&self, call_id: &str) {
        if let Some(entry) = self.lock().get(call_id) {
            entry.cancel_tx.send_replace(true);
        }
    }

    pub(crate) fn cancel_all(&self) {
        for entry in self.lock().values() {
            entry.cancel_tx.send_replace(true);
        }
    }
}
