//! Channel layout: telephony stereo is (external, internal) = (customer, agent), interleaved
//! sample by sample on the wire.

/// Interleaves two equally long mono buffers as `[e0, i0, e1, i1, ...]`. The shorter
/// buffer is padded with silence so no sample of the longer one is lost.
pub fn interleave<T: Copy + Default>(external: &[T], internal: &[T]) -> Vec<T> {
    let frames = external.len().max(internal.len());
    let mut out = Vec::with_capacity(frames * 2);
    for n in 0..frames {
        out.push(external.get(n).copied().unwrap_or_default());
        out.push(internal.get(n).copied().unwrap_or_default());
    }
    out
}

/// Splits interleaved stereo into (external, internal); a trailing odd sample is dropped.
pub fn split<T: Copy>(interleaved: &[T]) -> (Vec<T>, Vec<T>) {
    let frames = interleaved.len() / 2;
    let mut external = Vec::with_capacity(frames);
    let mut internal = Vec::with_capacity(frames);
    for pair in interleaved.chunks_exact(2) {
        external.push(pair[0]);
        internal.push(pair[1]);
    }
    (external, internal)
}

/// Averages interleaved frames of `channels` samples down to mono.
pub fn downmix(interleaved: &[i16], channels: usize) -> Vec<i16> {
    if channels <= 1 {
        return interleaved.to_vec();
    }
    interleaved
        .chunks_exact(channels)
        .map(|frame| (frame.iter().map(|&s| s as i32).sum::<i32>() / channels as i32) as i16)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleave_and_split_are_inverse() {
        let external = [1i16, 2, 3];
        let internal = [10i16, 20, 30];
        let both = interleave(&external, &internal);
        assert_eq!(both, vec![1, 10, 2, 20, 3, 30]);
        assert_eq!(split(&both), (external.to_vec(), internal.to_vec()));
    }

    #[test]
    fn interleave_pads_the_shorter_side_with_silence() {
        assert_eq!(interleave(&[1u8, 2], &[9u8]), vec![1, 9, 2, 0]);
    }

    #[test]
    fn downmix_averages_frames() {
        assert_eq!(downmix(&[10, 20, -4, 4], 2), vec![15, 0]);
        assert_eq!(downmix(&[5, 6], 1), vec![5, 6]);
    }
}
