//! WAV input: a small RIFF parser for telephony files (PCM16, µ-law, A-law, and
//! WAVE_FORMAT_EXTENSIBLE with those subtypes; mono or stereo). Hostile or truncated files
//! give a [`WavError`], never a panic.

use std::path::Path;

use super::codec::Codec;
use super::resample;
use super::wav_writer::{pcm16_header, HEADER_BYTES, MAX_DATA_BYTES};

const TAG_PCM: u16 = 1;
const TAG_ALAW: u16 = 6;
const TAG_MULAW: u16 = 7;
const TAG_EXTENSIBLE: u16 = 0xFFFE;

/// Why a WAV file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum WavError {
    /// The file could not be opened or read.
    #[error("cannot read WAV file: {0}")]
    Io(#[from] std::io::Error),
    /// No `RIFF`/`WAVE` header.
    #[error("not a RIFF/WAVE file")]
    NotWave,
    /// A chunk is missing, truncated or inconsistent; the text says which.
    #[error("WAV file is truncated or malformed: {0}")]
    Malformed(&'static str),
    /// A sample format other than PCM16, µ-law or A-law.
    #[error("unsupported WAV format tag {tag:#06x} with {bits} bits per sample (expected PCM16, µ-law or A-law)")]
    UnsupportedFormat {
        /// The `fmt ` chunk's format tag (the subtype's, for WAVE_FORMAT_EXTENSIBLE).
        tag: u16,
        /// Bits per sample.
        bits: u16,
    },
    /// More than two channels, or none.
    #[error("unsupported channel count {0} (expected 1 or 2)")]
    UnsupportedChannels(u16),
    /// A sample rate outside 4 to 192 kHz.
    #[error("unsupported sample rate {0} Hz (expected 4000 to 192000)")]
    UnsupportedRate(u32),
    /// Converting to 8 kHz failed.
    #[error("resampling from {from} Hz failed: {reason}")]
    Resample {
        /// The file's sample rate.
        from: u32,
        /// The resampler's message.
        reason: String,
    },
    /// More samples than a WAV's 32-bit sizes can describe.
    #[error("{bytes} bytes of audio do not fit a WAV file (at most {MAX_DATA_BYTES})")]
    TooLarge {
        /// Bytes of samples asked for.
        bytes: u64,
    },
}

/// Decoded audio: interleaved linear 16-bit samples plus the layout they came with.
#[derive(Debug, Clone, PartialEq)]
pub struct Wav {
    /// The codec the file stored its samples in.
    pub source_codec: Codec,
    /// Samples per second per channel.
    pub sample_rate: u32,
    /// 1 (mono) or 2 (stereo: external, internal).
    pub channels: u16,
    /// Interleaved samples, `channels` per frame.
    pub samples: Vec<i16>,
}

impl Wav {
    /// Reads and parses a file.
    pub fn read(path: impl AsRef<Path>) -> Result<Wav, WavError> {
        Wav::parse(&std::fs::read(path)?)
    }

    /// Parses a whole RIFF/WAVE image.
    pub fn parse(bytes: &[u8]) -> Result<Wav, WavError> {
        let (format, data) = locate(bytes)?;
        Ok(format.decode(data))
    }

    /// The stored bytes when a file already holds `codec` at `sample_rate` with `channels`
    /// (whole frames only), so they can be sent as they are; `Ok(None)` when it holds anything
    /// else and needs [`Wav::parse`] and conversion.
    pub fn stored_as(
        bytes: &[u8],
        codec: Codec,
        sample_rate: u32,
        channels: u16,
    ) -> Result<Option<&[u8]>, WavError> {
        let (format, data) = locate(bytes)?;
        if format.codec != codec || format.sample_rate != sample_rate || format.channels != channels
        {
            return Ok(None);
        }
        Ok(Some(&data[..format.whole_frames(data.len())]))
    }

    /// Number of frames (samples per channel).
    pub fn frames(&self) -> usize {
        self.samples.len() / usize::from(self.channels.max(1))
    }

    /// Duration of the audio.
    pub fn duration(&self) -> std::time::Duration {
        std::time::Duration::from_secs_f64(
            self.frames() as f64 / f64::from(self.sample_rate.max(1)),
        )
    }

    /// The same audio at `rate` Hz (a copy when already at that rate).
    pub fn resampled(&self, rate: u32) -> Result<Wav, WavError> {
        if self.sample_rate == rate {
            return Ok(self.clone());
        }
        let samples =
            resample::resample(&self.samples, self.channels.into(), self.sample_rate, rate)
                .map_err(|reason| WavError::Resample {
                    from: self.sample_rate,
                    reason,
                })?;
        Ok(Wav {
            sample_rate: rate,
            samples,
            ..self.clone()
        })
    }

    /// The audio as telephony wire bytes: 8 kHz, encoded with `codec`, interleaved.
    pub fn to_wire(&self, codec: Codec) -> Result<Vec<u8>, WavError> {
        Ok(codec.encode(&self.resampled(8000)?.samples))
    }

    /// A RIFF/WAVE image of the samples as PCM16 (whatever `source_codec` says: the samples
    /// are already linear, so nothing is lost). Incomplete trailing frames are dropped.
    /// [`WavError::TooLarge`] past 4 GiB of samples, which WAV sizes cannot describe.
    pub fn to_bytes(&self) -> Result<Vec<u8>, WavError> {
        let channels = self.channels.max(1);
        let whole = self.frames() * usize::from(channels);
        let data_bytes = 2 * whole as u64;
        if data_bytes > MAX_DATA_BYTES {
            return Err(WavError::TooLarge { bytes: data_bytes });
        }
        let mut out = Vec::with_capacity(HEADER_BYTES as usize + data_bytes as usize);
        out.extend(pcm16_header(channels, self.sample_rate, data_bytes as u32));
        out.extend(self.samples[..whole].iter().flat_map(|s| s.to_le_bytes()));
        Ok(out)
    }

    /// Writes [`Wav::to_bytes`] to `path`.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<(), WavError> {
        Ok(std::fs::write(path, self.to_bytes()?)?)
    }
}

/// The format and the data chunk of a RIFF/WAVE image.
fn locate(bytes: &[u8]) -> Result<(Format, &[u8]), WavError> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(WavError::NotWave);
    }
    let mut format = None;
    let mut rest = &bytes[12..];
    while rest.len() >= 8 {
        let id = &rest[0..4];
        let declared = u32::from_le_bytes([rest[4], rest[5], rest[6], rest[7]]) as usize;
        let body = &rest[8..];
        // A data chunk whose size overruns the file (streamed writers leave it 0 or huge)
        // is read up to the end of the file; any other chunk must fit.
        let len = if id == b"data" {
            declared.min(body.len())
        } else if declared <= body.len() {
            declared
        } else {
            return Err(WavError::Malformed("chunk overruns the file"));
        };
        match id {
            b"fmt " => format = Some(Format::parse(&body[..len])?),
            b"data" => {
                let format = format.ok_or(WavError::Malformed("data chunk before fmt chunk"))?;
                return Ok((format, &body[..len]));
            }
            _ => {}
        }
        let padded = len + (len & 1);
        rest = body.get(padded..).unwrap_or(&[]);
    }
    Err(WavError::Malformed("no data chunk"))
}

#[derive(Debug, Clone, Copy)]
struct Format {
    codec: Codec,
    channels: u16,
    sample_rate: u32,
}

impl Format {
    fn parse(fmt: &[u8]) -> Result<Format, WavError> {
        if fmt.len() < 16 {
            return Err(WavError::Malformed("fmt chunk shorter than 16 bytes"));
        }
        let u16_at = |at: usize| u16::from_le_bytes([fmt[at], fmt[at + 1]]);
        let mut tag = u16_at(0);
        let channels = u16_at(2);
        let sample_rate = u32::from_le_bytes([fmt[4], fmt[5], fmt[6], fmt[7]]);
        let bits = u16_at(14);
        if tag == TAG_EXTENSIBLE {
            // cbSize(2) validBits(2) channelMask(4) then the subformat GUID, whose first two
            // bytes are the classic format tag.
            if fmt.len() < 26 {
                return Err(WavError::Malformed(
                    "WAVE_FORMAT_EXTENSIBLE fmt chunk too short",
                ));
            }
            tag = u16_at(24);
        }
        let codec = match (tag, bits) {
            (TAG_PCM, 16) => Codec::L16,
            (TAG_MULAW, 8) => Codec::Mulaw,
            (TAG_ALAW, 8) => Codec::Alaw,
            (tag, bits) => return Err(WavError::UnsupportedFormat { tag, bits }),
        };
        if !(1..=2).contains(&channels) {
            return Err(WavError::UnsupportedChannels(channels));
        }
        // The bound keeps the resampler's FFT sizes sane for hostile headers.
        if !(4000..=192_000).contains(&sample_rate) {
            return Err(WavError::UnsupportedRate(sample_rate));
        }
        Ok(Format {
            codec,
            channels,
            sample_rate,
        })
    }

    /// Only whole frames are kept, so a truncated tail cannot misalign the channels.
    fn whole_frames(self, len: usize) -> usize {
        let frame = self.codec.bytes_per_sample() * usize::from(self.channels);
        len - len % frame
    }

    fn decode(self, data: &[u8]) -> Wav {
        let whole = self.whole_frames(data.len());
        Wav {
            source_codec: self.codec,
            sample_rate: self.sample_rate,
            channels: self.channels,
            samples: self.codec.decode(&data[..whole]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> Wav {
        Wav::read(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/").to_owned() + name).unwrap()
    }

    fn header(tag: u16, channels: u16, rate: u32, bits: u16, data: &[u8]) -> Vec<u8> {
        let mut out = b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0".to_vec();
        out.extend(tag.to_le_bytes());
        out.extend(channels.to_le_bytes());
        out.extend(rate.to_le_bytes());
        out.extend((rate * u32::from(bits / 8) * u32::from(channels)).to_le_bytes());
        out.extend((bits / 8 * channels).to_le_bytes());
        out.extend(bits.to_le_bytes());
        out.extend(b"data");
        out.extend((data.len() as u32).to_le_bytes());
        out.extend(data);
        out
    }

    #[test]
    fn reads_the_project_samples() {
        let mono = sample("speaker-a.wav");
        assert_eq!(
            (mono.source_codec, mono.channels, mono.sample_rate),
            (Codec::Mulaw, 1, 8000)
        );
        assert!(mono.duration().as_secs_f64() > 10.0);
        let stereo = sample("call-stereo.wav");
        assert_eq!((stereo.source_codec, stereo.channels), (Codec::L16, 2));
        assert_eq!(stereo.samples.len() % 2, 0);
    }

    #[test]
    fn stored_bytes_only_when_codec_rate_and_layout_match() {
        // Three whole µ-law stereo frames and a stray byte.
        let data = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07];
        let file = header(TAG_MULAW, 2, 8000, 8, &data);
        let stored = Wav::stored_as(&file, Codec::Mulaw, 8000, 2).unwrap();
        assert_eq!(stored, Some(&data[..6]));
        assert_eq!(Wav::stored_as(&file, Codec::Alaw, 8000, 2).unwrap(), None);
        assert_eq!(Wav::stored_as(&file, Codec::Mulaw, 16000, 2).unwrap(), None);
        assert_eq!(Wav::stored_as(&file, Codec::Mulaw, 8000, 1).unwrap(), None);
        assert!(Wav::stored_as(b"RIFF", Codec::Mulaw, 8000, 1).is_err());
        // The stored bytes are what decoding and re-encoding would send.
        let wav = Wav::parse(&file).unwrap();
        assert_eq!(Codec::Mulaw.encode(&wav.samples), &data[..6]);
    }

    #[test]
    fn sixteen_khz_is_resampled_to_eight() {
        let wide = sample("speaker-a-16k.wav");
        assert_eq!(wide.sample_rate, 16000);
        let narrow = wide.resampled(8000).unwrap();
        assert_eq!(narrow.sample_rate, 8000);
        let ratio = narrow.frames() as f64 / wide.frames() as f64;
        assert!((ratio - 0.5).abs() < 0.001, "ratio {ratio}");
        // Speech survives: the resampled signal is not silence.
        assert!(narrow.samples.iter().any(|&s| s.unsigned_abs() > 1000));
        assert_eq!(wide.to_wire(Codec::Mulaw).unwrap().len(), narrow.frames());
    }

    #[test]
    fn written_files_read_back_as_the_same_samples() {
        let stereo = Wav {
            source_codec: Codec::Mulaw,
            sample_rate: 8000,
            channels: 2,
            samples: vec![0, -1, i16::MAX, i16::MIN, 1234, -4321, 7],
        };
        let back = Wav::parse(&stereo.to_bytes().unwrap()).unwrap();
        assert_eq!((back.source_codec, back.channels), (Codec::L16, 2));
        assert_eq!(back.sample_rate, 8000);
        assert_eq!(back.samples, stereo.samples[..6]);

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("speaker-a.wav");
        let original = sample("speaker-a.wav");
        original.write(&path).unwrap();
        assert_eq!(Wav::read(&path).unwrap().samples, original.samples);
    }

    #[test]
    fn alaw_and_extensible_files_parse() {
        let alaw = Wav::parse(&header(TAG_ALAW, 1, 8000, 8, &[0xD5, 0x55])).unwrap();
        assert_eq!(alaw.source_codec, Codec::Alaw);
        assert_eq!(alaw.samples.len(), 2);

        let mut ext = b"RIFF\0\0\0\0WAVEfmt \x28\0\0\0".to_vec();
        ext.extend(TAG_EXTENSIBLE.to_le_bytes());
        ext.extend(2u16.to_le_bytes());
        ext.extend(8000u32.to_le_bytes());
        ext.extend(16000u32.to_le_bytes());
        ext.extend(2u16.to_le_bytes());
        ext.extend(8u16.to_le_bytes());
        ext.extend(22u16.to_le_bytes());
        ext.extend(8u16.to_le_bytes());
        ext.extend(3u32.to_le_bytes());
        ext.extend(TAG_MULAW.to_le_bytes());
        ext.extend([0u8; 14]);
        ext.extend(b"data\x03\0\0\0\xFF\x7F\x00\0");
        let wav = Wav::parse(&ext).unwrap();
        assert_eq!((wav.source_codec, wav.channels), (Codec::Mulaw, 2));
        assert_eq!(
            wav.samples.len(),
            2,
            "the odd trailing byte is not a whole frame"
        );
    }

    #[test]
    fn mutated_files_never_panic() {
        // A fixed linear congruential sequence keeps the corpus deterministic.
        let original = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/samples/speaker-a.wav"
        ))
        .unwrap();
        let original = &original[..200];
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        for _ in 0..5000 {
            let mut bytes = original.to_vec();
            for _ in 0..1 + next() % 4 {
                let at = next() % bytes.len();
                bytes[at] = next() as u8;
            }
            bytes.truncate(next() % (bytes.len() + 1));
            let _ = Wav::parse(&bytes);
        }
    }

    #[test]
    fn hostile_files_are_typed_errors() {
        assert!(matches!(Wav::parse(b"RIFX"), Err(WavError::NotWave)));
        assert!(matches!(
            Wav::parse(&header(3, 1, 8000, 32, &[])),
            Err(WavError::UnsupportedFormat { tag: 3, bits: 32 })
        ));
        assert!(matches!(
            Wav::parse(&header(1, 6, 8000, 16, &[])),
            Err(WavError::UnsupportedChannels(6))
        ));
        assert!(matches!(
            Wav::parse(&header(1, 1, 0, 16, &[])),
            Err(WavError::UnsupportedRate(0))
        ));
        assert!(matches!(
            Wav::parse(&header(1, 1, 400_000, 16, &[])),
            Err(WavError::UnsupportedRate(400_000))
        ));
        let good = header(TAG_PCM, 1, 8000, 16, &[1, 0, 2, 0]);
        for cut in 0..good.len() {
            let _ = Wav::parse(&good[..cut]);
        }
        let mut overrun = good.clone();
        overrun[16] = 0xFF;
        assert!(matches!(Wav::parse(&overrun), Err(WavError::Malformed(_))));
        let mut no_data = good[..36].to_vec();
        no_data.extend(b"LIST\x02\0\0\0ab");
        assert!(matches!(
            Wav::parse(&no_data),
            Err(WavError::Malformed("no data chunk"))
        ));
    }
}
