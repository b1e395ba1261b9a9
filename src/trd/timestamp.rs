//! RFC 3339 timestamps as TRD writes them (`2022-03-15T14:11:19.275000-03:00`): the raw text is
//! kept verbatim and written back; the parsed value keeps its UTC offset. Text that is not RFC 3339
//! is still accepted (the parsed value is then `None`), because a bad date must not lose a result.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A timestamp field: the text as received plus its parsed value when the text is RFC 3339.
#[derive(Clone, PartialEq, Eq)]
pub struct Timestamp {
    raw: String,
    parsed: Option<DateTime>,
}

/// A calendar date and wall-clock time with the UTC offset it was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    /// Year, e.g. 2024.
    pub year: i32,
    /// 1–12.
    pub month: u8,
    /// 1–31.
    pub day: u8,
    /// 0–23.
    pub hour: u8,
    /// 0–59.
    pub minute: u8,
    /// 0–60 (a leap second is kept).
    pub second: u8,
    /// Fraction of the second.
    pub nanosecond: u32,
    /// Offset from UTC in minutes (`-03:00` is `-180`, `Z` is `0`).
    pub offset_minutes: i16,
}

impl Timestamp {
    /// Wraps `raw`, parsing it when it is RFC 3339.
    pub fn new(raw: impl Into<String>) -> Self {
        let raw = raw.into();
        let parsed = DateTime::parse_rfc3339(&raw);
        Timestamp { raw, parsed }
    }

    /// The text exactly as it appeared in the JSON document.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The parsed value, or `None` when the text is not RFC 3339.
    pub fn datetime(&self) -> Option<DateTime> {
        self.parsed
    }

    /// Nanoseconds since the Unix epoch, or `None` when the text is not RFC 3339.
    pub fn unix_nanos(&self) -> Option<i128> {
        self.parsed.map(|t| t.unix_nanos())
    }

    /// Time from `self` to `later`; `None` when either is unparsed or `later` is earlier.
    pub fn duration_until(&self, later: &Timestamp) -> Option<Duration> {
        let nanos = later.unix_nanos()? - self.unix_nanos()?;
        let nanos = u64::try_from(nanos).ok()?;
        Some(Duration::from_nanos(nanos))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({:?})", self.raw)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Ok(Timestamp::new(raw))
    }
}

impl DateTime {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `t`/`z` and a space separator are
    /// accepted as RFC 3339 allows. Fractions beyond nanoseconds are truncated.
    pub fn parse_rfc3339(text: &str) -> Option<DateTime> {
        let b = text.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
            return None;
        }
        if !matches!(b[10], b'T' | b't' | b' ') {
            return None;
        }
        let year = digits(&b[0..4])? as i32;
        let month = digits(&b[5..7])? as u8;
        let day = digits(&b[8..10])? as u8;
        let hour = digits(&b[11..13])? as u8;
        let minute = digits(&b[14..16])? as u8;
        let second = digits(&b[17..19])? as u8;
        let mut rest = &b[19..];
        let mut nanosecond = 0u32;
        if rest.first() == Some(&b'.') {
            let frac_len = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if frac_len == 0 {
                return None;
            }
            for (i, c) in rest[1..=frac_len].iter().enumerate().take(9) {
                nanosecond += u32::from(c - b'0') * 10u32.pow(8 - i as u32);
            }
            rest = &rest[1 + frac_len..];
        }
        let offset_minutes = match rest {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let hours = digits(&[*h1, *h2])? as i16;
                let minutes = digits(&[*m1, *m2])? as i16;
                if hours > 23 || minutes > 59 {
                    return None;
                }
                let total = hours * 60 + minutes;
                if *sign == b'-' {
                    -total
                } else {
                    total
                }
            }
            _ => return None,
        };
        let valid = (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
            && hour <= 23
            && minute <= 59
            && second <= 60;
        valid.then_some(DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            nanosecond,
            offset_minutes,
        })
    }

    /// Nanoseconds since 1970-01-01T00:00:00Z (leap seconds count as the next second).
    pub fn unix_nanos(&self) -> i128 {
        let days = days_from_civil(self.year, self.month, self.day);
        let local_seconds = days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second);
        let utc_seconds = local_seconds - i64::from(self.offset_minutes) * 60;
        i128::from(utc_seconds) * 1_000_000_000 + i128::from(self.nanosecond)
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_trd_timestamp_with_offset() {
        let t = Timestamp::new("2022-03-15T14:11:19.275000-03:00");
        let dt = t.datetime().unwrap();
        assert_eq!((dt.year, dt.month, dt.day, dt.hour), (2022, 3, 15, 14));
        assert_eq!(dt.nanosecond, 275_000_000);
        assert_eq!(dt.offset_minutes, -180);
        // 2022-03-15T17:11:19.275Z
        assert_eq!(t.unix_nanos(), Some(1_647_364_279_275_000_000));
    }

    #[test]
    fn utc_and_offset_forms_of_one_instant_agree() {
        let a = Timestamp::new("2022-03-15T17:11:19Z");
        let b = Timestamp::new("2022-03-15T14:11:19-03:00");
        assert_eq!(a.unix_nanos(), b.unix_nanos());
    }

    #[test]
    fn duration_between_trd_stages() {
        let created = Timestamp::new("2022-03-15T14:11:19.275000-03:00");
        let completed = Timestamp::new("2022-03-15T14:11:21.606000-03:00");
        assert_eq!(
            created.duration_until(&completed),
            Some(Duration::from_millis(2331))
        );
        assert_eq!(completed.duration_until(&created), None);
    }

    #[test]
    fn rejects_malformed_text_but_keeps_it() {
        for bad in [
            "",
            "2022-03-15",
            "2022-13-15T14:11:19Z",
            "2022-02-30T14:11:19Z",
            "2022-03-15T14:11:19",
            "2022-03-15T14:11:19.Z",
            "2022-03-15T14:11:19+3:00",
            "２０２２-03-15T14:11:19Z",
        ] {
            let t = Timestamp::new(bad);
            assert_eq!(t.datetime(), None, "{bad}");
            assert_eq!(t.raw(), bad);
        }
    }

    #[test]
    fn leap_day_and_pre_epoch_dates() {
        let leap = DateTime::parse_rfc3339("2024-02-29T00:00:00Z").unwrap();
        assert_eq!(leap.unix_nanos(), 1_709_164_800 * 1_000_000_000);
        let old = DateTime::parse_rfc3339("1969-12-31T23:59:59Z").unwrap();
        assert_eq!(old.unix_nanos(), -1_000_000_000);
    }
}
