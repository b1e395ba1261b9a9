//! How many concurrent real-time register sessions the emulator sustains, and its CPU and
//! memory per session.
//!
//! The emulator runs in a child process (this binary re-executed with `--serve`); this
//! process is the load generator: `das::session::RegisterSession` with an AudioHook channel
//! streaming `samples/speaker-a.wav` at 1× real time until `result-success`. Results are
//! recorded in `benches/RESULTS.md`.
//! Run: `cargo bench --profile dev -p libdas-emulator --bench capacity -- 100 250 500 1000`.

use std::io::BufRead;
use std::sync::Arc;
use std::time::Duration;

use das::audio::codec::Codec;
use das::audio::wav::Wav;
use das::audiohook::secret::ClientSecret;
use das::auth::TokenProvider;
use das::channel::{AudioChannelConfig, ProtocolConfig};
use das::session::{Event, RegisterSession};
use das_emulator::{
    Emulator, EmulatorConfig, DEMO_AUDIOHOOK_API_KEY, DEMO_AUDIOHOOK_CLIENT_SECRET, DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
};
use tokio::time::Instant;
use uuid::Uuid;

#[path = "../../benches/support/proc_stats.rs"]
mod proc_stats;
#[path = "../../benches/support/serve_child.rs"]
#[allow(dead_code)] // `ask` serves the benches that talk to their server
mod serve_child;
use proc_stats::{cpu_seconds, load_average, rss_bytes};
use serve_child::ServeChild;

/// Sessions start spread over this long per 100 sessions, as calls arriving would be.
const RAMP_PER_100: Duration = Duration::from_millis(200);
/// Longest a session may take from start to its result before it counts as failed.
const SESSION_TIMEOUT: Duration = Duration::from_secs(60);

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    if args.first().map(String::as_str) == Some("--serve") {
        runtime.block_on(serve());
        return;
    }
    let steps: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let steps = if steps.is_empty() {
        vec![100, 250, 500, 1000]
    } else {
        steps
    };

    das::tls::ensure_crypto_provider();
    let emulator = ServeChild::spawn::<&str>(&[]);
    let base = format!("http://127.0.0.1:{}", emulator.port);
    let audio = Wav::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../samples/speaker-a.wav"
    ))
    .and_then(|wav| wav.to_wire(Codec::Mulaw))
    .expect("samples/speaker-a.wav");
    let load = Load {
        socketio_url: format!("{base}/socket.io"),
        token: TokenProvider::client_credentials(
            format!("{base}/socket.io/oauth2/token"),
            DEMO_CLIENT_ID,
            DEMO_CLIENT_SECRET,
        )
        .build()
        .expect("token provider"),
        audio: Arc::new(audio),
        channel: AudioChannelConfig::new(
            format!("ws://127.0.0.1:{}/audiohook/ws", emulator.port)
                .parse()
                .expect("url"),
            ProtocolConfig::AudioHook {
                organization_id: Uuid::new_v4(),
                api_key: DEMO_AUDIOHOOK_API_KEY.into(),
                client_secret: ClientSecret::from_base64(DEMO_AUDIOHOOK_CLIENT_SECRET)
                    .expect("secret"),
                media_offers: None,
            },
        ),
    };
    // Warm-up: the token is fetched once and shared; one-time costs stay out of the rows.
    runtime.block_on(load.step(1, &emulator));

    println!(
        "| sessions | result-success | first audio → result p50 / p99 / max | emulator CPU (% of one core) | emulator CPU per session | emulator RSS peak | load generator CPU | load avg |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for n in steps {
        let row = runtime.block_on(load.step(n, &emulator));
        let mut latencies = row.latencies.clone();
        latencies.sort();
        println!(
            "| {n} | {} | {} / {} / {} | {:.0} % | {:.1} ms | {:.0} MB | {:.0} % | {} |",
            latencies.len(),
            seconds(percentile(&latencies, 0.50)),
            seconds(percentile(&latencies, 0.99)),
            seconds(latencies.last().copied()),
            row.emulator_cpu_percent,
            row.emulator_cpu_seconds * 1000.0 / n as f64,
            row.emulator_rss_peak as f64 / 1e6,
            row.generator_cpu_percent,
            row.load_average,
        );
        for (reason, count) in row.failures {
            println!("|   | {count} failed: {reason} | | | | | | |");
        }
    }
    emulator.stop();
}

struct Load {
    socketio_url: String,
    token: TokenProvider,
    audio: Arc<Vec<u8>>,
    channel: AudioChannelConfig,
}

struct Row {
    latencies: Vec<Duration>,
    failures: Vec<(String, usize)>,
    emulator_cpu_percent: f64,
    emulator_cpu_seconds: f64,
    generator_cpu_percent: f64,
    emulator_rss_peak: usize,
    load_average: String,
}

impl Load {
    async fn step(&self, n: usize, emulator: &ServeChild) -> Row {
        let pid = emulator.pid();
        let (emulator_before, generator_before) = (cpu_seconds(&pid), cpu_seconds("self"));
        let started = Instant::now();
        let ramp = RAMP_PER_100 * n as u32 / 100;
        let sessions: Vec<_> = (0..n)
            .map(|i| {
                let delay = ramp * i as u32 / n as u32;
                let builder = RegisterSession::builder(&self.socketio_url, self.token.clone())
                    .audio_channel(self.channel.clone())
                    .connect_timeout(SESSION_TIMEOUT);
                let audio = self.audio.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    tokio::time::timeout(SESSION_TIMEOUT, run_session(builder, audio))
                        .await
                        .unwrap_or_else(|_| Err("no result in time".into()))
                })
            })
            .collect();
        let mut rss_peak = 0;
        let mut sampler = tokio::time::interval(Duration::from_millis(250));
        let waiting = futures_util::future::join_all(sessions);
        tokio::pin!(waiting);
        let outcomes = loop {
            tokio::select! {
                outcomes = &mut waiting => break outcomes,
                _ = sampler.tick() => rss_peak = rss_peak.max(rss_bytes(&pid)),
            }
        };
        let wall = started.elapsed().as_secs_f64();
        let (emulator_after, generator_after) = (cpu_seconds(&pid), cpu_seconds("self"));
        let mut latencies = Vec::new();
        let mut failures: Vec<(String, usize)> = Vec::new();
        for outcome in outcomes {
            match outcome.unwrap_or_else(|e| Err(format!("task: {e}"))) {
                Ok(latency) => latencies.push(latency),
                Err(reason) => match failures.iter_mut().find(|(r, _)| *r == reason) {
                    Some((_, count)) => *count += 1,
                    None => failures.push((reason, 1)),
                },
            }
        }
        let percent = |seconds: f64| seconds / wall * 100.0;
        Row {
            latencies,
            failures,
            emulator_cpu_percent: percent(emulator_after - emulator_before),
            emulator_cpu_seconds: emulator_after - emulator_before,
            generator_cpu_percent: percent(generator_after - generator_before),
            emulator_rss_peak: rss_peak,
            load_average: load_average(),
        }
    }
}

/// One registration: the WAV is queued at once and streamed in real time from
/// `info-consumer-ready`; returns the time from that event to `result-success`.
async fn run_session(
    builder: das::session::SessionBuilder,
    audio: Arc<Vec<u8>>,
) -> Result<Duration, String> {
    let mut session = builder.start().await.map_err(|e| format!("start: {e}"))?;
    let sender = session.audio();
    sender
        .push_wait(&audio)
        .await
        .map_err(|e| format!("push: {e}"))?;
    sender.end();
    let mut first_audio = None;
    // Why the audio channel failed, if it did: the usual cause of a `result-failure`.
    let mut channel_error = String::new();
    let outcome = loop {
        match session.next_event(SESSION_TIMEOUT).await {
            Ok(Some(Event::ConsumerReady { .. })) => first_audio = Some(Instant::now()),
            Ok(Some(Event::AudioEnded {
                error: Some(error), ..
            })) => channel_error = format!(" (audio channel: {error})"),
            Ok(Some(Event::ResultSuccess { .. })) => {
                break first_audio
                    .map(|t| t.elapsed())
                    .ok_or_else(|| "result before info-consumer-ready".to_owned())
            }
            Ok(Some(Event::ResultFailure { reason, .. })) => {
                break Err(format!(
                    "result-failure {}{channel_error}",
                    reason.unwrap_or_default()
                ))
            }
            Ok(Some(Event::Error { content, .. })) => {
                break Err(format!("error {}", content.unwrap_or_default()))
            }
            Ok(Some(Event::Disconnected { reason, .. })) => {
                break Err(format!("disconnected: {reason}"))
            }
            Ok(Some(_)) => {}
            Ok(None) => break Err("session ended without a result".into()),
            Err(e) => break Err(e.to_string()),
        }
    };
    session.close().await;
    outcome
}

async fn serve() {
    let emulator = Emulator::start(EmulatorConfig::default())
        .await
        .expect("emulator starts");
    println!("{}", emulator.local_addr().port());
    // Runs until the bench closes our stdin (or exits).
    tokio::task::spawn_blocking(|| std::io::stdin().lock().lines().count())
        .await
        .expect("stdin watcher");
    emulator.shutdown().await;
}

fn percentile(sorted: &[Duration], q: f64) -> Option<Duration> {
    let last = sorted.len().checked_sub(1)?;
    sorted.get((last as f64 * q).round() as usize).copied()
}

fn seconds(value: Option<Duration>) -> String {
    value.map_or("–".into(), |d| format!("{:.2} s", d.as_secs_f64()))
}
