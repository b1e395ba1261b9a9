//! A minimal WAV reader (PCM16, µ-law, A-law) for TRD uploads and tests. One function,
//! so it can be swapped for `das::audio::wav` once that exists.

use das::audio::codec::Codec;

/// Decoded WAV audio: interleaved linear samples.
#[derive(Debug, Clone, PartialEq)]
pub struct WavAudio {
    pub sample_rate: u32,
    pub channels: u16,
    pub samples: Vec<i16>,
}

/// A byte buffer that is not a WAV file this reader understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WavError {
    #[error("not a RIFF/WAVE file")]
    NotWave,
    #[error("WAV file has no {0} chunk")]
    MissingChunk(&'static str),
    #[error("WAV chunk {0:?} is truncated")]
    Truncated(String),
    #[error(
        "unsupported WAV encoding (format {format}, {bits} bits); expected PCM16, µ-law or A-law"
    )]
    Unsupported { format: u16, bits: u16 },
    #[error("WAV header has zero channels or sample rate")]
    Empty,
}

/// Parses a whole WAV file.
pub fn read_wav(bytes: &[u8]) -> Result<WavAudio, WavError> {
    if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(WavError::NotWave);
    }
    let mut format = None;
    let mut data = None;
    let mut rest = &bytes[12..];
    while rest.len() >= 8 {
        let id = &rest[..4];
        let size = u32::from_le_bytes([rest[4], rest[5], rest[6], rest[7]]) as usize;
        let body_end = 8usize.saturating_add(size);
        let body = match rest.get(8..body_end) {
            Some(body) => body,
            // Streams often leave the data size unset or too large; take what is there.
            None if id == b"data" => &rest[8..],
            None => {
                return Err(WavError::Truncated(
                    String::from_utf8_lossy(id).into_owned(),
                ))
            }
        };
        match id {
            b"fmt " => format = Some(body),
            b"data" => data = Some(body),
            _ => {}
        }
        let padded = body_end.saturating_add(size % 2);
        rest = rest.get(padded..).unwrap_or_default();
    }
    let fmt = format.ok_or(WavError::MissingChunk("fmt"))?;
    let data = data.ok_or(WavError::MissingChunk("data"))?;
    if fmt.len() < 16 {
        return Err(WavError::Truncated("fmt ".into()));
    }
    let field = |at: usize| u16::from_le_bytes([fmt[at], fmt[at + 1]]);
    let (tag, channels, bits) = (field(0), field(2), field(14));
    let sample_rate = u32::from_le_bytes([fmt[4], fmt[5], fmt[6], fmt[7]]);
    if channels == 0 || sample_rate == 0 {
        return Err(WavError::Empty);
    }
    let codec = match (tag, bits) {
        (1, 16) => Codec::L16,
        (7, 8) => Codec::Mulaw,
        (6, 8) => Codec::Alaw,
        (format, bits) => return Err(WavError::Unsupported { format, bits }),
    };
    Ok(WavAudio {
        sample_rate,
        channels,
        samples: codec.decode(data),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(tag: u16, channels: u16, bits: u16, data: &[u8]) -> Vec<u8> {
        let mut out = b"RIFF\0\0\0\0WAVEfmt ".to_vec();
        out.extend(16u32.to_le_bytes());
        out.extend(tag.to_le_bytes());
        out.extend(channels.to_le_bytes());
        out.extend(8000u32.to_le_bytes());
        out.extend((8000u32 * u32::from(bits / 8)).to_le_bytes());
        out.extend((channels * bits / 8).to_le_bytes());
        out.extend(bits.to_le_bytes());
        out.extend(b"data");
        out.extend((data.len() as u32).to_le_bytes());
        out.extend(data);
        out
    }

    #[test]
    fn reads_pcm_and_mulaw_and_rejects_the_rest() {
        let pcm = read_wav(&header(1, 2, 16, &[1, 0, 2, 0])).unwrap();
        assert_eq!((pcm.channels, pcm.samples), (2, vec![1, 2]));
        let mulaw = read_wav(&header(7, 1, 8, &[0xFF])).unwrap();
        assert_eq!(mulaw.samples, vec![0]);
        assert_eq!(read_wav(b"nope"), Err(WavError::NotWave));
        assert_eq!(
            read_wav(&header(3, 1, 32, &[])),
            Err(WavError::Unsupported {
                format: 3,
                bits: 32
            })
        );
        let mut no_data = header(1, 1, 16, &[]);
        no_data.truncate(36);
        assert_eq!(read_wav(&no_data), Err(WavError::MissingChunk("data")));
    }
}
