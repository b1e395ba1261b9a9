//! 8 kHz → 16 kHz for the VAD, which only takes 16 kHz frames.

/// Doubles the sample rate by linear interpolation, carrying the last sample across calls
/// so chunk boundaries leave no seams.
#[derive(Debug, Default)]
pub(crate) struct Upsampler2x {
    previous: i16,
}

impl Upsampler2x {
    pub(crate) fn push(&mut self, input: &[i16], out: &mut Vec<i16>) {
        for &sample in input {
            let midpoint = (i32::from(self.previous) + i32::from(sample)) / 2;
            out.push(midpoint as i16);
            out.push(sample);
            self.previous = sample;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_across_calls() {
        let mut up = Upsampler2x::default();
        let mut out = Vec::new();
        up.push(&[100, 200], &mut out);
        up.push(&[-200], &mut out);
        assert_eq!(out, vec![50, 100, 150, 200, 0, -200]);
    }
}
