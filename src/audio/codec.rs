//! The wire codecs of the audio channel and whole-buffer encode/decode.

use std::fmt;
use std::str::FromStr;

use super::g711;

/// A sample encoding on the audio channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    /// G.711 µ-law, one byte per sample (AudioHook `PCMU`, das-Peak `mulaw`).
    Mulaw,
    /// G.711 A-law, one byte per sample (das-Peak `alaw`).
    Alaw,
    /// Linear 16-bit little-endian PCM (AudioHook `L16`).
    L16,
}

/// A codec name that none of [`Codec`]'s spellings match.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported audio codec {0:?} (expected mulaw, alaw or l16)")]
pub struct UnknownCodec(pub String);

impl Codec {
    /// Bytes one sample of one channel takes on the wire.
    pub fn bytes_per_sample(self) -> usize {
        match self {
            Codec::Mulaw | Codec::Alaw => 1,
            Codec::L16 => 2,
        }
    }

    /// The name das-Peak Streaming uses in `metadata.audio_codec`.
    pub fn das_name(self) -> &'static str {
        match self {
            Codec::Mulaw => "mulaw",
            Codec::Alaw => "alaw",
            Codec::L16 => "l16",
        }
    }

    /// Decodes a whole buffer, appending linear samples to `out`. A trailing partial
    /// sample (odd byte in L16) is ignored; callers that care check lengths first.
    pub fn decode_into(self, bytes: &[u8], out: &mut Vec<i16>) {
        match self {
            Codec::Mulaw => out.extend(bytes.iter().map(|&b| g711::ulaw_decode(b))),
            Codec::Alaw => out.extend(bytes.iter().map(|&b| g711::alaw_decode(b))),
            Codec::L16 => out.extend(
                bytes
                    .chunks_exact(2)
                    .map(|pair| i16::from_le_bytes([pair[0], pair[1]])),
            ),
        }
    }

    /// Decodes a whole buffer into a new vector.
    pub fn decode(self, bytes: &[u8]) -> Vec<i16> {
        let mut out = Vec::with_capacity(bytes.len() / self.bytes_per_sample());
        self.decode_into(bytes, &mut out);
        out
    }

    /// Encodes linear samples, appending the wire bytes to `out`.
    pub fn encode_into(self, samples: &[i16], out: &mut Vec<u8>) {
        match self {
            Codec::Mulaw => out.extend(samples.iter().map(|&s| g711::ulaw_encode(s))),
            Codec::Alaw => out.extend(samples.iter().map(|&s| g711::alaw_encode(s))),
            Codec::L16 => out.extend(samples.iter().flat_map(|s| s.to_le_bytes())),
        }
    }

    /// Encodes linear samples into a new buffer.
    pub fn encode(self, samples: &[i16]) -> Vec<u8> {
        let mut out = Vec::with_capacity(samples.len() * self.bytes_per_sample());
        self.encode_into(samples, &mut out);
        out
    }
}

impl fmt::Display for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.das_name())
    }
}

impl FromStr for Codec {
    type Err = UnknownCodec;

    /// Accepts das-Peak, AudioHook and common spellings, case-insensitively.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name.to_ascii_lowercase().as_str() {
            "mulaw" | "ulaw" | "pcmu" | "g711u" | "audio/x-mulaw" => Ok(Codec::Mulaw),
            "alaw" | "pcma" | "g711a" | "audio/x-alaw" => Ok(Codec::Alaw),
            "l16" | "pcm" | "pcm16" | "s16le" | "linear16" => Ok(Codec::L16),
            _ => Err(UnknownCodec(name.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_in_every_spelling() {
        for (name, codec) in [
            ("mulaw", Codec::Mulaw),
            ("PCMU", Codec::Mulaw),
            ("audio/x-mulaw", Codec::Mulaw),
            ("alaw", Codec::Alaw),
            ("L16", Codec::L16),
        ] {
            assert_eq!(name.parse::<Codec>(), Ok(codec));
        }
        assert_eq!("opus".parse::<Codec>(), Err(UnknownCodec("opus".into())));
    }

    #[test]
    fn l16_is_little_endian() {
        assert_eq!(Codec::L16.encode(&[1, -2]), vec![0x01, 0x00, 0xFE, 0xFF]);
        assert_eq!(
            Codec::L16.decode(&[0x01, 0x00, 0xFE, 0xFF, 0x07]),
            vec![1, -2]
        );
    }

    #[test]
    fn buffers_round_trip_through_every_codec() {
        let samples: Vec<i16> = (0..800)
            .map(|n| ((n * 97) % 20000 - 10000) as i16)
            .collect();
        for codec in [Codec::Mulaw, Codec::Alaw, Codec::L16] {
            let wire = codec.encode(&samples);
            assert_eq!(wire.len(), samples.len() * codec.bytes_per_sample());
            let back = codec.decode(&wire);
            assert_eq!(codec.encode(&back), wire, "{codec}");
        }
    }
}
