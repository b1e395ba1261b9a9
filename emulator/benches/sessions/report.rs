//! What every client reports for one run, and the table row the bench makes of it.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::proc_stats::load_average;

/// What every client (this process, the Python peers, the C program) prints for one run.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ClientReport {
    pub sessions: usize,
    pub successes: usize,
    /// Failure reason → count.
    pub failures: BTreeMap<String, usize>,
    /// Process CPU (user + system) from the first session's start to the last one's end.
    pub cpu_seconds: f64,
    /// The system (kernel) part of `cpu_seconds`.
    #[serde(default)]
    pub kernel_seconds: f64,
    pub wall_seconds: f64,
    /// Sum of the sessions' lifetimes (start to result), the denominator of CPU per minute.
    pub session_seconds: f64,
    /// Peak resident set while the sessions ran, minus the resident set before.
    pub rss_growth_bytes: u64,
    /// Session start → `info-consumer-ready` returned to the caller, per session.
    pub setup_ms: Vec<f64>,
    /// Every server event as the caller got it.
    pub received: Vec<Received>,
    /// Audio frames handed to the library (or socket) more than 50 ms after their deadline.
    #[serde(default)]
    pub late_frames: usize,
    /// Audio frames handed over in all.
    #[serde(default)]
    pub frames: usize,
    /// Free-form remarks.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// One server event returned to the caller: its sequence number on the session (1 = the
/// first event the emulator emitted) and the wall-clock time the poll returned.
#[derive(Debug, Serialize, Deserialize)]
pub struct Received {
    pub call_id: String,
    pub seq: u32,
    pub event: String,
    pub unix_ns: u64,
}

/// One table row, also written to `--json`.
#[derive(Debug, Serialize)]
pub struct Row {
    pub client: String,
    pub sessions: usize,
    pub successes: usize,
    pub failures: BTreeMap<String, usize>,
    pub cpu_seconds_per_session_minute: f64,
    pub cpu_percent_of_one_core: f64,
    /// Share of the client's CPU spent in the kernel (sockets, timers, page faults).
    pub kernel_percent_of_cpu: f64,
    /// The user-space part of `cpu_seconds_per_session_minute`.
    pub user_seconds_per_session_minute: f64,
    pub rss_kb_per_session: f64,
    pub setup_p50_ms: Option<f64>,
    pub setup_p99_ms: Option<f64>,
    pub latency_p50_ms: Option<f64>,
    pub latency_p99_ms: Option<f64>,
    pub latency_samples: usize,
    pub unmatched_events: usize,
    pub late_frames: usize,
    pub frames: usize,
    /// The server process's CPU over the same run, in % of one core (the emulator, or the
    /// floor's server): when it nears the cores left, the server is the bottleneck.
    pub server_cpu_percent_of_one_core: f64,
    pub wall_seconds: f64,
    pub load_average: String,
    pub notes: Vec<String>,
}

/// Summarises a report, joining its receive times with the server's send times (`sent`:
/// (call_id, sequence) → (event, unix ns), from the timing log; empty for the floor).
pub fn row(
    client: &str,
    report: &ClientReport,
    sent: &HashMap<(String, u32), SentEvent>,
    server_cpu_seconds: f64,
) -> Row {
    let mut latencies = Vec::new();
    let mut unmatched = 0;
    for event in &report.received {
        match sent.get(&(event.call_id.clone(), event.seq)) {
            Some(sent) if sent.event == event.event => {
                latencies.push((event.unix_ns as f64 - sent.unix_ns as f64) / 1e6)
            }
            _ => unmatched += 1,
        }
    }
    let session_minutes = report.session_seconds / 60.0;
    let per_session_minute = |seconds: f64| {
        if session_minutes > 0.0 {
            seconds / session_minutes
        } else {
            0.0
        }
    };
    Row {
        client: client.into(),
        sessions: report.sessions,
        successes: report.successes,
        failures: report.failures.clone(),
        cpu_seconds_per_session_minute: per_session_minute(report.cpu_seconds),
        cpu_percent_of_one_core: report.cpu_seconds / report.wall_seconds * 100.0,
        kernel_percent_of_cpu: if report.cpu_seconds > 0.0 {
            report.kernel_seconds / report.cpu_seconds * 100.0
        } else {
            0.0
        },
        user_seconds_per_session_minute: per_session_minute(
            report.cpu_seconds - report.kernel_seconds,
        ),
        rss_kb_per_session: report.rss_growth_bytes as f64 / report.sessions as f64 / 1000.0,
        setup_p50_ms: percentile(&report.setup_ms, 0.50),
        setup_p99_ms: percentile(&report.setup_ms, 0.99),
        latency_p50_ms: percentile(&latencies, 0.50),
        latency_p99_ms: percentile(&latencies, 0.99),
        latency_samples: latencies.len(),
        // The floor has no timing log: its events are not "unmatched", just not timed.
        unmatched_events: if sent.is_empty() { 0 } else { unmatched },
        late_frames: report.late_frames,
        frames: report.frames,
        server_cpu_percent_of_one_core: server_cpu_seconds / report.wall_seconds * 100.0,
        wall_seconds: report.wall_seconds,
        load_average: load_average(),
        notes: report.notes.clone(),
    }
}

/// One line of the emulator's timing log.
pub struct SentEvent {
    pub event: String,
    pub unix_ns: u64,
    /// The Socket.IO packet's length (the floor sends events of the same sizes).
    pub bytes: usize,
}

/// The emulator's log: (call_id, sequence) → the event sent.
pub fn read_timing_log(path: &Path) -> HashMap<(String, u32), SentEvent> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split(' ');
            let call_id = fields.next()?.to_owned();
            let seq = fields.next()?.parse().ok()?;
            let event = fields.next()?.to_owned();
            let unix_ns = fields.next()?.parse().ok()?;
            let bytes = fields.next()?.parse().ok()?;
            Some((
                (call_id, seq),
                SentEvent {
                    event,
                    unix_ns,
                    bytes,
                },
            ))
        })
        .collect()
}

pub fn percentile(values: &[f64], q: f64) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let last = sorted.len().checked_sub(1)?;
    sorted.get((last as f64 * q).round() as usize).copied()
}

pub fn print_header() {
    println!(
        "| client | sessions | successes | CPU s / session-minute (user) | CPU % of one core (kernel share) | RSS / session | setup p50 / p99 | event latency p50 / p99 (samples) | frames > 50 ms late | server CPU % | load avg |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
}

pub fn print_row(row: &Row) {
    let ms = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.2} ms"));
    println!(
        "| {} | {} | {} | {:.4} ({:.4}) | {:.1} % ({:.0} %) | {:.1} KB | {} / {} | {} / {} ({}) | {} of {} | {:.1} % | {} |",
        row.client,
        row.sessions,
        row.successes,
        row.cpu_seconds_per_session_minute,
        row.user_seconds_per_session_minute,
        row.cpu_percent_of_one_core,
        row.kernel_percent_of_cpu,
        row.rss_kb_per_session,
        ms(row.setup_p50_ms),
        ms(row.setup_p99_ms),
        ms(row.latency_p50_ms),
        ms(row.latency_p99_ms),
        row.latency_samples,
        row.late_frames,
        row.frames,
        row.server_cpu_percent_of_one_core,
        row.load_average,
    );
    for (reason, count) in &row.failures {
        println!("|   | | {count} failed: {reason} | | | | | | | | |");
    }
    if row.unmatched_events > 0 {
        println!(
            "|   | | {} events had no emulator send time | | | | | | | | |",
            row.unmatched_events
        );
    }
    for note in &row.notes {
        println!("|   | | {note} | | | | | | | | |");
    }
}
