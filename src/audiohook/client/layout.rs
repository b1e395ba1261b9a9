//! Converts the application's audio layout (codec, channel order) to the selected media's.

use bytes::Bytes;

use crate::audiohook::messages::{MediaChannel, MediaFormat, MediaParameter};

/// A conversion from input frames to wire frames.
#[derive(Debug, Clone)]
pub struct Layout {
    input_format: MediaFormat,
    input_channels: Vec<MediaChannel>,
    output: MediaParameter,
}

impl Layout {
    /// Converts frames of `input_format` in `input_channels` order to the `output` media.
    pub fn new(
        input_format: MediaFormat,
        input_channels: Vec<MediaChannel>,
        output: MediaParameter,
    ) -> Self {
        Layout {
            input_format,
            input_channels,
            output,
        }
    }

    fn is_identity(&self) -> bool {
        self.input_format == self.output.format && self.input_channels == self.output.channels
    }

    /// Converts whole input sample frames; a selected channel absent from the input is
    /// sent as silence.
    pub fn convert(&self, input: Bytes) -> Bytes {
        if self.is_identity() {
            return input;
        }
        let linear = self.input_format.codec().decode(&input);
        let stride = self.input_channels.len().max(1);
        let picks: Vec<Option<usize>> = self
            .output
            .channels
            .iter()
            .map(|c| self.input_channels.iter().position(|i| i == c))
            .collect();
        let mut out = Vec::with_capacity(linear.len() / stride * picks.len());
        for frame in linear.chunks_exact(stride) {
            out.extend(picks.iter().map(|pick| pick.map_or(0, |i| frame[i])));
        }
        self.output.format.codec().encode(&out).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MediaChannel::{External, Internal};

    #[test]
    fn channels_are_reordered_and_picked() {
        let swap = Layout::new(
            MediaFormat::L16,
            vec![External, Internal],
            MediaParameter::audio(MediaFormat::L16, vec![Internal, External]),
        );
        assert_eq!(
            swap.convert(Bytes::from(vec![1, 0, 2, 0, 3, 0, 4, 0])),
            vec![2, 0, 1, 0, 4, 0, 3, 0]
        );
        let pick = Layout::new(
            MediaFormat::L16,
            vec![External, Internal],
            MediaParameter::audio(MediaFormat::L16, vec![Internal]),
        );
        assert_eq!(pick.convert(Bytes::from(vec![1, 0, 2, 0])), vec![2, 0]);
        let same = Layout::new(
            MediaFormat::Pcmu,
            vec![External],
            MediaParameter::audio(MediaFormat::Pcmu, vec![External]),
        );
        assert_eq!(
            same.convert(Bytes::from(vec![0x7F, 0x13])),
            vec![0x7F, 0x13]
        );
        let widen = Layout::new(
            MediaFormat::L16,
            vec![External],
            MediaParameter::audio(MediaFormat::Pcmu, vec![External, Internal]),
        );
        assert_eq!(widen.convert(Bytes::from(vec![0, 0])), vec![0xFF, 0xFF]);
    }
}
