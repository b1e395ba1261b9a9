//! Power spectrum and mel filterbank of one 16 ms frame at 16 kHz.

use std::f32::consts::PI;
use std::sync::Arc;

use rustfft::num_complex::Complex32;
use rustfft::{Fft, FftPlanner};

/// Samples per analysis frame (16 ms at 16 kHz, earshot's frame size).
pub(crate) const FRAME_LEN: usize = 256;
const RATE: f32 = 16_000.0;
/// Mel bands; they stop below 4 kHz so 8 kHz and 16 kHz input give comparable features.
pub(crate) const MEL_BANDS: usize = 24;
const MEL_LOW_HZ: f32 = 100.0;
const MEL_HIGH_HZ: f32 = 3_800.0;

pub(crate) struct FrameSpectrum {
    fft: Arc<dyn Fft<f32>>,
    window: Vec<f32>,
    /// Per band: (first bin, weights from that bin on).
    filters: Vec<(usize, Vec<f32>)>,
    buffer: Vec<Complex32>,
    power: Vec<f32>,
}

impl FrameSpectrum {
    pub(crate) fn new() -> Self {
        let fft = FftPlanner::new().plan_fft_forward(FRAME_LEN);
        let window = (0..FRAME_LEN)
            .map(|n| 0.5 - 0.5 * (2.0 * PI * n as f32 / FRAME_LEN as f32).cos())
            .collect();
        FrameSpectrum {
            fft,
            window,
            filters: mel_filters(),
            buffer: vec![Complex32::default(); FRAME_LEN],
            power: vec![0.0; FRAME_LEN / 2 + 1],
        }
    }

    /// Computes the power spectrum of `frame` (exactly [`FRAME_LEN`] samples).
    pub(crate) fn analyse(&mut self, frame: &[i16]) -> &[f32] {
        for ((slot, &sample), &w) in self.buffer.iter_mut().zip(frame).zip(&self.window) {
            *slot = Complex32::new(f32::from(sample) / 32768.0 * w, 0.0);
        }
        self.fft.process(&mut self.buffer);
        for (p, c) in self.power.iter_mut().zip(&self.buffer) {
            *p = c.norm_sqr();
        }
        &self.power
    }

    /// Log mel energies of the last analysed frame.
    pub(crate) fn log_mel(&self, out: &mut [f32; MEL_BANDS]) {
        for (slot, (start, weights)) in out.iter_mut().zip(&self.filters) {
            let energy: f32 = weights
                .iter()
                .zip(&self.power[*start..])
                .map(|(w, p)| w * p)
                .sum();
            *slot = (energy + 1e-10).ln();
        }
    }

    /// Spectral flatness (geometric over arithmetic mean of power) of the speech band of
    /// the last analysed frame: near 0 for tonal sound, near 0.5–1 for noise.
    pub(crate) fn flatness(&self) -> f32 {
        let band = &self.power[bin_of(MEL_LOW_HZ)..=bin_of(MEL_HIGH_HZ)];
        let n = band.len() as f32;
        let log_mean = band.iter().map(|p| (p + 1e-12).ln()).sum::<f32>() / n;
        let mean = band.iter().sum::<f32>() / n + 1e-12;
        (log_mean.exp() / mean).clamp(0.0, 1.0)
    }
}

fn bin_of(hz: f32) -> usize {
    (hz / RATE * FRAME_LEN as f32).round() as usize
}

fn hz_to_mel(hz: f32) -> f32 {
    2595.0 * (1.0 + hz / 700.0).log10()
}

fn mel_to_hz(mel: f32) -> f32 {
    700.0 * (10f32.powf(mel / 2595.0) - 1.0)
}

/// Triangular filters evenly spaced on the mel scale.
fn mel_filters() -> Vec<(usize, Vec<f32>)> {
    let (low, high) = (hz_to_mel(MEL_LOW_HZ), hz_to_mel(MEL_HIGH_HZ));
    let edges: Vec<f32> = (0..MEL_BANDS + 2)
        .map(|i| mel_to_hz(low + (high - low) * i as f32 / (MEL_BANDS + 1) as f32))
        .map(|hz| hz / RATE * FRAME_LEN as f32)
        .collect();
    edges
        .windows(3)
        .map(|w| {
            let (left, centre, right) = (w[0], w[1], w[2]);
            let start = left.floor() as usize;
            let weights = (start..=right.ceil() as usize)
                .map(|bin| {
                    let x = bin as f32;
                    let rise = (x - left) / (centre - left).max(1e-6);
                    let fall = (right - x) / (right - centre).max(1e-6);
                    rise.min(fall).max(0.0)
                })
                .collect();
            (start, weights)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(hz: f32) -> Vec<i16> {
        (0..FRAME_LEN)
            .map(|n| (8000.0 * (2.0 * PI * hz * n as f32 / RATE).sin()) as i16)
            .collect()
    }

    #[test]
    fn a_tone_lights_its_own_band_and_is_not_flat() {
        let mut spectrum = FrameSpectrum::new();
        spectrum.analyse(&tone(1000.0));
        let mut mel = [0.0; MEL_BANDS];
        spectrum.log_mel(&mut mel);
        let loudest = mel
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, _)| i)
            .unwrap_or_default();
        let centre_hz = mel_to_hz(
            hz_to_mel(MEL_LOW_HZ)
                + (hz_to_mel(MEL_HIGH_HZ) - hz_to_mel(MEL_LOW_HZ)) * (loudest + 1) as f32
                    / (MEL_BANDS + 1) as f32,
        );
        assert!(
            (centre_hz - 1000.0).abs() < 200.0,
            "band centre {centre_hz}"
        );
        assert!(spectrum.flatness() < 0.1);
    }
}
