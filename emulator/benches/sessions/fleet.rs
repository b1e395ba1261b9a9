//! What the in-process clients (das (Rust) and the floor) share: N sessions started 2 ms
//! apart as tasks on the bench's runtime, the process's CPU and peak RSS around them, and
//! the frames that left late.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

use crate::proc_stats::{rss_bytes, user_and_system_seconds};
use crate::report::{ClientReport, Received};
use crate::start_spacing;

/// A frame handed over more than this after its deadline is late (as the Python peer counts).
const LATE: Duration = Duration::from_millis(50);

/// How one session ended, as a client task returns it.
pub struct SessionOutcome {
    pub result: Result<(), String>,
    pub setup: Option<Duration>,
    pub lifetime: Duration,
    pub received: Vec<Received>,
}

impl SessionOutcome {
    pub fn new() -> Self {
        SessionOutcome {
            result: Err("no result".into()),
            setup: None,
            lifetime: Duration::ZERO,
            received: Vec::new(),
        }
    }
}

/// Counts the fleet's audio frames and those handed over late.
#[derive(Clone, Default)]
pub struct FrameClock(Arc<(AtomicUsize, AtomicUsize)>);

impl FrameClock {
    /// A frame due at `deadline` is being handed over now.
    pub fn tick(&self, deadline: std::time::Instant) {
        self.0 .0.fetch_add(1, Ordering::Relaxed);
        if deadline.elapsed() > LATE {
            self.0 .1.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn frames_and_late(&self) -> (usize, usize) {
        (
            self.0 .0.load(Ordering::Relaxed),
            self.0 .1.load(Ordering::Relaxed),
        )
    }
}

pub struct Fleet;

impl Fleet {
    /// Runs `n` sessions made by `session`, session `i` starting `i` × [`start_spacing`]
    /// after the first, and reports the process figures around them.
    pub async fn run<F, S>(n: usize, mut session: S) -> ClientReport
    where
        S: FnMut(FrameClock) -> F,
        F: Future<Output = SessionOutcome> + Send + 'static,
    {
        let clock = FrameClock::default();
        let rss_before = rss_bytes("self");
        let (user_before, kernel_before) = user_and_system_seconds("self");
        let started = Instant::now();
        let spacing = start_spacing(n);
        let tasks: Vec<_> = (0..n)
            .map(|i| {
                let run = session(clock.clone());
                tokio::spawn(async move {
                    tokio::time::sleep(spacing * i as u32).await;
                    run.await
                })
            })
            .collect();
        let mut rss_peak = rss_before;
        let mut sampler = tokio::time::interval(Duration::from_millis(250));
        let waiting = futures_util::future::join_all(tasks);
        tokio::pin!(waiting);
        let outcomes = loop {
            tokio::select! {
                outcomes = &mut waiting => break outcomes,
                _ = sampler.tick() => rss_peak = rss_peak.max(rss_bytes("self")),
            }
        };
        let wall_seconds = started.elapsed().as_secs_f64();
        let (user_after, kernel_after) = user_and_system_seconds("self");
        let kernel_seconds = kernel_after - kernel_before;
        let (frames, late_frames) = clock.frames_and_late();
        let mut report = ClientReport {
            sessions: n,
            cpu_seconds: user_after - user_before + kernel_seconds,
            kernel_seconds,
            wall_seconds,
            rss_growth_bytes: rss_peak.saturating_sub(rss_before) as u64,
            frames,
            late_frames,
            ..ClientReport::default()
        };
        for outcome in outcomes {
            let outcome = outcome.expect("session task");
            report.session_seconds += outcome.lifetime.as_secs_f64();
            report.setup_ms.extend(outcome.setup.map(millis));
            report.received.extend(outcome.received);
            match outcome.result {
                Ok(()) => report.successes += 1,
                Err(reason) => *report.failures.entry(reason).or_default() += 1,
            }
        }
        report
    }
}

pub fn unix_now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
