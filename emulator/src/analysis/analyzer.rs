//! Streams mono audio through the VAD and, for voiced frames, the emulated features.

use std::fmt;

use earshot::Detector;

use crate::config::{VadDetector, ENERGY_VOICED_DBFS};

use super::authenticity::AuthenticityAccumulator;
use super::spectrum::{FrameSpectrum, FRAME_LEN, MEL_BANDS};
use super::upsample::Upsampler2x;
use super::voiceprint::{Voiceprint, VoiceprintAccumulator};

/// Seconds covered by one VAD frame.
const FRAME_SECONDS: f64 = FRAME_LEN as f64 / 16_000.0;

/// Accumulates voice statistics for one session's analysed channel.
pub struct VoiceAnalyzer {
    sample_rate: u32,
    threshold: f32,
    /// earshot's detector; `None` judges frames by their energy alone.
    detector: Option<Box<Detector>>,
    upsampler: Option<Upsampler2x>,
    pending: Vec<i16>,
    input_samples: u64,
    voiced_frames: u64,
    spectrum: FrameSpectrum,
    print: VoiceprintAccumulator,
    authenticity: AuthenticityAccumulator,
}

/// Shows the settings and counters, not the buffers and spectra.
impl fmt::Debug for VoiceAnalyzer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VoiceAnalyzer")
            .field("sample_rate", &self.sample_rate)
            .field("threshold", &self.threshold)
            .field("input_samples", &self.input_samples)
            .field("voiced_frames", &self.voiced_frames)
            .finish_non_exhaustive()
    }
}

impl VoiceAnalyzer {
    /// `sample_rate` must be 8000 (upsampled for the VAD) or 16000; `threshold` is the
    /// earshot score at which a frame counts as voiced.
    pub fn new(sample_rate: u32, threshold: f32) -> Self {
        Self::with_detector(sample_rate, threshold, VadDetector::Earshot)
    }

    /// [`VoiceAnalyzer::new`] with the given detector (`threshold` applies to earshot).
    pub fn with_detector(sample_rate: u32, threshold: f32, detector: VadDetector) -> Self {
        VoiceAnalyzer {
            sample_rate,
            threshold,
            detector: (detector == VadDetector::Earshot).then(Detector::default_boxed),
            upsampler: (sample_rate == 8000).then(Upsampler2x::default),
            pending: Vec::with_capacity(2 * FRAME_LEN),
            input_samples: 0,
            voiced_frames: 0,
            spectrum: FrameSpectrum::new(),
            print: VoiceprintAccumulator::default(),
            authenticity: AuthenticityAccumulator::default(),
        }
    }

    /// Analyses more mono samples at the session's sample rate.
    pub fn push(&mut self, mono: &[i16]) {
        self.input_samples += mono.len() as u64;
        match &mut self.upsampler {
            Some(up) => up.push(mono, &mut self.pending),
            None => self.pending.extend_from_slice(mono),
        }
        let whole = self.pending.len() / FRAME_LEN * FRAME_LEN;
        let frames = std::mem::take(&mut self.pending);
        for frame in frames[..whole].chunks_exact(FRAME_LEN) {
            self.analyse_frame(frame);
        }
        self.pending = frames;
        self.pending.drain(..whole);
    }

    fn analyse_frame(&mut self, frame: &[i16]) {
        let voiced = match &mut self.detector {
            Some(detector) => detector.predict_i16(frame) >= self.threshold,
            None => loud_enough(frame),
        };
        if !voiced {
            return;
        }
        self.voiced_frames += 1;
        self.spectrum.analyse(frame);
        let mut mel = [0.0; MEL_BANDS];
        self.spectrum.log_mel(&mut mel);
        self.print.add(&mel);
        self.authenticity.add(self.spectrum.flatness(), frame);
    }

    /// Seconds of audio pushed so far.
    pub fn audio_seconds(&self) -> f64 {
        self.input_samples as f64 / f64::from(self.sample_rate)
    }

    /// Seconds of audio the VAD judged voiced.
    pub fn voiced_seconds(&self) -> f64 {
        self.voiced_frames as f64 * FRAME_SECONDS
    }

    /// The emulated voiceprint of the voiced audio; `None` before any voice.
    pub fn voiceprint(&self) -> Option<Voiceprint> {
        self.print.voiceprint()
    }

    /// The emulated liveness score in [0, 1].
    pub fn authenticity(&self) -> f64 {
        self.authenticity.score()
    }
}

/// The energy detector: the frame's RMS level against [`ENERGY_VOICED_DBFS`].
fn loud_enough(frame: &[i16]) -> bool {
    let energy: f64 = frame.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    let full_scale = f64::from(i16::MAX) * f64::from(i16::MAX) * frame.len() as f64;
    10.0 * (energy / full_scale).log10() >= ENERGY_VOICED_DBFS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_is_not_voice_and_time_counts_at_the_input_rate() {
        let mut analyzer = VoiceAnalyzer::new(8000, 0.5);
        analyzer.push(&vec![0; 8000]);
        analyzer.push(&[0; 100]);
        assert!((analyzer.audio_seconds() - 1.0125).abs() < 1e-9);
        assert_eq!(analyzer.voiced_seconds(), 0.0);
        assert!(analyzer.voiceprint().is_none());
        assert_eq!(analyzer.authenticity(), 0.0);
    }

    #[test]
    fn the_energy_detector_hears_a_loud_tone_and_not_a_faint_one() {
        let tone = |amplitude: f64| -> Vec<i16> {
            (0..16_000)
                .map(|i| (amplitude * (i as f64 * 0.3).sin()) as i16)
                .collect()
        };
        let mut analyzer = VoiceAnalyzer::with_detector(16_000, 0.5, VadDetector::Energy);
        analyzer.push(&tone(100.0)); // about -53 dBFS
        assert_eq!(analyzer.voiced_seconds(), 0.0);
        analyzer.push(&tone(8000.0)); // about -15 dBFS
        assert!(analyzer.voiced_seconds() > 0.9, "{analyzer:?}");
    }
}
