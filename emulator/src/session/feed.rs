//! The audio consumer's end of a session: push decoded audio, end it, and learn when the
//! emulator wants the audio socket closed.

use tokio::sync::{mpsc, watch};

use super::spec::AudioFormat;

/// What an audio consumer sends to the session task.
#[derive(Debug)]
pub(crate) enum AudioChunk {
    /// The consumer attached; the session reports `audio_seconds: 0.0`.
    Attached,
    /// Interleaved linear samples.
    Samples { samples: Vec<i16>, channels: u16 },
    /// The consumer saw the end of the stream.
    End,
}

/// The session no longer takes audio (its result was reached, it failed, or it was
/// cancelled); the consumer should close its socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the session no longer accepts audio")]
pub struct FeedClosed;

/// A consumer's handle on one session, from [`super::SessionRegistry::attach`].
#[derive(Debug)]
pub struct AudioFeed {
    call_id: String,
    format: AudioFormat,
    tx: mpsc::Sender<AudioChunk>,
    close: watch::Receiver<bool>,
}

impl AudioFeed {
    pub(crate) fn new(
        call_id: String,
        format: AudioFormat,
        tx: mpsc::Sender<AudioChunk>,
        close: watch::Receiver<bool>,
    ) -> Self {
        AudioFeed {
            call_id,
            format,
            tx,
            close,
        }
    }

    /// The session's `call_id`.
    pub fn call_id(&self) -> &str {
        &self.call_id
    }

    /// The audio format announced in `initialize`.
    pub fn format(&self) -> AudioFormat {
        self.format
    }

    /// Pushes interleaved linear samples with `channels` channels (1 or 2). Waits while
    /// the session is behind (backpressure).
    pub async fn push(&self, samples: &[i16], channels: u16) -> Result<(), FeedClosed> {
        if self.close_requested() {
            return Err(FeedClosed);
        }
        let chunk = AudioChunk::Samples {
            samples: samples.to_vec(),
            channels: channels.max(1),
        };
        self.tx.send(chunk).await.map_err(|_| FeedClosed)
    }

    /// Decodes wire bytes with the session's codec and pushes them.
    pub async fn push_encoded(&self, bytes: &[u8]) -> Result<(), FeedClosed> {
        let samples = self.format.codec.decode(bytes);
        self.push(&samples, self.format.channels).await
    }

    /// Tells the session the stream ended; it then reports its result or a failure.
    pub async fn end(self) {
        // A session that already finished needs no end marker.
        let _ = self.tx.send(AudioChunk::End).await;
    }

    /// Whether the emulator wants the audio socket closed.
    pub fn close_requested(&self) -> bool {
        *self.close.borrow() || self.tx.is_closed()
    }

    /// Resolves once the emulator wants the audio socket closed.
    pub async fn closed(&self) {
        let mut close = self.close.clone();
        // An error means the session task is gone, which also means "close".
        let _ = close.wait_for(|close| *close).await;
    }
}
