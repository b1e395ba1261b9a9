//! Concurrent real-time registration sessions, side by side: `das::session::RegisterSession`
//! in this process against the floor (the same connections and bytes with nothing but a
//! length prefix, `floor.rs`), python-socketio + websockets (the stack the das-Peak
//! documentation shows), and optionally the C ABI and the Python wheel (threads, then one
//! asyncio loop, then one caller-driven asyncio loop), all against one emulator in a child
//! process.
//!
//! Every client runs the same scenario: N sessions start 2 ms apart (one shared OAuth2
//! token), each pushes `samples/speaker-a.wav` (8 kHz µ-law) on an AudioHook channel as a
//! live call would, one 200 ms frame every 200 ms from `info-consumer-ready`, and waits for
//! its result. Each client reports the same JSON ([`report::ClientReport`]); event latency
//! joins the receive times it reports with the emulator's event timing log
//! (`EmulatorConfig::event_timing_log`) on (call_id, event sequence).
//! Results are recorded in `benches/RESULTS.md`.
//!
//! The das (Rust) sessions and the floor run as tasks on one current-thread tokio runtime:
//! an I/O-bound fleet of sessions needs less than a core, and one thread saves the
//! cross-thread wake-ups of a work-stealing runtime. `--multi-thread` runs them on the
//! default multi-thread runtime.
//!
//! Run: `cargo bench -p libdas-emulator --bench sessions -- 1 100 1000 [--floor]
//! [--python PY [--python-max N]] [--c-client BIN] [--wheel-python PY] [--json FILE] [--multi-thread]
//! [--light-consumer] [--tls] [--repeat N]` (relative paths from the workspace root; the bindings rows
//! run at 100 sessions, or `--bindings-sessions N`; `--repeat N` runs das and the floor N
//! times at each size, alternating, and every bindings row N times, and compares means;
//! `--tls` runs the das (Rust) rows through the emulator's TLS front, trusting its private CA
//! as an extra PEM root, as a contact center with its own CA would).

mod das_client;
mod fleet;
mod floor;
mod floor_server;
mod ratios;
mod report;

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use das::tls::TlsOptions;
use das_emulator::{
    Emulator, EmulatorConfig, EmulatorDescription, DEMO_AUDIOHOOK_API_KEY,
    DEMO_AUDIOHOOK_CLIENT_SECRET, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
};

#[path = "../../../benches/support/proc_stats.rs"]
mod proc_stats;
#[path = "../../../benches/support/serve_child.rs"]
mod serve_child;
use floor::Schedule;
use proc_stats::cpu_seconds;
use ratios::print_ratios;
use report::{print_header, print_row, read_timing_log, row, ClientReport};
use serve_child::ServeChild;

/// Session `i` starts `i` × this after the first, as calls arriving would; above 1,000
/// sessions the starts share [`RAMP`] so that every session overlaps every other (a session
/// lasts about 7 s).
const START_SPACING: Duration = Duration::from_millis(2);
const RAMP: Duration = Duration::from_secs(2);

/// The spacing of `n` sessions' starts.
fn start_spacing(n: usize) -> Duration {
    START_SPACING.min(RAMP / n.max(1) as u32)
}
/// Longest a session may take from start to its result before it counts as failed.
const SESSION_TIMEOUT: Duration = Duration::from_secs(60);
/// Audio is pushed as a live call produces it: 200 ms of 8 kHz µ-law at a time.
const FRAME: Duration = Duration::from_millis(200);
const FRAME_BYTES: usize = 1600;
/// Session count of the bindings rows unless `--bindings-sessions` says otherwise.
const BINDINGS_SESSIONS: usize = 100;
/// Connections the emulator accepts at once: two per session, with room for 8,000 sessions.
const MAX_CONNECTIONS: usize = 16_500;
const WAV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../samples/speaker-a.wav");

struct Options {
    sizes: Vec<usize>,
    floor: bool,
    python: Option<PathBuf>,
    /// The python-socketio rows run up to this many sessions.
    python_max: usize,
    c_client: Option<PathBuf>,
    wheel_python: Option<PathBuf>,
    json: Option<PathBuf>,
    bindings_sessions: usize,
    multi_thread: bool,
    light_consumer: bool,
    /// The das (Rust) rows go through the emulator's TLS front.
    tls: bool,
    /// das and the floor run this many times at each size, alternating; so does each
    /// bindings row.
    repeat: usize,
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.first().map(String::as_str) == Some("--serve") {
        return serve_child_main(&args[1..]);
    }
    let options = parse_options(&args);
    das::tls::ensure_crypto_provider();
    let timing_log = std::env::temp_dir().join(format!("das-sessions-{}.log", std::process::id()));
    let mut emulator_args = vec!["emulator".to_owned(), timing_log.display().to_string()];
    if options.light_consumer {
        emulator_args.push("--light-consumer".into());
    }
    let mut emulator = ServeChild::spawn(&emulator_args);
    let endpoints = Endpoints::of(emulator.port);
    let das_endpoints = match options.tls {
        true => Endpoints::tls_front(&emulator.ask(DESCRIBE)),
        false => endpoints.clone(),
    };
    let runtime = if options.multi_thread {
        tokio::runtime::Runtime::new()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    }
    .expect("tokio runtime");
    let das_client = match (options.multi_thread, options.tls) {
        (false, false) => "das (Rust)",
        (true, false) => "das (Rust, multi-thread runtime)",
        (false, true) => "das (Rust, TLS, private CA)",
        (true, true) => "das (Rust, multi-thread runtime, TLS, private CA)",
    };
    let mut rows = Vec::new();
    let mut measure = |client: &str, server: &ServeChild, run: &mut dyn FnMut() -> ClientReport| {
        let before = cpu_seconds(&server.pid());
        let report = run();
        let server_cpu = cpu_seconds(&server.pid()) - before;
        let sent = if client.starts_with("floor") {
            HashMap::new()
        } else {
            read_timing_log(&timing_log)
        };
        rows.push(row(client, &report, &sent, server_cpu));
        print_row(rows.last().expect("row"));
    };

    // Warm-up: the token is fetched once and shared; one-time costs stay out of the rows.
    // Its events are the floor's schedule.
    let warm_up = runtime.block_on(das_client::run(&das_endpoints, 1));
    let floor_server = options.floor.then(|| {
        let schedule =
            Schedule::recorded(&read_timing_log(&timing_log), &warm_up.received[0].call_id);
        ServeChild::spawn(&["floor".to_owned(), schedule.to_arg()])
    });
    let script = peer_script("python_sessions.py");
    print_header();
    for &n in &options.sizes {
        for _ in 0..options.repeat {
            measure(das_client, &emulator, &mut || {
                runtime.block_on(das_client::run(&das_endpoints, n))
            });
            if let Some(server) = &floor_server {
                measure("floor (length-prefixed TCP)", server, &mut || {
                    runtime.block_on(floor::run(server.port, n))
                });
            }
        }
        if let Some(python) = options.python.as_ref().filter(|_| n <= options.python_max) {
            measure("python-socketio + websockets", &emulator, &mut || {
                run_external(python, &[script.as_str(), "socketio"], &endpoints, n)
            });
        }
    }
    // The bindings rows repeat too, one round of every client per run: their means are
    // compared with das (Rust)'s at the same size.
    for _ in 0..options.repeat {
        if let Some(binary) = &options.c_client {
            for (client, mode) in [
                ("das C ABI (libdas.so), thread per session", None),
                ("das C ABI (libdas.so), event loop", Some("--event-loop")),
                (
                    "das C ABI (libdas.so), caller-driven loop",
                    Some("--caller-driven"),
                ),
            ] {
                measure(client, &emulator, &mut || {
                    let first: Vec<&str> = mode.into_iter().collect();
                    run_external(binary, &first, &endpoints, options.bindings_sessions)
                });
            }
        }
        if let Some(python) = &options.wheel_python {
            // A thread per session, then every session on one asyncio loop: asyncio's own,
            // then das's, which runs libdas on the loop's thread (caller-driven).
            for (client, stack) in [
                ("das Python wheel", "wheel"),
                ("das Python wheel, asyncio", "wheel-asyncio"),
                ("das Python wheel, caller-driven asyncio", "wheel-driven"),
            ] {
                measure(client, &emulator, &mut || {
                    run_external(
                        python,
                        &[script.as_str(), stack],
                        &endpoints,
                        options.bindings_sessions,
                    )
                });
            }
        }
    }
    print_ratios(&rows);
    if let Some(path) = &options.json {
        let text = serde_json::to_string_pretty(&rows).expect("rows serialise");
        std::fs::write(path, text + "\n").expect("write --json file");
    }
    if let Some(server) = floor_server {
        server.stop();
    }
    emulator.stop();
    let _ = std::fs::remove_file(&timing_log);
}

fn parse_options(args: &[String]) -> Options {
    let mut options = Options {
        sizes: Vec::new(),
        floor: false,
        python: None,
        python_max: usize::MAX,
        c_client: None,
        wheel_python: None,
        json: None,
        bindings_sessions: BINDINGS_SESSIONS,
        multi_thread: false,
        light_consumer: false,
        tls: false,
        repeat: 1,
    };
    let mut words = args.iter();
    while let Some(word) = words.next() {
        // cargo runs benches in the package directory: relative paths mean the workspace root.
        let mut value = || {
            let path = words.next().unwrap_or_else(|| panic!("{word} FILE"));
            Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).join(path)
        };
        match word.as_str() {
            "--floor" => options.floor = true,
            "--python" => options.python = Some(value()),
            "--c-client" => options.c_client = Some(value()),
            "--wheel-python" => options.wheel_python = Some(value()),
            "--json" => options.json = Some(value()),
            "--multi-thread" => options.multi_thread = true,
            "--light-consumer" => options.light_consumer = true,
            "--tls" => options.tls = true,
            "--python-max" => options.python_max = number(word, words.next()),
            "--repeat" => {
                options.repeat = number(word, words.next());
                assert!(options.repeat > 0, "--repeat N: at least 1");
            }
            "--bindings-sessions" => options.bindings_sessions = number(word, words.next()),
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

/// The count after option `word`.
fn number(word: &str, text: Option<&String>) -> usize {
    text.and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{word} N"))
}

/// The emulator's URLs and demo credentials, as handed to every client, and the roots the
/// das client trusts.
#[derive(Clone)]
struct Endpoints {
    socketio_url: String,
    token_url: String,
    audiohook_url: String,
    tls: TlsOptions,
}

/// What the bench asks the emulator child for its description (its TLS front's URLs and CA):
/// one line of JSON, an `EmulatorDescription`.
const DESCRIBE: &str = "describe";

impl Endpoints {
    fn of(port: u16) -> Endpoints {
        let base = format!("http://127.0.0.1:{port}");
        Endpoints {
            socketio_url: format!("{base}/socket.io"),
            token_url: format!("{base}/socket.io/oauth2/token"),
            audiohook_url: format!("ws://127.0.0.1:{port}/audiohook/ws"),
            tls: TlsOptions::default(),
        }
    }

    /// The TLS front's URLs, trusting its private CA, from the emulator child's description.
    fn tls_front(description: &str) -> Endpoints {
        let emulator: EmulatorDescription =
            serde_json::from_str(description).expect("the emulator's description");
        Endpoints {
            socketio_url: emulator.tls_socketio_url,
            token_url: emulator.tls_token_url,
            audiohook_url: emulator.tls_audiohook_url,
            tls: TlsOptions::default().trust_pem(emulator.tls_ca_pem),
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

/// The server side in this child process: `emulator LOG [--light-consumer]` or
/// `floor SCHEDULE`.
fn serve_child_main(args: &[String]) {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    match args.first().map(String::as_str) {
        Some("emulator") => {
            let log = PathBuf::from(args.get(1).expect("emulator TIMING_LOG"));
            let light = args.iter().any(|a| a == "--light-consumer");
            runtime.block_on(serve_emulator(log, light))
        }
        Some("floor") => {
            let schedule = Schedule::from_arg(args.get(1).expect("floor SCHEDULE"));
            runtime.block_on(floor_server::serve(schedule))
        }
        other => panic!("unknown server {other:?}"),
    }
}

async fn serve_emulator(timing_log: PathBuf, light_consumer: bool) {
    let mut config = EmulatorConfig {
        event_timing_log: Some(timing_log),
        max_connections: MAX_CONNECTIONS,
        ..EmulatorConfig::default()
    };
    if light_consumer {
        config.vad.detector = das_emulator::VadDetector::Energy;
    }
    let emulator = Emulator::start(config).await.expect("emulator starts");
    println!("{}", emulator.local_addr().port());
    let description = serde_json::to_string(&emulator.description()).expect("serialises");
    // Answers the bench's questions until it closes our stdin (or exits).
    tokio::task::spawn_blocking(move || {
        for line in std::io::stdin().lock().lines().map_while(Result::ok) {
            if line == DESCRIBE {
                println!("{description}");
            }
        }
    })
    .await
    .expect("stdin watcher");
    emulator.shutdown().await;
}
