//! Deadlines from limits the application chose. A limit past what the clock can count
//! (`Duration::MAX` as "no limit", or years given in seconds) is a deadline that never comes,
//! not an overflow panic.

use std::time::Duration;

use tokio::time::Instant;

/// Later than any process lives, and what tokio's own `sleep` uses for such limits.
const NEVER: Duration = Duration::from_secs(86_400 * 365 * 30);

/// `from + limit`, or a deadline that never comes when the sum is past the clock's range.
pub(crate) fn deadline_after(from: Instant, limit: Duration) -> Instant {
    from.checked_add(limit).unwrap_or_else(|| from + NEVER)
}

/// [`deadline_after`] now.
pub(crate) fn deadline_in(limit: Duration) -> Instant {
    deadline_after(Instant::now(), limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_past_the_clock_never_come() {
        let now = Instant::now();
        assert_eq!(deadline_after(now, Duration::MAX), now + NEVER);
        assert_eq!(
            deadline_after(now, Duration::from_secs(3)),
            now + Duration::from_secs(3)
        );
        assert!(deadline_in(Duration::MAX) > now + NEVER / 2);
    }
}
