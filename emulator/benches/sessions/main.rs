//! Concurrent real-time registration sessions, side by side: `das::session::RegisterSession`
//! in this process against python-socketio + websockets (the stack the das-Peak documentation
//! shows), and optionally the C ABI and the Python wheel, all against one emulator in a
//! child process.
//!
//! Every client runs the same scenario: N sessions start 2 ms apart (one shared OAuth2
//! token; the bindings' session APIs fetch one per session), each pushes
//! `samples/speaker-a.wav` (8 kHz µ-law) on an AudioHook channel as a live call would, one
//! 200 ms frame every 200 ms from `info-consumer-ready`, and waits for its result. Each client reports the same JSON
//! ([`ClientReport`]); event latency joins the receive times it reports with the emulator's
//! event timing log (`EmulatorConfig::event_timing_log`) on (call_id, event sequence).
//! Results are recorded in `benches/RESULTS.md`.
//!
//! The das (Rust) sessions run as tasks on one current-thread tokio runtime: an I/O-bound
//! fleet of sessions needs less than a core, and one thread saves the cross-thread wake-ups
//! of a work-stealing runtime. `--multi-thread` runs them on the default multi-thread runtime.
//!
//! Run: `cargo bench -p libdas-emulator --bench sessions -- 1 100 1000 [--python PY]
//! [--c-client BIN] [--wheel-python PY] [--json FILE] [--multi-thread]` (relative paths from
//! the workspace root; the bindings rows run at 100 sessions, or `--bindings-sessions N`).

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use das::audio::codec::Codec;
use das::audio::wav::Wav;
use das::audiohook::secret::ClientSecret;
use das::auth::TokenProvider;
use das::channel::{AudioChannelConfig, ProtocolConfig};
use das::session::{AudioSender, Event, RegisterSession, SessionBuilder};
use das_emulator::{
    Emulator, EmulatorConfig, DEMO_AUDIOHOOK_API_KEY, DEMO_AUDIOHOOK_CLIENT_SECRET, DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;
use uuid::Uuid;

#[path = "../../benches/support/proc_stats.rs"]
#[allow(dead_code)] // `cpu_seconds` serves the benches that need no user/system split
mod proc_stats;
#[path = "../../benches/support/serve_child.rs"]
#[allow(dead_code)] // `ask` serves the benches that talk to their server
mod serve_child;
use proc_stats::{load_average, rss_bytes, user_and_system_seconds};
use serve_child::ServeChild;

/// Session `i` starts `i` × this after the first, as calls arriving would.
const START_SPACING: Duration = Duration::from_millis(2);
/// Longest a session may take from start to its result before it counts as failed.
const SESSION_TIMEOUT: Duration = Duration::from_secs(60);
/// Audio is pushed as a live call produces it: 200 ms of 8 kHz µ-law at a time.
const FRAME: Duration = Duration::from_millis(200);
const FRAME_BYTES: usize = 1600;
/// Session count of the bindings rows unless `--bindings-sessions` says otherwise.
const BINDINGS_SESSIONS: usize = 100;
const WAV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../samples/speaker-a.wav");

/// What every client (this one, the Python peers, the C program) prints for one run.
#[derive(Debug, Default, Serialize, Deserialize)]
struct ClientReport {
    sessions: usize,
    successes: usize,
    /// Failure reason → count.
    failures: BTreeMap<String, usize>,
    /// Process CPU (user + system) from the first session's start to the last one's end.
    cpu_seconds: f64,
    /// The system (kernel) part of `cpu_seconds`.
    #[serde(default)]
    kernel_seconds: f64,
    wall_seconds: f64,
    /// Sum of the sessions' lifetimes (start to result), the denominator of CPU per minute.
    session_seconds: f64,
    /// Peak resident set while the sessions ran, minus the resident set before.
    rss_growth_bytes: u64,
    /// Session start → `info-consumer-ready` returned to the caller, per session.
    setup_ms: Vec<f64>,
    /// Every server event as the caller got it.
    received: Vec<Received>,
    /// Free-form remarks (late audio frames, say).
    #[serde(default)]
    notes: Vec<String>,
}

/// One server event returned to the caller: its sequence number on the session (1 = the
/// first event the emulator emitted) and the wall-clock time the poll returned.
#[derive(Debug, Serialize, Deserialize)]
struct Received {
    call_id: String,
    seq: u32,
    event: String,
    unix_ns: u64,
}

/// One table row, also written to `--json`.
#[derive(Debug, Serialize)]
struct Row {
    client: String,
    sessions: usize,
    successes: usize,
    failures: BTreeMap<String, usize>,
    cpu_seconds_per_session_minute: f64,
    cpu_percent_of_one_core: f64,
    /// Share of the client's CPU spent in the kernel (sockets, timers, page faults).
    kernel_percent_of_cpu: f64,
    rss_kb_per_session: f64,
    setup_p50_ms: Option<f64>,
    setup_p99_ms: Option<f64>,
    latency_p50_ms: Option<f64>,
    latency_p99_ms: Option<f64>,
    latency_samples: usize,
    unmatched_events: usize,
    wall_seconds: f64,
    load_average: String,
    notes: Vec<String>,
}

struct Options {
    sizes: Vec<usize>,
    python: Option<PathBuf>,
    c_client: Option<PathBuf>,
    wheel_python: Option<PathBuf>,
    json: Option<PathBuf>,
    bindings_sessions: usize,
    multi_thread: bool,
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.first().map(String::as_str) == Some("--serve") {
        let log = PathBuf::from(args.get(1).expect("--serve TIMING_LOG"));
        tokio::runtime::Runtime::new()
            .expect("tokio runtime")
            .block_on(serve(log));
        return;
    }
    let options = parse_options(&args);
    das::tls::ensure_crypto_provider();
    let timing_log = std::env::temp_dir().join(format!("das-sessions-{}.log", std::process::id()));
    let emulator = ServeChild::spawn(&[&timing_log]);
    let endpoints = Endpoints::of(emulator.port);
    let runtime = if options.multi_thread {
        tokio::runtime::Runtime::new()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    }
    .expect("tokio runtime");
    let mut rows = Vec::new();

    // Warm-up: the token is fetched once and shared; one-time costs stay out of the rows.
    runtime.block_on(run_rust(&endpoints, 1));
    print_header();
    for &n in &options.sizes {
        let report = runtime.block_on(run_rust(&endpoints, n));
        let client = if options.multi_thread {
            "das (Rust, multi-thread runtime)"
        } else {
            "das (Rust)"
        };
        rows.push(row(client, &report, &timing_log));
        print_row(rows.last().expect("row"));
        if let Some(python) = &options.python {
            let script = peer_script("python_sessions.py");
            let report = run_external(python, &[script.as_str(), "socketio"], &endpoints, n);
            rows.push(row("python-socketio + websockets", &report, &timing_log));
            print_row(rows.last().expect("row"));
        }
    }
    if let Some(binary) = &options.c_client {
        let report = run_external(binary, &[], &endpoints, options.bindings_sessions);
        rows.push(row("das C ABI (libdas.so)", &report, &timing_log));
        print_row(rows.last().expect("row"));
    }
    if let Some(python) = &options.wheel_python {
        let script = peer_script("python_sessions.py");
        let report = run_external(
            python,
            &[script.as_str(), "wheel"],
            &endpoints,
            options.bindings_sessions,
        );
        rows.push(row("das Python wheel", &report, &timing_log));
        print_row(rows.last().expect("row"));
    }
    print_ratios(&rows);
    if let Some(path) = &options.json {
        let text = serde_json::to_string_pretty(&rows).expect("rows serialise");
        std::fs::write(path, text + "\n").expect("write --json file");
    }
    emulator.stop();
    let _ = std::fs::remove_file(&timing_log);
}

fn parse_options(args: &[String]) -> Options {
    let mut options = Options {
        sizes: Vec::new(),
        python: None,
        c_client: None,
        wheel_python: None,
        json: None,
        bindings_sessions: BINDINGS_SESSIONS,
        multi_thread: false,
    };
    let mut words = args.iter();
    while let Some(word) = words.next() {
        // cargo runs benches in the package directory: relative paths mean the workspace root.
        let mut value = || {
            let path = words.next().unwrap_or_else(|| panic!("{word} FILE"));
            Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).join(path)
        };
        match word.as_str() {
            "--python" => options.python = Some(value()),
            "--c-client" => options.c_client = Some(value()),
            "--wheel-python" => options.wheel_python = Some(value()),
            "--json" => options.json = Some(value()),
            "--multi-thread" => options.multi_thread = true,
            "--bindings-sessions" => {
                options.bindings_sessions = words
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("--bindings-sessions N")
            }
            other => options.sizes.push(
                other
                    .parse()
                    .unwrap_or_else(|_| panic!("unknown argument {other}")),
            ),
        }
    }
    if options.sizes.is_empty() {
        options.sizes = vec![1, 100, 1000];
    }
    options
}

/// The emulator's URLs and demo credentials, as handed to every client.
struct Endpoints {
    socketio_url: String,
    token_url: String,
    audiohook_url: String,
}

impl Endpoints {
    fn of(port: u16) -> Endpoints {
        let base = format!("http://127.0.0.1:{port}");
        Endpoints {
            socketio_url: format!("{base}/socket.io"),
            token_url: format!("{base}/socket.io/oauth2/token"),
            audiohook_url: format!("ws://127.0.0.1:{port}/audiohook/ws"),
        }
    }

    /// The positional arguments of the external clients.
    fn args(&self, n: usize) -> Vec<String> {
        vec![
            self.socketio_url.clone(),
            self.token_url.clone(),
            self.audiohook_url.clone(),
            DEMO_CLIENT_ID.into(),
            DEMO_CLIENT_SECRET.into(),
            DEMO_AUDIOHOOK_API_KEY.into(),
            DEMO_AUDIOHOOK_CLIENT_SECRET.into(),
            WAV.into(),
            n.to_string(),
        ]
    }
}

fn peer_script(name: &str) -> String {
    format!("{}/../benches/peers/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs an external client to completion and reads its report from stdout.
fn run_external(program: &Path, first: &[&str], endpoints: &Endpoints, n: usize) -> ClientReport {
    let output = Command::new(program)
        .args(first)
        .args(endpoints.args(n))
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    if !output.status.success() {
        panic!("{} exited with {}", program.display(), output.status);
    }
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("report of {}: {e}", program.display()))
}

async fn run_rust(endpoints: &Endpoints, n: usize) -> ClientReport {
    let token = TokenProvider::client_credentials(
        endpoints.token_url.clone(),
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
    )
    .build()
    .expect("token provider");
    let channel = AudioChannelConfig::new(
        endpoints.audiohook_url.parse().expect("url"),
        ProtocolConfig::AudioHook {
            organization_id: Uuid::new_v4(),
            api_key: DEMO_AUDIOHOOK_API_KEY.into(),
            client_secret: ClientSecret::from_base64(DEMO_AUDIOHOOK_CLIENT_SECRET).expect("secret"),
            media_offers: None,
        },
    );
    let audio = Arc::new(
        Wav::read(WAV)
            .and_then(|wav| wav.to_wire(Codec::Mulaw))
            .expect("samples/speaker-a.wav"),
    );
    let rss_before = rss_bytes("self");
    let (user_before, kernel_before) = user_and_system_seconds("self");
    let started = Instant::now();
    let sessions: Vec<_> = (0..n)
        .map(|i| {
            let builder = RegisterSession::builder(&endpoints.socketio_url, token.clone())
                .audio_channel(channel.clone())
                .connect_timeout(SESSION_TIMEOUT);
            let audio = audio.clone();
            tokio::spawn(async move {
                tokio::time::sleep(START_SPACING * i as u32).await;
                run_session(builder, audio).await
            })
        })
        .collect();
    let mut rss_peak = rss_before;
    let mut sampler = tokio::time::interval(Duration::from_millis(250));
    let waiting = futures_util::future::join_all(sessions);
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
    let mut report = ClientReport {
        sessions: n,
        cpu_seconds: user_after - user_before + kernel_seconds,
        kernel_seconds,
        wall_seconds,
        rss_growth_bytes: rss_peak.saturating_sub(rss_before) as u64,
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

struct SessionOutcome {
    result: Result<(), String>,
    setup: Option<Duration>,
    lifetime: Duration,
    received: Vec<Received>,
}

/// One registration as a live call does it: from `info-consumer-ready` one 200 ms frame is
/// pushed at each deadline (the channel sends it at once), events are polled until the
/// result, and the time each server event was returned is noted.
async fn run_session(builder: SessionBuilder, audio: Arc<Vec<u8>>) -> SessionOutcome {
    let started = Instant::now();
    let mut outcome = SessionOutcome {
        result: Err("no result".into()),
        setup: None,
        lifetime: Duration::ZERO,
        received: Vec::new(),
    };
    let mut session = match builder.start().await {
        Ok(session) => session,
        Err(e) => {
            outcome.result = Err(format!("start: {e}"));
            outcome.lifetime = started.elapsed();
            return outcome;
        }
    };
    let call_id = session.call_id().to_owned();
    let mut live_call = None;
    let mut seq = 0;
    outcome.result = loop {
        let polled = session.next_event(SESSION_TIMEOUT).await;
        let unix_ns = unix_now_ns();
        let event = match polled {
            Ok(Some(event)) => event,
            Ok(None) => break Err("session ended without a result".into()),
            Err(e) => break Err(e.to_string()),
        };
        // Locally generated events have no emulator send time.
        if matches!(event, Event::AudioEnded { .. } | Event::Disconnected { .. }) {
            if let Event::Disconnected { reason, .. } = event {
                break Err(format!("disconnected: {reason}"));
            }
            continue;
        }
        seq += 1;
        outcome.received.push(Received {
            call_id: call_id.clone(),
            seq,
            event: event.name().to_owned(),
            unix_ns,
        });
        match event {
            Event::ConsumerReady { .. } => {
                outcome.setup = Some(started.elapsed());
                live_call = Some(tokio::spawn(live_audio(session.audio(), audio.clone())));
            }
            Event::ResultSuccess { .. } => break Ok(()),
            Event::ResultFailure { reason, .. } => {
                break Err(format!("result-failure {}", reason.unwrap_or_default()))
            }
            Event::Error { content, .. } => {
                break Err(format!("error {}", content.unwrap_or_default()))
            }
            _ => {}
        }
    };
    outcome.lifetime = started.elapsed();
    if let Some(task) = live_call {
        task.abort();
    }
    session.close().await;
    outcome
}

/// The call's audio as it happens: one frame per [`FRAME`], from a buffer shared by all
/// sessions (a live call holds only what it has not sent yet).
async fn live_audio(sender: AudioSender, audio: Arc<Vec<u8>>) {
    let start = Instant::now();
    for (index, frame) in audio.chunks(FRAME_BYTES).enumerate() {
        tokio::time::sleep_until(start + FRAME * index as u32).await;
        if sender.push(frame).is_err() {
            return;
        }
    }
    sender.end();
}

fn unix_now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Summarises a report, joining its receive times with the emulator's send times.
fn row(client: &str, report: &ClientReport, timing_log: &Path) -> Row {
    let sent = read_timing_log(timing_log);
    let mut latencies = Vec::new();
    let mut unmatched = 0;
    for event in &report.received {
        match sent.get(&(event.call_id.clone(), event.seq)) {
            Some((name, sent_ns)) if *name == event.event => {
                latencies.push((event.unix_ns as f64 - *sent_ns as f64) / 1e6)
            }
            _ => unmatched += 1,
        }
    }
    let session_minutes = report.session_seconds / 60.0;
    Row {
        client: client.into(),
        sessions: report.sessions,
        successes: report.successes,
        failures: report.failures.clone(),
        cpu_seconds_per_session_minute: if session_minutes > 0.0 {
            report.cpu_seconds / session_minutes
        } else {
            0.0
        },
        cpu_percent_of_one_core: report.cpu_seconds / report.wall_seconds * 100.0,
        kernel_percent_of_cpu: if report.cpu_seconds > 0.0 {
            report.kernel_seconds / report.cpu_seconds * 100.0
        } else {
            0.0
        },
        rss_kb_per_session: report.rss_growth_bytes as f64 / report.sessions as f64 / 1000.0,
        setup_p50_ms: percentile(&report.setup_ms, 0.50),
        setup_p99_ms: percentile(&report.setup_ms, 0.99),
        latency_p50_ms: percentile(&latencies, 0.50),
        latency_p99_ms: percentile(&latencies, 0.99),
        latency_samples: latencies.len(),
        unmatched_events: unmatched,
        wall_seconds: report.wall_seconds,
        load_average: load_average(),
        notes: report.notes.clone(),
    }
}

/// The emulator's log: (call_id, sequence) → (event name, send time in ns).
fn read_timing_log(path: &Path) -> HashMap<(String, u32), (String, u64)> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split(' ');
            let call_id = fields.next()?.to_owned();
            let seq = fields.next()?.parse().ok()?;
            let event = fields.next()?.to_owned();
            let ns = fields.next()?.parse().ok()?;
            Some(((call_id, seq), (event, ns)))
        })
        .collect()
}

fn percentile(values: &[f64], q: f64) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let last = sorted.len().checked_sub(1)?;
    sorted.get((last as f64 * q).round() as usize).copied()
}

fn print_header() {
    println!(
        "| client | sessions | successes | CPU s / session-minute | CPU % of one core (kernel share) | RSS / session | setup p50 / p99 | event latency p50 / p99 (samples) | load avg |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
}

fn print_row(row: &Row) {
    let ms = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.2} ms"));
    println!(
        "| {} | {} | {} | {:.4} | {:.1} % ({:.0} %) | {:.1} KB | {} / {} | {} / {} ({}) | {} |",
        row.client,
        row.sessions,
        row.successes,
        row.cpu_seconds_per_session_minute,
        row.cpu_percent_of_one_core,
        row.kernel_percent_of_cpu,
        row.rss_kb_per_session,
        ms(row.setup_p50_ms),
        ms(row.setup_p99_ms),
        ms(row.latency_p50_ms),
        ms(row.latency_p99_ms),
        row.latency_samples,
        row.load_average,
    );
    for (reason, count) in &row.failures {
        println!("|   | | {count} failed: {reason} | | | | | | |");
    }
    if row.unmatched_events > 0 {
        println!(
            "|   | | {} events had no emulator send time | | | | | | |",
            row.unmatched_events
        );
    }
    for note in &row.notes {
        println!("|   | | {note} | | | | | | |");
    }
}

/// CPU per session-minute of every other client relative to das (Rust) at the same size.
fn print_ratios(rows: &[Row]) {
    println!();
    for other in rows.iter().filter(|r| !r.client.starts_with("das (Rust)")) {
        if let Some(rust) = rows.iter().find(|r| {
            r.client.starts_with("das (Rust)")
                && r.sessions == other.sessions
                && r.cpu_seconds_per_session_minute > 0.0
        }) {
            println!(
                "{} sessions: {} uses {:.1}× the CPU per session-minute of das (Rust)",
                other.sessions,
                other.client,
                other.cpu_seconds_per_session_minute / rust.cpu_seconds_per_session_minute,
            );
        }
    }
}

async fn serve(timing_log: PathBuf) {
    let config = EmulatorConfig {
        event_timing_log: Some(timing_log),
        ..EmulatorConfig::default()
    };
    let emulator = Emulator::start(config).await.expect("emulator starts");
    println!("{}", emulator.local_addr().port());
    // Runs until the bench closes our stdin (or exits).
    tokio::task::spawn_blocking(|| std::io::stdin().lock().lines().count())
        .await
        .expect("stdin watcher");
    emulator.shutdown().await;
}
