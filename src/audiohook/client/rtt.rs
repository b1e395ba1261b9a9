//! The round-trip times the client measured from `ping` to `pong`, readable while the
//! session runs and after it ended (load tools report percentiles over them).

use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Samples kept per session; one ping every 5 s fills this in about 14 hours.
const MAX_SAMPLES: usize = 10_000;

/// A shared, bounded log of ping round trips. Cloning shares the log.
#[derive(Debug, Clone, Default)]
pub struct RttLog(Arc<Mutex<Vec<Duration>>>);

impl RttLog {
    /// Every round trip measured so far, in measurement order.
    pub fn samples(&self) -> Vec<Duration> {
        self.0.lock().map(|log| log.clone()).unwrap_or_default()
    }

    pub(super) fn record(&self, rtt: Duration) {
        if let Ok(mut log) = self.0.lock() {
            if log.len() < MAX_SAMPLES {
                log.push(rtt);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_log() {
        let log = RttLog::default();
        log.clone().record(Duration::from_millis(3));
        log.record(Duration::from_millis(5));
        assert_eq!(
            log.samples(),
            [Duration::from_millis(3), Duration::from_millis(5)]
        );
    }
}
