//! The audio a simulated Genesys client streams: a WAV file (resampled to 8 kHz) or a 1 kHz
//! tone, cut to `--duration`, encoded in the offered format.

use std::path::Path;

use das::audio::wav::Wav;
use das::audiohook::messages::{MediaChannel, MediaFormat, MediaParameter, SAMPLE_RATE};

use crate::args_tools::OfferFormat;
use crate::exit::{CliError, Exit, OrExit};

/// Seconds of tone when `--duration` is not given.
const DEFAULT_TONE_SECONDS: f64 = 5.0;
const TONE_HZ: f64 = 1000.0;
/// About -12 dBFS: clearly audible, far from clipping.
const TONE_AMPLITUDE: f64 = 8000.0;

/// Encoded audio plus the layout to announce.
pub struct Audio {
    pub bytes: Vec<u8>,
    pub format: MediaFormat,
    pub channels: Vec<MediaChannel>,
    pub seconds: f64,
}

impl Audio {
    pub fn load(
        wav: Option<&Path>,
        duration: Option<f64>,
        format: OfferFormat,
    ) -> Result<Audio, CliError> {
        if let Some(seconds) = duration {
            if !(seconds.is_finite() && seconds > 0.0) {
                return Err(CliError::new(Exit::Usage, "--duration must be positive"));
            }
        }
        let mut audio = match wav {
            Some(path) => Wav::read(path)
                .and_then(|wav| wav.resampled(SAMPLE_RATE))
                .or_exit(Exit::Input, &path.display().to_string())?,
            None => tone(duration.unwrap_or(DEFAULT_TONE_SECONDS)),
        };
        if let Some(seconds) = duration {
            let frames = (seconds * f64::from(SAMPLE_RATE)) as usize;
            audio.samples.truncate(frames * usize::from(audio.channels));
        }
        let format = match format {
            OfferFormat::Pcmu => MediaFormat::Pcmu,
            OfferFormat::L16 => MediaFormat::L16,
        };
        let channels = match audio.channels {
            1 => vec![MediaChannel::External],
            _ => vec![MediaChannel::External, MediaChannel::Internal],
        };
        Ok(Audio {
            bytes: format.codec().encode(&audio.samples),
            format,
            channels,
            seconds: audio.duration().as_secs_f64(),
        })
    }

    /// What the client offers: the file's layout first, then each channel alone for a stereo
    /// file, as the Genesys reference client does.
    pub fn offers(&self) -> Vec<MediaParameter> {
        let mut offers = vec![MediaParameter::audio(self.format, self.channels.clone())];
        if self.channels.len() == 2 {
            offers.extend(
                self.channels
                    .iter()
                    .map(|&channel| MediaParameter::audio(self.format, vec![channel])),
            );
        }
        offers
    }
}

fn tone(seconds: f64) -> Wav {
    let frames = (seconds * f64::from(SAMPLE_RATE)) as usize;
    let step = std::f64::consts::TAU * TONE_HZ / f64::from(SAMPLE_RATE);
    Wav {
        source_codec: das::audio::codec::Codec::L16,
        sample_rate: SAMPLE_RATE,
        channels: 1,
        samples: (0..frames)
            .map(|n| (TONE_AMPLITUDE * (step * n as f64).sin()).round() as i16)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tone_is_mono_one_kilohertz_of_the_asked_length() {
        let audio = Audio::load(None, Some(0.5), OfferFormat::L16).unwrap();
        assert_eq!(audio.bytes.len(), 4000 * 2);
        assert_eq!(audio.channels, [MediaChannel::External]);
        assert_eq!(audio.offers().len(), 1);
        let samples = das::audio::codec::Codec::L16.decode(&audio.bytes);
        // Eight samples per period at 8 kHz.
        assert_eq!(samples[0..3], [0, 5657, 8000]);
        assert_eq!(samples[8], 0);
    }
}
