//! AudioHook durations and stream positions: `PT<seconds>S`, seconds only, up to nine
//! decimals (one sample at 8 kHz is `PT0.000125S`).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A duration on the AudioHook stream timeline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamDuration(pub Duration);

/// A string that is not of the form `PT<seconds>S`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid AudioHook duration {0:?} (expected PT<seconds>S, e.g. PT1.6S)")]
pub struct BadDuration(pub String);

impl StreamDuration {
    /// Zero, `PT0S`.
    pub const ZERO: StreamDuration = StreamDuration(Duration::ZERO);

    /// The duration of `samples` samples at `rate` Hz.
    pub fn from_samples(samples: u64, rate: u32) -> Self {
        let rate = u64::from(rate.max(1));
        StreamDuration(Duration::new(
            samples / rate,
            ((samples % rate) * 1_000_000_000 / rate) as u32,
        ))
    }

    /// The whole number of samples at `rate` Hz this duration spans (rounded down).
    pub fn samples(self, rate: u32) -> u64 {
        (self.0.as_nanos() * u128::from(rate) / 1_000_000_000) as u64
    }
}

impl fmt::Display for StreamDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut fraction = self.0.subsec_nanos();
        if fraction == 0 {
            return write!(f, "PT{}S", self.0.as_secs());
        }
        // Nine digits without their trailing zeros, written without an intermediate string.
        let mut digits = 9;
        while fraction.is_multiple_of(10) {
            fraction /= 10;
            digits -= 1;
        }
        write!(f, "PT{}.{fraction:0digits$}S", self.0.as_secs())
    }
}

impl FromStr for StreamDuration {
    type Err = BadDuration;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadDuration(text.to_owned());
        let body = text
            .strip_prefix("PT")
            .and_then(|t| t.strip_suffix('S'))
            .ok_or_else(bad)?;
        let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
            return Err(bad());
        }
        if body.contains('.') && whole.is_empty() && fraction.is_empty() {
            return Err(bad());
        }
        let seconds: u64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| bad())?
        };
        // Digits past nanoseconds are below any clock we use; they are truncated.
        let mut nanos = 0u32;
        for (i, b) in fraction.bytes().take(9).enumerate() {
            nanos += u32::from(b - b'0') * 10u32.pow(8 - i as u32);
        }
        Ok(StreamDuration(Duration::new(seconds, nanos)))
    }
}

impl Serialize for StreamDuration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for StreamDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_the_reference_implementation() {
        assert_eq!(StreamDuration::ZERO.to_string(), "PT0S");
        assert_eq!(
            StreamDuration(Duration::from_millis(1600)).to_string(),
            "PT1.6S"
        );
        assert_eq!(
            StreamDuration::from_samples(1, 8000).to_string(),
            "PT0.000125S"
        );
        assert_eq!(
            StreamDuration::from_samples(50400, 8000).to_string(),
            "PT6.3S"
        );
        assert_eq!(
            StreamDuration(Duration::new(2, 1)).to_string(),
            "PT2.000000001S"
        );
        assert_eq!(
            StreamDuration(Duration::new(0, 100_000_000)).to_string(),
            "PT0.1S"
        );
    }

    #[test]
    fn parses_strictly() {
        for (text, ms) in [
            ("PT0S", 0),
            ("PT0.0S", 0),
            ("PT6.3S", 6300),
            ("PT.5S", 500),
            ("PT10.S", 10000),
        ] {
            assert_eq!(
                text.parse::<StreamDuration>().unwrap().0,
                Duration::from_millis(ms),
                "{text}"
            );
        }
        for bad in [
            "", "PT", "PTS", "PT.S", "P1S", "PT1M", "PT-1S", "PT1e3S", "pt1s", "PT1.2.3S", "PT 1S",
            "PT1",
        ] {
            assert!(bad.parse::<StreamDuration>().is_err(), "{bad}");
        }
        assert_eq!(
            "PT0.000125S"
                .parse::<StreamDuration>()
                .unwrap()
                .samples(8000),
            1
        );
    }
}
