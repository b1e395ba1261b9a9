//! Sample-rate conversion of whole clips with rubato's synchronous FFT resampler.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};

/// Resamples interleaved 16-bit audio from `from` Hz to `to` Hz. The result has exactly
/// `ceil(frames × to / from)` frames, with the resampler's delay trimmed.
pub fn resample(samples: &[i16], channels: usize, from: u32, to: u32) -> Result<Vec<i16>, String> {
    if channels == 0 || from == 0 || to == 0 {
        return Err("channels and rates must be non-zero".into());
    }
    let frames = samples.len() / channels;
    if frames == 0 {
        return Ok(Vec::new());
    }
    let input: Vec<f32> = samples[..frames * channels]
        .iter()
        .map(|&s| f32::from(s) / 32768.0)
        .collect();
    let adapter = InterleavedSlice::new(&input, channels, frames).map_err(|e| e.to_string())?;
    let mut resampler =
        Fft::<f32>::new(from as usize, to as usize, 1024, channels, FixedSync::Input)
            .map_err(|e| e.to_string())?;
    let output = resampler
        .process_all(&adapter, frames, None)
        .map_err(|e| e.to_string())?;
    Ok(output
        .take_data()
        .into_iter()
        .map(|s| (s * 32768.0).round().clamp(-32768.0, 32767.0) as i16)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tone_keeps_its_frequency_and_level() {
        // 1 kHz at 16 kHz → 8 samples per period at 8 kHz.
        let tone: Vec<i16> = (0..16000)
            .map(|n| {
                (8000.0 * (2.0 * std::f64::consts::PI * 1000.0 * n as f64 / 16000.0).sin()) as i16
            })
            .collect();
        let out = resample(&tone, 1, 16000, 8000).unwrap();
        assert_eq!(out.len(), 8000);
        let peak = out[1000..7000]
            .iter()
            .map(|s| s.unsigned_abs())
            .max()
            .unwrap();
        assert!((7000..=9000).contains(&peak), "peak {peak}");
        let crossings = out[1000..7000]
            .windows(2)
            .filter(|w| w[0] < 0 && w[1] >= 0)
            .count();
        assert!((740..=760).contains(&crossings), "{crossings}");
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        assert_eq!(resample(&[], 1, 16000, 8000).unwrap(), Vec::<i16>::new());
        assert!(resample(&[1, 2], 0, 16000, 8000).is_err());
        assert!(resample(&[1, 2], 1, 0, 8000).is_err());
        assert_eq!(resample(&[5; 3], 1, 44100, 8000).unwrap().len(), 1);
    }
}
