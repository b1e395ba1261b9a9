//! The emulated liveness score ("authenticity"): a deterministic proxy built from how
//! tonal the voiced frames are and how much of the audio is clipped. Real speech scores
//! high; white noise and heavily clipped audio score low. Not an anti-spoofing model.

/// Running statistics of voiced frames.
#[derive(Debug, Clone, Default)]
pub(crate) struct AuthenticityAccumulator {
    frames: u32,
    flatness_sum: f64,
    samples: u64,
    clipped: u64,
}

/// Samples at or beyond this magnitude count as clipped.
const CLIP_LEVEL: i16 = 32_000;

impl AuthenticityAccumulator {
    pub(crate) fn add(&mut self, flatness: f32, frame: &[i16]) {
        self.frames += 1;
        self.flatness_sum += f64::from(flatness);
        self.samples += frame.len() as u64;
        self.clipped += frame
            .iter()
            .filter(|s| s.unsigned_abs() >= CLIP_LEVEL.unsigned_abs())
            .count() as u64;
    }

    /// The score in [0, 1], rounded to two decimals; 0 before any voiced frame.
    pub(crate) fn score(&self) -> f64 {
        if self.frames == 0 {
            return 0.0;
        }
        let flatness = self.flatness_sum / f64::from(self.frames);
        let clipped = self.clipped as f64 / self.samples as f64;
        let score = (1.0 - flatness) * (1.0 - (20.0 * clipped).min(1.0));
        (score.clamp(0.0, 1.0) * 100.0).round() / 100.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tonal_unclipped_audio_scores_high_and_clipping_low() {
        let mut clean = AuthenticityAccumulator::default();
        clean.add(0.02, &[1000, -1000, 500]);
        assert_eq!(clean.score(), 0.98);
        let mut clipped = AuthenticityAccumulator::default();
        clipped.add(0.02, &[32767, -32768, 0, 0]);
        assert_eq!(clipped.score(), 0.0);
        assert_eq!(AuthenticityAccumulator::default().score(), 0.0);
    }
}
