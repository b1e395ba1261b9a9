//! Pacing of audio frames: 1× real time against absolute deadlines (so scheduling jitter
//! never accumulates into drift), or as fast as the transport accepts.

use std::time::Duration;

use tokio::time::Instant;

/// How fast frames leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pacing {
    /// Frame `n` leaves no earlier than `start + n × frame_duration`.
    #[default]
    RealTime,
    /// Frames leave as soon as the transport accepts them.
    AsFastAsPossible,
}

/// Hands out send deadlines for consecutive frames.
#[derive(Debug)]
pub struct Pacer {
    pacing: Pacing,
    start: Option<Instant>,
    sent: Duration,
}

impl Pacer {
    /// A pacer whose clock starts at the first frame.
    pub fn new(pacing: Pacing) -> Self {
        Pacer {
            pacing,
            start: None,
            sent: Duration::ZERO,
        }
    }

    /// Waits until the next frame, `duration` long, may be sent, and accounts for it.
    /// Deadlines are absolute from the first frame, so a late wake-up is caught up on
    /// the following frames instead of pushing every later frame back.
    pub async fn wait_for_slot(&mut self, duration: Duration) {
        if self.pacing == Pacing::RealTime {
            let start = *self.start.get_or_insert_with(Instant::now);
            tokio::time::sleep_until(start + self.sent).await;
        }
        self.sent += duration;
    }

    /// Restarts the clock, e.g. after a pause during which nothing was sent.
    pub fn restart(&mut self) {
        self.start = None;
        self.sent = Duration::ZERO;
    }

    /// Audio time accounted so far since the clock (re)started.
    pub fn sent(&self) -> Duration {
        self.sent
    }
}

/// The duration of `bytes` of audio with `bytes_per_second`.
pub fn bytes_duration(bytes: usize, bytes_per_second: usize) -> Duration {
    Duration::from_secs_f64(bytes as f64 / bytes_per_second.max(1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn deadlines_are_absolute_and_late_wakeups_catch_up() {
        let mut pacer = Pacer::new(Pacing::RealTime);
        let frame = Duration::from_millis(200);
        let t0 = Instant::now();
        pacer.wait_for_slot(frame).await;
        pacer.wait_for_slot(frame).await;
        assert_eq!(Instant::now() - t0, frame);
        // A stall of 500 ms: the next two frames are already due and leave at once.
        tokio::time::advance(Duration::from_millis(500)).await;
        let before = Instant::now();
        pacer.wait_for_slot(frame).await;
        pacer.wait_for_slot(frame).await;
        assert_eq!(Instant::now(), before);
        pacer.wait_for_slot(frame).await;
        assert_eq!(Instant::now() - t0, frame * 4);
        assert_eq!(pacer.sent(), frame * 5);
    }

    #[tokio::test(start_paused = true)]
    async fn as_fast_as_possible_never_sleeps() {
        let mut pacer = Pacer::new(Pacing::AsFastAsPossible);
        let t0 = Instant::now();
        for _ in 0..100 {
            pacer.wait_for_slot(Duration::from_millis(20)).await;
        }
        assert_eq!(Instant::now(), t0);
        assert_eq!(bytes_duration(1600, 8000), Duration::from_millis(200));
    }
}
