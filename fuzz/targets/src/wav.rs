//! The WAV reader.

use das::audio::codec::Codec;
use das::audio::wav::{Wav, WavError};

/// Longest clip (in frames) that is also resampled; the resampler costs far more than parsing.
const MAX_RESAMPLED_FRAMES: usize = 2048;
/// Rates whose ratio to 8 kHz reduces to larger terms than this (7,993 Hz, 139,057 Hz...) need
/// FFTs of that size: tens of milliseconds per clip in the debug build that replays the corpus.
/// Every standard rate (11,025 → 441/320, 44,100 → 441/80, 48,000 → 6/1) stays below it.
const MAX_RATIO_TERM: u32 = 2000;

/// Parses `data` as a WAV file. The layout must be one the reader promises (mono or stereo,
/// whole frames, no more samples than the bytes hold); writing it back as PCM16 and reading
/// that again must give the same samples; resampling short clips at common rates to 8 kHz must
/// give exactly `ceil(frames × 8000 / rate)` frames.
pub fn wav_reader(data: &[u8]) {
    let wav = match Wav::parse(data) {
        Ok(wav) => wav,
        Err(error) => {
            assert!(!matches!(error, WavError::Io(_)), "parsing bytes did I/O");
            let _ = error.to_string();
            return;
        }
    };
    assert!((1..=2).contains(&wav.channels), "{} channels", wav.channels);
    assert!((4000..=192_000).contains(&wav.sample_rate));
    assert_eq!(
        wav.samples.len() % usize::from(wav.channels),
        0,
        "partial frame"
    );
    assert!(
        wav.samples.len() * wav.source_codec.bytes_per_sample() <= data.len(),
        "more samples than the file holds"
    );
    let _ = wav.duration();

    let bytes = wav
        .to_bytes()
        .unwrap_or_else(|e| panic!("a parsed WAV cannot be written back: {e}"));
    let back = Wav::parse(&bytes).unwrap_or_else(|e| panic!("written WAV does not parse: {e}"));
    assert_eq!(back.source_codec, Codec::L16);
    assert_eq!(
        (back.channels, back.sample_rate),
        (wav.channels, wav.sample_rate)
    );
    assert_eq!(
        back.samples, wav.samples,
        "samples changed through to_bytes"
    );
    assert_eq!(back.to_bytes().ok(), Some(bytes), "to_bytes is not stable");

    let common = gcd(wav.sample_rate, 8000);
    let ratio_term = (wav.sample_rate / common).max(8000 / common);
    if wav.frames() <= MAX_RESAMPLED_FRAMES && ratio_term <= MAX_RATIO_TERM {
        let narrow = wav
            .resampled(8000)
            .unwrap_or_else(|e| panic!("resampling a parsed file failed: {e}"));
        let expected = (wav.frames() as u64 * 8000).div_ceil(u64::from(wav.sample_rate));
        assert_eq!(narrow.frames() as u64, expected, "resampled frame count");
        assert_eq!(narrow.samples.len() % usize::from(wav.channels), 0);
    }
}

fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}
