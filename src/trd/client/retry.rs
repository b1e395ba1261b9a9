//! How often, and after how long, a request TRD answered 429 or 503 is sent again.

use std::time::Duration;

/// Retries of requests answered 429 (too many requests) or 503 (busy). The wait before each
/// retry is the server's `Retry-After` when it sends one, else an exponential backoff; either
/// way at most `max_delay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1: never retry). Default 4.
    pub attempts: u32,
    /// Wait before the first retry without `Retry-After`; doubles each time. Default 500 ms.
    pub first_delay: Duration,
    /// Longest wait before one retry, `Retry-After` included. Default 30 s.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            first_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy {
            attempts: 1,
            ..Self::default()
        }
    }

    /// The wait before retry number `retry` (1-based), given the server's `Retry-After`.
    pub(crate) fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let backoff = self
            .first_delay
            .saturating_mul(1u32 << retry.saturating_sub(1).min(16));
        retry_after.unwrap_or(backoff).min(self.max_delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_retry_after_wins_up_to_the_cap() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(1, None), Duration::from_millis(500));
        assert_eq!(policy.delay(3, None), Duration::from_secs(2));
        assert_eq!(policy.delay(30, None), Duration::from_secs(30));
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(700))),
            Duration::from_secs(30)
        );
    }
}
