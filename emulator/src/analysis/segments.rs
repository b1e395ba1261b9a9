//! Speech segments of a whole mono recording, from the same earshot VAD.

use earshot::Detector;

use super::spectrum::FRAME_LEN;
use super::upsample::Upsampler2x;

/// Silence shorter than this joins two segments.
const MAX_GAP_SECONDS: f64 = 0.3;
/// Segments shorter than this are dropped as clicks.
const MIN_SEGMENT_SECONDS: f64 = 0.1;

/// `(start, end)` seconds of speech in `mono` audio at 8 or 16 kHz.
pub fn speech_segments(mono: &[i16], sample_rate: u32, threshold: f32) -> Vec<(f64, f64)> {
    let wideband = if sample_rate == 8000 {
        let mut out = Vec::with_capacity(mono.len() * 2);
        Upsampler2x::default().push(mono, &mut out);
        out
    } else {
        mono.to_vec()
    };
    let frame_seconds = FRAME_LEN as f64 / 16_000.0;
    let mut detector = Detector::default_boxed();
    let mut segments: Vec<(f64, f64)> = Vec::new();
    for (index, frame) in wideband.chunks_exact(FRAME_LEN).enumerate() {
        if detector.predict_i16(frame) < threshold {
            continue;
        }
        let start = index as f64 * frame_seconds;
        let end = start + frame_seconds;
        match segments.last_mut() {
            Some(last) if start - last.1 <= MAX_GAP_SECONDS => last.1 = end,
            _ => segments.push((start, end)),
        }
    }
    segments.retain(|(start, end)| end - start >= MIN_SEGMENT_SECONDS);
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_has_no_segments() {
        assert!(speech_segments(&vec![0; 16_000], 8000, 0.5).is_empty());
    }
}
