//! Writing PCM16 WAV as the audio arrives: the header is written first with empty sizes and
//! completed by `finish`, so a long recording never has to be held in memory. RIFF sizes are
//! 32-bit: audio that would take the data past 4 GiB is refused, never wrapped.

use std::io::{self, Seek, SeekFrom, Write};

/// Bytes before the samples: RIFF header, 16-byte `fmt ` chunk, `data` chunk header.
pub(crate) const HEADER_BYTES: u64 = 44;

/// The most sample bytes a WAV file can describe: its RIFF size (data plus 36) is a u32.
pub const MAX_DATA_BYTES: u64 = u32::MAX as u64 - (HEADER_BYTES - 8);

/// Why samples were not written.
#[derive(Debug, thiserror::Error)]
pub enum WavWriteError {
    /// Writing to the output failed.
    #[error("cannot write WAV: {0}")]
    Io(#[from] io::Error),
    /// The file already holds all it can describe; nothing more was written.
    #[error("WAV is full: its sizes are 32-bit, so it holds at most {max_bytes} bytes of audio")]
    Full {
        /// The most sample bytes the file can describe.
        max_bytes: u64,
    },
}

/// The 44-byte header of a PCM16 WAV with `data_bytes` of samples.
pub(crate) fn pcm16_header(channels: u16, sample_rate: u32, data_bytes: u32) -> [u8; 44] {
    let channels = channels.max(1);
    let frame_bytes = 2 * u32::from(channels);
    let mut header = [0u8; 44];
    let fields: [&[u8]; 13] = [
        b"RIFF",
        &data_bytes.saturating_add(36).to_le_bytes(),
        b"WAVEfmt ",
        &16u32.to_le_bytes(),
        &1u16.to_le_bytes(),
        &channels.to_le_bytes(),
        &sample_rate.to_le_bytes(),
        &sample_rate.saturating_mul(frame_bytes).to_le_bytes(),
        &(frame_bytes as u16).to_le_bytes(),
        &16u16.to_le_bytes(),
        b"data",
        &data_bytes.to_le_bytes(),
        &[],
    ];
    let mut at = 0;
    for field in fields {
        header[at..at + field.len()].copy_from_slice(field);
        at += field.len();
    }
    header
}

/// A PCM16 WAV written as samples arrive.
#[derive(Debug)]
pub struct WavWriter<W: Write + Seek> {
    out: W,
    channels: u16,
    sample_rate: u32,
    data_bytes: u64,
    max_bytes: u64,
}

impl<W: Write + Seek> WavWriter<W> {
    /// Starts a WAV of `channels` interleaved channels at `sample_rate` on `out`.
    pub fn new(out: W, channels: u16, sample_rate: u32) -> io::Result<Self> {
        Self::with_limit(out, channels, sample_rate, MAX_DATA_BYTES)
    }

    pub(crate) fn with_limit(
        mut out: W,
        channels: u16,
        sample_rate: u32,
        max_bytes: u64,
    ) -> io::Result<Self> {
        let channels = channels.max(1);
        out.write_all(&pcm16_header(channels, sample_rate, 0))?;
        let frame = 2 * u64::from(channels);
        Ok(WavWriter {
            out,
            channels,
            sample_rate,
            data_bytes: 0,
            max_bytes: max_bytes / frame * frame,
        })
    }

    /// Appends interleaved samples (whole frames). [`WavWriteError::Full`] when they would
    /// take the data past what the header can describe; then nothing of them is written.
    pub fn write_samples(&mut self, samples: &[i16]) -> Result<(), WavWriteError> {
        let bytes = 2 * samples.len() as u64;
        if self.data_bytes + bytes > self.max_bytes {
            return Err(WavWriteError::Full {
                max_bytes: self.max_bytes,
            });
        }
        let mut raw = Vec::with_capacity(bytes as usize);
        raw.extend(samples.iter().flat_map(|s| s.to_le_bytes()));
        self.out.write_all(&raw)?;
        self.data_bytes += bytes;
        Ok(())
    }

    /// Bytes of samples written so far.
    pub fn data_bytes(&self) -> u64 {
        self.data_bytes
    }

    /// Writes the sizes into the header and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        // `write_samples` keeps the data within a u32.
        let data = u32::try_from(self.data_bytes).unwrap_or(u32::MAX);
        self.out.seek(SeekFrom::Start(0))?;
        self.out
            .write_all(&pcm16_header(self.channels, self.sample_rate, data))?;
        self.out.seek(SeekFrom::End(0))?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::audio::wav::Wav;

    #[test]
    fn a_streamed_wav_reads_back_with_its_samples() {
        let mut writer = WavWriter::new(Cursor::new(Vec::new()), 2, 8000).unwrap();
        writer.write_samples(&[1, -1, 2, -2]).unwrap();
        writer.write_samples(&[3, -3]).unwrap();
        let bytes = writer.finish().unwrap().into_inner();
        let wav = Wav::parse(&bytes).unwrap();
        assert_eq!((wav.channels, wav.sample_rate), (2, 8000));
        assert_eq!(wav.samples, vec![1, -1, 2, -2, 3, -3]);
    }

    #[test]
    fn audio_past_the_size_limit_is_refused_and_the_header_stays_true() {
        let mut writer = WavWriter::with_limit(Cursor::new(Vec::new()), 1, 8000, 10).unwrap();
        writer.write_samples(&[1, 2, 3, 4]).unwrap();
        assert!(matches!(
            writer.write_samples(&[5, 6]),
            Err(WavWriteError::Full { max_bytes: 10 })
        ));
        writer.write_samples(&[5]).unwrap();
        let bytes = writer.finish().unwrap().into_inner();
        assert_eq!(Wav::parse(&bytes).unwrap().samples, vec![1, 2, 3, 4, 5]);
        assert_eq!(&bytes[40..44], &10u32.to_le_bytes());
    }

    #[test]
    fn the_real_limit_keeps_the_riff_size_within_32_bits() {
        assert_eq!(MAX_DATA_BYTES + 36, u64::from(u32::MAX));
    }
}
