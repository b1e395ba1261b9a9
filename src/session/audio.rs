//! The audio seam: bytes pushed by the application wait here, bounded, until the audio
//! channel (AudioHook or Twilio, keyed by `call_id`) is opened after `info-consumer-ready`.

use std::collections::VecDeque;
use std::sync::Mutex;

use bytes::Bytes;

/// Why `push_audio` did not take the bytes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AudioError {
    /// The buffer is full; retry after the channel drained some audio.
    #[error("audio buffer full ({buffered} of {limit} bytes)")]
    WouldBlock { buffered: usize, limit: usize },
    /// `end_audio()` was called.
    #[error("audio already ended")]
    Ended,
}

#[derive(Debug)]
pub(crate) struct AudioBuffer {
    limit: usize,
    state: Mutex<AudioState>,
}

#[derive(Debug, Default)]
struct AudioState {
    chunks: VecDeque<Bytes>,
    buffered: usize,
    ended: bool,
    consumer_ready: bool,
}

impl AudioBuffer {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            limit,
            state: Mutex::new(AudioState::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, AudioState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Copies `data` in, unless that would exceed the bound.
    pub(crate) fn push(&self, data: &[u8]) -> Result<(), AudioError> {
        let mut state = self.lock();
        if state.ended {
            return Err(AudioError::Ended);
        }
        if state.buffered + data.len() > self.limit {
            return Err(AudioError::WouldBlock {
                buffered: state.buffered,
                limit: self.limit,
            });
        }
        state.buffered += data.len();
        state.chunks.push_back(Bytes::copy_from_slice(data));
        Ok(())
    }

    pub(crate) fn end(&self) {
        self.lock().ended = true;
    }

    /// Takes everything buffered so far, and whether the application ended the audio.
    pub(crate) fn drain(&self) -> (Vec<Bytes>, bool) {
        let mut state = self.lock();
        state.buffered = 0;
        (state.chunks.drain(..).collect(), state.ended)
    }

    pub(crate) fn consumer_ready(&self) -> bool {
        self.lock().consumer_ready
    }

    /// The hook run when `info-consumer-ready` arrives. The audio channel (module `channel`)
    /// is opened here with the session's `call_id` and fed from [`drain`](Self::drain); until
    /// it is plugged in, audio stays buffered up to the bound.
    pub(crate) fn on_consumer_ready(&self, call_id: &str) {
        let mut state = self.lock();
        state.consumer_ready = true;
        tracing::info!(call_id, buffered = state.buffered, "audio consumer ready");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_copying_buffer() {
        let buffer = AudioBuffer::new(4);
        buffer.push(&[1, 2, 3]).unwrap();
        assert_eq!(
            buffer.push(&[4, 5]),
            Err(AudioError::WouldBlock {
                buffered: 3,
                limit: 4
            })
        );
        buffer.push(&[4]).unwrap();
        let (chunks, ended) = buffer.drain();
        assert_eq!((chunks.concat(), ended), (vec![1, 2, 3, 4], false));
        buffer.push(&[5, 6, 7, 8]).unwrap();
        buffer.end();
        assert_eq!(buffer.push(&[9]), Err(AudioError::Ended));
        assert!(buffer.drain().1);
        assert!(!buffer.consumer_ready());
        buffer.on_consumer_ready("c");
        assert!(buffer.consumer_ready());
    }
}
