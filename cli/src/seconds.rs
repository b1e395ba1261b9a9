//! Value parsers for durations and rates typed as decimal numbers (`--timeout 2.5`): finite,
//! in a range a `Duration` holds, so that a typo such as `1e300` is a usage error, not a panic
//! when the command turns it into a `Duration`.

/// The longest duration accepted: about 31 years.
const MAX_SECONDS: f64 = 1e9;

/// Parses a number of seconds, `0` to [`MAX_SECONDS`].
pub fn parse(text: &str) -> Result<f64, String> {
    let seconds = number(text)?;
    if !(0.0..=MAX_SECONDS).contains(&seconds) {
        return Err(format!(
            "{text} is not a number of seconds from 0 to {MAX_SECONDS:e}"
        ));
    }
    Ok(seconds)
}

/// Parses a rate per second whose period (`1 / rate`) is a duration [`parse`] accepts.
pub fn rate(text: &str) -> Result<f64, String> {
    let rate = number(text)?;
    if !(rate > 0.0 && 1.0 / rate <= MAX_SECONDS && rate.is_finite()) {
        return Err(format!(
            "{text} is not a rate per second from {:e} up",
            1.0 / MAX_SECONDS
        ));
    }
    Ok(rate)
}

fn number(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text} is not a number"))?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(format!("{text} is not a finite number"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn what_is_accepted_makes_a_duration_and_the_rest_is_refused() {
        for text in ["0", "2.5", "1e9"] {
            let seconds = parse(text).unwrap();
            assert_eq!(Duration::from_secs_f64(seconds).as_secs_f64(), seconds);
        }
        for text in ["-1", "1e30", "inf", "NaN", "soon"] {
            assert!(parse(text).is_err(), "{text}");
        }
        for text in ["50", "0.5", "1e-9"] {
            let period = 1.0 / rate(text).unwrap();
            assert!(Duration::from_secs_f64(period) > Duration::ZERO);
        }
        for text in ["0", "-2", "1e-300", "inf", "NaN"] {
            assert!(rate(text).is_err(), "{text}");
        }
    }
}
