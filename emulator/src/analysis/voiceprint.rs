//! The emulated voiceprint: liftered cepstra of the per-band mean and spread of the log-mel
//! spectrum over voiced frames. It separates the committed samples' voices well enough for
//! demos and tests; it is an emulation, not a speaker-recognition model.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::spectrum::MEL_BANDS;

/// Credential format version; bumped whenever the features change.
const VERSION: u8 = 1;
const MAGIC: &[u8; 3] = b"DEV";
/// Cepstral coefficients kept per profile (mean and spread).
const CEPSTRA: usize = 12;
const DIMENSIONS: usize = 2 * CEPSTRA;

/// A credential that does not decode into a voiceprint of this emulator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error("credential is not base64")]
    NotBase64,
    #[error("credential was not issued by the das emulator")]
    Foreign,
    #[error("credential version {0} is not supported (expected {VERSION})")]
    Version(u8),
    #[error("credential is truncated or has trailing bytes")]
    Length,
}

/// A unit-length feature vector summarising a speaker's voiced audio.
#[derive(Debug, Clone, PartialEq)]
pub struct Voiceprint {
    values: Vec<f32>,
}

/// Running sums of log-mel frames.
#[derive(Debug, Clone, Default)]
pub(crate) struct VoiceprintAccumulator {
    frames: u32,
    sum: Vec<f64>,
    sum_sq: Vec<f64>,
}

impl VoiceprintAccumulator {
    pub(crate) fn add(&mut self, log_mel: &[f32; MEL_BANDS]) {
        if self.sum.is_empty() {
            self.sum = vec![0.0; MEL_BANDS];
            self.sum_sq = vec![0.0; MEL_BANDS];
        }
        for (band, &value) in log_mel.iter().enumerate() {
            self.sum[band] += f64::from(value);
            self.sum_sq[band] += f64::from(value) * f64::from(value);
        }
        self.frames += 1;
    }

    /// The voiceprint of everything added so far; `None` before any voiced frame.
    pub(crate) fn voiceprint(&self) -> Option<Voiceprint> {
        if self.frames == 0 {
            return None;
        }
        let n = f64::from(self.frames);
        let means: Vec<f64> = self.sum.iter().map(|s| s / n).collect();
        let spreads: Vec<f64> = self
            .sum_sq
            .iter()
            .zip(&means)
            .map(|(sq, mean)| (sq / n - mean * mean).max(0.0).sqrt())
            .collect();
        let values = cepstrum(&means).chain(cepstrum(&spreads));
        Some(Voiceprint::normalised(values.map(|v| v as f32).collect()))
    }
}

/// Liftered cepstral coefficients 1..=CEPSTRA of a band profile. Dropping c0 removes
/// the level; weighting by index keeps the broad spectral tilt, which every voice
/// shares, from drowning out the finer shape that differs between voices.
fn cepstrum(bands: &[f64]) -> impl Iterator<Item = f64> + '_ {
    let count = bands.len() as f64;
    (1..=CEPSTRA).map(move |k| {
        let coefficient: f64 = bands
            .iter()
            .enumerate()
            .map(|(b, v)| v * (std::f64::consts::PI * k as f64 * (b as f64 + 0.5) / count).cos())
            .sum();
        coefficient * k as f64
    })
}

impl Voiceprint {
    fn normalised(mut values: Vec<f32>) -> Self {
        let norm = values.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-9);
        values.iter_mut().for_each(|v| *v /= norm);
        Voiceprint { values }
    }

    /// Similarity in [0, 1]: the cosine of the two prints, negatives clamped to 0.
    pub fn similarity(&self, other: &Voiceprint) -> f64 {
        let cosine: f32 = self
            .values
            .iter()
            .zip(&other.values)
            .map(|(a, b)| a * b)
            .sum();
        f64::from(cosine).clamp(0.0, 1.0)
    }

    /// The credential string: base64 of `"DEV"`, a version byte, then little-endian f32s.
    pub fn to_credential(&self) -> String {
        let mut bytes = Vec::with_capacity(4 + 4 * DIMENSIONS);
        bytes.extend_from_slice(MAGIC);
        bytes.push(VERSION);
        bytes.extend(self.values.iter().flat_map(|v| v.to_le_bytes()));
        STANDARD.encode(bytes)
    }

    /// Parses a credential produced by [`Voiceprint::to_credential`].
    pub fn from_credential(credential: &str) -> Result<Self, CredentialError> {
        let bytes = STANDARD
            .decode(credential.trim())
            .map_err(|_| CredentialError::NotBase64)?;
        if bytes.len() < 4 || &bytes[..3] != MAGIC {
            return Err(CredentialError::Foreign);
        }
        if bytes[3] != VERSION {
            return Err(CredentialError::Version(bytes[3]));
        }
        let body = &bytes[4..];
        if body.len() != 4 * DIMENSIONS {
            return Err(CredentialError::Length);
        }
        let values = body
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Ok(Voiceprint::normalised(values))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn print_of(shape: impl Fn(usize) -> f32) -> Voiceprint {
        let mut acc = VoiceprintAccumulator::default();
        for frame in 0..10 {
            let mut mel = [0.0; MEL_BANDS];
            for (band, slot) in mel.iter_mut().enumerate() {
                *slot = shape(band) + (frame % 3) as f32 * 0.1;
            }
            acc.add(&mel);
        }
        acc.voiceprint().expect("frames were added")
    }

    #[test]
    fn credentials_round_trip_and_reject_garbage() {
        let print = print_of(|b| (b as f32).sin());
        let back = Voiceprint::from_credential(&print.to_credential()).unwrap();
        assert!((print.similarity(&back) - 1.0).abs() < 1e-6);
        assert_eq!(
            Voiceprint::from_credential("***"),
            Err(CredentialError::NotBase64)
        );
        assert_eq!(
            Voiceprint::from_credential("AAAA"),
            Err(CredentialError::Foreign)
        );
        let mut bytes = STANDARD.decode(print.to_credential()).unwrap();
        bytes[3] = 9;
        assert_eq!(
            Voiceprint::from_credential(&STANDARD.encode(&bytes)),
            Err(CredentialError::Version(9))
        );
        bytes[3] = VERSION;
        bytes.pop();
        assert_eq!(
            Voiceprint::from_credential(&STANDARD.encode(&bytes)),
            Err(CredentialError::Length)
        );
    }

    #[test]
    fn loudness_does_not_change_the_print() {
        let quiet = print_of(|b| (b as f32 * 0.3).cos());
        let loud = print_of(|b| (b as f32 * 0.3).cos() + 4.0);
        let other = print_of(|b| (b as f32 * 0.9).sin());
        assert!(quiet.similarity(&loud) > 0.999);
        assert!(quiet.similarity(&other) < 0.9);
    }
}
