//! The session's audio side: a cloneable [`AudioSender`] over one bounded buffer that holds
//! audio pushed before `info-consumer-ready` and feeds the audio channel once it is open.

use std::path::{Path, PathBuf};

use crate::audio::channels::downmix;
use crate::audio::codec::Codec;
use crate::audio::send_buffer::{Counters, PushError, SendBuffer};
use crate::audio::wav::{Wav, WavError};

/// Why audio was not accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AudioError {
    /// The buffer is full; retry after the channel drained some audio (or `push_wait`).
    #[error("audio buffer full ({buffered} of {limit} bytes)")]
    WouldBlock {
        /// Bytes waiting in the buffer.
        buffered: usize,
        /// The buffer's size (`audio_buffer_limit`).
        limit: usize,
    },
    /// One push larger than the whole buffer; split it or raise `audio_buffer_limit`.
    #[error("push of {len} bytes exceeds the audio buffer of {limit} bytes")]
    TooLarge {
        /// Bytes in the refused push.
        len: usize,
        /// The buffer's size (`audio_buffer_limit`).
        limit: usize,
    },
    /// `end_audio()` was called, or the audio channel ended.
    #[error("audio already ended")]
    Ended,
    /// The session was built without an audio channel.
    #[error("this session has no audio channel (no audio URL was configured)")]
    NoChannel,
    /// The WAV file could not be opened or read; `errno` lets bindings raise their
    /// platform's error (Python's `FileNotFoundError`).
    #[error("cannot read WAV file {}: {message}", path.display())]
    WavFile {
        /// The file, as given.
        path: PathBuf,
        /// The OS error number, when the OS reported one.
        errno: Option<i32>,
        /// The OS's reason.
        message: String,
    },
    /// A WAV file that is not usable audio.
    #[error("{0}")]
    Wav(String),
}

impl From<PushError> for AudioError {
    fn from(error: PushError) -> Self {
        match error {
            PushError::WouldBlock { queued, capacity } => AudioError::WouldBlock {
                buffered: queued,
                limit: capacity,
            },
            PushError::TooLarge { len, capacity } => AudioError::TooLarge {
                len,
                limit: capacity,
            },
            PushError::Closed => AudioError::Ended,
        }
    }
}

impl AudioError {
    /// `error`, met reading the WAV file at `path`, naming the file.
    fn of_wav_file(path: &Path, error: WavError) -> Self {
        match error {
            WavError::Io(io) => AudioError::WavFile {
                path: path.to_owned(),
                errno: io.raw_os_error(),
                message: io.to_string(),
            },
            other => AudioError::Wav(format!("{}: {other}", path.display())),
        }
    }
}

/// Pushes call audio into a session; clone it freely (e.g. into a task streaming a file
/// while another task reads events). Bytes are in the channel's wire codec, interleaved.
#[derive(Clone, Debug)]
pub struct AudioSender {
    buffer: Option<SendBuffer>,
    codec: Codec,
    channels: u16,
}

impl AudioSender {
    pub(crate) fn new(buffer: Option<SendBuffer>, codec: Codec, channels: u16) -> Self {
        Self {
            buffer,
            codec,
            channels,
        }
    }

    fn buffer(&self) -> Result<&SendBuffer, AudioError> {
        self.buffer.as_ref().ok_or(AudioError::NoChannel)
    }

    /// Copies `audio` in without waiting; `WouldBlock` when the buffer is full.
    pub fn push(&self, audio: &[u8]) -> Result<(), AudioError> {
        Ok(self.buffer()?.push(audio)?)
    }

    /// Copies `audio` in, waiting for room (before `info-consumer-ready` that means waiting
    /// for the consumer once the buffer is full).
    pub async fn push_wait(&self, audio: &[u8]) -> Result<(), AudioError> {
        Ok(self.buffer()?.push_wait(audio).await?)
    }

    /// Reads a WAV file (PCM16, µ-law or A-law, any rate, mono or stereo), converts it to
    /// the channel's codec at 8 kHz with the channel's layout, and pushes it, waiting for
    /// room. Does not end the audio. A file already in the channel's codec, rate and layout is
    /// pushed as stored, without decoding and re-encoding.
    pub async fn push_wav(&self, path: impl AsRef<Path>) -> Result<(), AudioError> {
        let buffer = self.buffer()?;
        let path = path.as_ref();
        let named = |error| AudioError::of_wav_file(path, error);
        let bytes = std::fs::read(path).map_err(|e| named(WavError::from(e)))?;
        let stored = Wav::stored_as(&bytes, self.codec, 8000, self.channels).map_err(named)?;
        if let Some(stored) = stored {
            return Ok(buffer.push_wait(stored).await?);
        }
        let mut wav = Wav::parse(&bytes).map_err(named)?;
        if wav.sample_rate != 8000 {
            wav = wav.resampled(8000).map_err(named)?;
        }
        let samples = match (wav.channels, self.channels) {
            (2, 1) => downmix(&wav.samples, 2),
            (1, 2) => crate::audio::channels::interleave(&wav.samples, &wav.samples),
            _ => wav.samples,
        };
        Ok(buffer.push_wait(&self.codec.encode(&samples)).await?)
    }

    /// No more audio: the channel sends what is queued, then closes the stream.
    pub fn end(&self) {
        if let Some(buffer) = &self.buffer {
            buffer.finish();
        }
    }

    /// Drops whatever is still queued and refuses further pushes (the session is closing).
    pub(crate) fn abandon(&self) {
        if let Some(buffer) = &self.buffer {
            buffer.close();
        }
    }

    /// Bytes queued, handed to the channel, and dropped so far.
    pub fn counters(&self) -> Counters {
        self.buffer
            .as_ref()
            .map(SendBuffer::counters)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_copying_buffer() {
        let sender = AudioSender::new(Some(SendBuffer::new(4)), Codec::Mulaw, 1);
        sender.push(&[1, 2, 3]).unwrap();
        assert_eq!(
            sender.push(&[4, 5]),
            Err(AudioError::WouldBlock {
                buffered: 3,
                limit: 4
            })
        );
        assert_eq!(
            sender.push(&[0; 5]),
            Err(AudioError::TooLarge { len: 5, limit: 4 })
        );
        sender.end();
        assert_eq!(sender.push(&[9]), Err(AudioError::Ended));
        assert_eq!(sender.counters().queued, 3);
    }

    #[test]
    fn sessions_without_a_channel_say_so() {
        let sender = AudioSender::new(None, Codec::Mulaw, 1);
        assert_eq!(sender.push(&[1]), Err(AudioError::NoChannel));
        sender.end();
    }

    #[tokio::test]
    async fn wav_files_arrive_in_the_channel_layout() {
        let wav = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/call-stereo.wav");
        let mono = AudioSender::new(Some(SendBuffer::new(1 << 20)), Codec::Mulaw, 1);
        mono.push_wav(wav).await.unwrap();
        let stereo = AudioSender::new(Some(SendBuffer::new(1 << 20)), Codec::Mulaw, 2);
        stereo.push_wav(wav).await.unwrap();
        let frames = Wav::read(wav).unwrap().frames() as u64;
        assert_eq!(mono.counters().queued, frames);
        assert_eq!(stereo.counters().queued, 2 * frames);
        let missing = mono.push_wav("/nonexistent.wav").await.unwrap_err();
        assert!(matches!(
            missing,
            AudioError::WavFile { errno: Some(2), .. }
        ));
        assert!(
            missing.to_string().contains("/nonexistent.wav"),
            "{missing}"
        );
        let not_wav = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
        let refused = mono.push_wav(not_wav).await.unwrap_err();
        assert!(matches!(&refused, AudioError::Wav(text) if text.starts_with(not_wav)));
    }
}
