//! `--collected-audio-out`: the audio a `result-success` carries, saved as a WAV file.

use std::path::Path;

use das::audio::codec::Codec;
use das::audio::wav::Wav;

use crate::exit::{CliError, Exit, OrExit};

/// Writes `audio` to `path`: as it is when the service sent a WAV file, else decoded from the
/// session's wire `codec` (8 kHz, `channels` interleaved) into a PCM16 WAV.
pub fn save(path: &Path, audio: &[u8], codec: Codec, channels: u16) -> Result<(), CliError> {
    let what = format!("cannot write the collected audio to {}", path.display());
    if audio.starts_with(b"RIFF") && Wav::parse(audio).is_ok() {
        return std::fs::write(path, audio).or_exit(Exit::Failure, &what);
    }
    let wav = Wav {
        source_codec: codec,
        sample_rate: 8000,
        channels,
        samples: codec.decode(audio),
    };
    wav.write(path).or_exit(Exit::Failure, &what)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_bytes_become_a_readable_wav_and_wav_files_stay_as_sent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("collected.wav");
        let samples: Vec<i16> = (0..160).map(|i| (i * 100) as i16).collect();
        let wire = Codec::Mulaw.encode(&samples);
        save(&path, &wire, Codec::Mulaw, 1).unwrap();
        let wav = Wav::read(&path).unwrap();
        assert_eq!((wav.sample_rate, wav.channels), (8000, 1));
        assert_eq!(wav.samples, Codec::Mulaw.decode(&wire));

        let image = std::fs::read(&path).unwrap();
        let copy = dir.path().join("copy.wav");
        save(&copy, &image, Codec::Alaw, 2).unwrap();
        assert_eq!(std::fs::read(&copy).unwrap(), image);
    }
}
