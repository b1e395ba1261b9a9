//! CPU and memory per real-time AudioHook stream at growing concurrency, on loopback.
//!
//! The server (our `AudioHookServer`, discarding audio) runs in a child process (this binary
//! re-executed with `--serve`), so the client figures here are the client's own; the server's
//! CPU is read from `/proc/<pid>/stat`. Each client streams 8 kHz µ-law mono at 1× real time
//! in 200 ms frames. The source pushes whole frames, or with `--push-ms 20` the 20 ms pieces a
//! telephony source (RTP) hands over, ten to a frame. With `--twilio` the streams are Twilio
//! Media Streams (the das-Peak subset, 20 ms frames) to a consumer that counts `media` frames.
//! Results are recorded in `benches/RESULTS.md`.
//! Run: `cargo bench --bench audiohook_streams -- 1 100 1000 --secs 10 [--push-ms 20] [--twilio]`.

use std::io::BufRead;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use das::audio::codec::Codec;
use das::audio::pacing::Pacing;
use das::audio::wav::Wav;
use das::audiohook::client::{ClientConfig, ClientSession};
use das::audiohook::messages::{MediaChannel, MediaFormat, MediaParameter, SAMPLE_RATE};
use das::audiohook::secret::ClientSecret;
use das::audiohook::server::{AudioHookServer, ServerConfig, SessionEvent};
use das::channel::AudioChannel;
use das::twilio::{TwilioConfig, TwilioSession};
use futures_util::StreamExt;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

#[path = "support/proc_stats.rs"]
mod proc_stats;
#[path = "support/serve_child.rs"]
mod serve_child;
use proc_stats::{cpu_seconds, load_average, rss_bytes};
use serve_child::ServeChild;

const API_KEY: &str = "bench-key";
const SECRET_B64: &str = "YmVuY2gtc2VjcmV0";
const PATH: &str = "/audiohook/ws";
/// AudioHook's frame (the client's default).
const AUDIOHOOK_FRAME: Duration = Duration::from_millis(200);
/// RSS is read three of these before the streams end, and the last frames get one to arrive.
const MARGIN: Duration = Duration::from_millis(200);
/// Twilio's frame.
const TWILIO_FRAME: Duration = Duration::from_millis(20);
/// 8 kHz µ-law mono.
const BYTES_PER_MS: usize = 8;
/// A frame is late when it leaves (client) or arrives (server) this far behind schedule.
const LATE: Duration = Duration::from_millis(50);

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let twilio = args.iter().any(|a| a == "--twilio");
    if args.first().map(String::as_str) == Some("--serve") {
        match twilio {
            true => runtime.block_on(serve_twilio()),
            false => runtime.block_on(serve()),
        }
        return;
    }
    let frame = if twilio {
        TWILIO_FRAME
    } else {
        AUDIOHOOK_FRAME
    };
    let (mut secs, mut push_ms, mut sizes) = (10u64, frame.as_millis() as u64, Vec::new());
    let mut words = args.iter();
    while let Some(word) = words.next() {
        if word == "--secs" {
            secs = words.next().and_then(|s| s.parse().ok()).expect("--secs N");
        } else if word == "--push-ms" {
            push_ms = words
                .next()
                .and_then(|s| s.parse().ok())
                .expect("--push-ms N");
            assert!(
                push_ms > 0 && (frame.as_millis() as u64).is_multiple_of(push_ms),
                "--push-ms N: a divisor of the frame"
            );
        } else if let Ok(n) = word.parse::<usize>() {
            sizes.push(n);
        }
    }
    if sizes.is_empty() {
        sizes = vec![1, 100, 1000];
    }

    let mut server = match twilio {
        true => ServeChild::spawn(&["--twilio"]),
        false => ServeChild::spawn::<&str>(&[]),
    };
    let audio = Arc::new(
        Wav::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/samples/speaker-a.wav"
        ))
        .and_then(|wav| wav.to_wire(Codec::Mulaw))
        .expect("samples/speaker-a.wav"),
    );
    let bench = Bench {
        url: match twilio {
            true => format!("ws://127.0.0.1:{}/media", server.port),
            false => format!("ws://127.0.0.1:{}{PATH}", server.port),
        },
        audio,
        duration: Duration::from_secs(secs),
        frame,
        push: Duration::from_millis(push_ms),
        twilio,
    };
    // Warm-up: one-time costs (runtime threads, allocator arenas) stay out of the rows.
    runtime.block_on(bench.run(1, &mut server));

    let protocol = if twilio { "Twilio" } else { "AudioHook" };
    println!(
        "{protocol}, {secs} s per stream, {} ms frames pushed in {push_ms} ms pieces; CPU in seconds per stream-minute while streaming",
        frame.as_millis()
    );
    println!(
        "| streams | setup (all opened) | streaming wall time | client CPU | client RSS growth per stream | late: client pushes / server frames | server CPU | server RSS growth per stream | load avg |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for n in sizes {
        let row = runtime.block_on(bench.run(n, &mut server));
        println!(
            "| {n} | {:.1} ms | {:.2} s | {:.4} s | {:.1} KB | {} of {} / {} of {} | {:.4} s | {:.1} KB | {} |",
            row.setup.as_secs_f64() * 1000.0,
            row.streamed.as_secs_f64(),
            row.client_cpu_per_minute,
            row.rss_growth as f64 / n as f64 / 1000.0,
            row.late_client,
            row.pushes,
            row.late_server,
            row.frames,
            row.server_cpu_per_minute,
            row.server_rss_growth as f64 / n as f64 / 1000.0,
            load_average(),
        );
    }
    server.stop();
}

struct Bench {
    url: String,
    audio: Arc<Vec<u8>>,
    duration: Duration,
    /// Audio per wire frame.
    frame: Duration,
    /// Audio per push: a whole frame, or a piece of one.
    push: Duration,
    /// Twilio Media Streams instead of AudioHook.
    twilio: bool,
}

struct Row {
    setup: Duration,
    /// From the first stream's start to the last frame pushed (ideal: the duration).
    streamed: Duration,
    client_cpu_per_minute: f64,
    server_cpu_per_minute: f64,
    rss_growth: usize,
    server_rss_growth: usize,
    frames: u64,
    pushes: u64,
    late_client: u64,
    late_server: u64,
}

impl Bench {
    async fn run(&self, n: usize, server: &mut ServeChild) -> Row {
        let (rss_before, server_rss_before) = (rss_bytes("self"), rss_bytes(&server.pid()));
        let started = Instant::now();
        let opening: Vec<_> = (0..n)
            .map(|_| match self.twilio {
                true => tokio::spawn(open_twilio(self.twilio_config())),
                false => tokio::spawn(open_audiohook(self.config())),
            })
            .collect();
        let mut sessions = Vec::with_capacity(n);
        for task in opening {
            sessions.push(task.await.expect("open task"));
        }
        let setup = started.elapsed();
        server_stats(server); // resets the server's frame counters

        // Streams start spread over one frame period, as independent calls would be.
        let start = Instant::now() + Duration::from_millis(100);
        let (cpu_before, server_before) = (cpu_seconds("self"), cpu_seconds(&server.pid()));
        let late_client = Arc::new(AtomicU64::new(0));
        let pushes_per_stream = (self.duration.as_millis() / self.push.as_millis()) as usize;
        let streaming: Vec<_> = sessions
            .into_iter()
            .enumerate()
            .map(|(i, session)| {
                let offset = self.frame * i as u32 / n as u32;
                let audio = self.audio.clone();
                let late = late_client.clone();
                tokio::spawn(stream(
                    session,
                    start + offset,
                    Pushes {
                        every: self.push,
                        count: pushes_per_stream,
                    },
                    audio,
                    late,
                ))
            })
            .collect();
        // RSS near the end of streaming: every stream open and sending.
        tokio::time::sleep_until(start + self.duration.saturating_sub(MARGIN * 3)).await;
        let rss_growth = rss_bytes("self").saturating_sub(rss_before);
        let server_rss_growth = rss_bytes(&server.pid()).saturating_sub(server_rss_before);
        let mut sessions = Vec::with_capacity(n);
        for task in streaming {
            sessions.push(task.await.expect("stream task"));
        }
        let streamed = start.elapsed();
        // Let the last frames reach the server before counting.
        tokio::time::sleep(MARGIN).await;
        let (cpu_after, server_after) = (cpu_seconds("self"), cpu_seconds(&server.pid()));
        let (frames, late_server) = server_stats(server);
        let closing: Vec<_> = sessions
            .into_iter()
            .map(|s| tokio::spawn(s.finish()))
            .collect();
        for task in closing {
            task.await.expect("close task").expect("close");
        }
        let stream_minutes = n as f64 * self.duration.as_secs_f64() / 60.0;
        Row {
            setup,
            streamed,
            client_cpu_per_minute: (cpu_after - cpu_before) / stream_minutes,
            server_cpu_per_minute: (server_after - server_before) / stream_minutes,
            rss_growth,
            server_rss_growth,
            frames,
            pushes: (n * pushes_per_stream) as u64,
            late_client: late_client.load(Ordering::Relaxed),
            late_server,
        }
    }

    fn twilio_config(&self) -> TwilioConfig {
        let mut config = TwilioConfig::new(self.url.parse().expect("url"));
        // As for AudioHook: the loop in `stream` is the real-time source.
        config.pacing = Pacing::AsFastAsPossible;
        config.timeout = Duration::from_secs(60);
        config
    }

    fn config(&self) -> ClientConfig {
        let mut config = ClientConfig::new(
            self.url.parse().expect("url"),
            Uuid::new_v4(),
            API_KEY,
            ClientSecret::from_base64(SECRET_B64).expect("secret"),
        );
        config.input_format = MediaFormat::Pcmu;
        config.input_channels = vec![MediaChannel::External];
        config.media_offers = vec![MediaParameter::audio(
            MediaFormat::Pcmu,
            vec![MediaChannel::External],
        )];
        // The loop in `stream` is the real-time source (a live call): each frame is pushed
        // at its deadline and the client sends it at once.
        config.pacing = Pacing::AsFastAsPossible;
        config.open_timeout = Duration::from_secs(60);
        config
    }
}

async fn open_audiohook(config: ClientConfig) -> AudioChannel {
    let session = ClientSession::open(config, Uuid::new_v4()).await;
    AudioChannel::AudioHook(session.expect("open"))
}

async fn open_twilio(config: TwilioConfig) -> AudioChannel {
    let call_sid = format!("CA{}", Uuid::new_v4().simple());
    AudioChannel::Twilio(TwilioSession::open(config, &call_sid).await.expect("open"))
}

/// What a stream's source pushes: `count` pieces of `every` worth of audio.
struct Pushes {
    every: Duration,
    count: usize,
}

/// Pushes one piece at each deadline from `start`, counting wake-ups that come more than
/// [`LATE`] behind schedule.
async fn stream(
    session: AudioChannel,
    start: Instant,
    pushes: Pushes,
    audio: Arc<Vec<u8>>,
    late: Arc<AtomicU64>,
) -> AudioChannel {
    let piece_bytes = BYTES_PER_MS * pushes.every.as_millis() as usize;
    for (n, piece) in audio
        .chunks_exact(piece_bytes)
        .cycle()
        .take(pushes.count)
        .enumerate()
    {
        let deadline = start + pushes.every * n as u32;
        tokio::time::sleep_until(deadline).await;
        if deadline.elapsed() > LATE {
            late.fetch_add(1, Ordering::Relaxed);
        }
        session.push(piece).expect("push");
    }
    session
}

/// The server child: its pid, port, and a line protocol on stdin/stdout for frame counts.
/// Frames the server received and frames late since the last call.
fn server_stats(server: &mut ServeChild) -> (u64, u64) {
    let line = server.ask("stats");
    let mut numbers = line.split_whitespace().map(|n| n.parse().unwrap_or(0));
    (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0))
}

#[derive(Default)]
struct Counts {
    frames: AtomicU64,
    late: AtomicU64,
}

/// Counts that a thread reports (and resets) for each line the bench writes to stdin; the
/// child exits when the bench is gone.
fn report_counts_on_request() -> Arc<Counts> {
    let counts = Arc::new(Counts::default());
    let reporter = counts.clone();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            if line.is_err() {
                break;
            }
            let frames = reporter.frames.swap(0, Ordering::Relaxed);
            let late = reporter.late.swap(0, Ordering::Relaxed);
            println!("{frames} {late}");
        }
        std::process::exit(0);
    });
    counts
}

async fn serve() {
    let secret = ClientSecret::from_base64(SECRET_B64).expect("secret");
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let (local, mut incoming, _task) =
        AudioHookServer::bind(ServerConfig::with_key(API_KEY, secret), addr, PATH)
            .await
            .expect("bind");
    println!("{}", local.port());
    let counts = report_counts_on_request();
    while let Some(mut session) = incoming.next().await {
        let counts = counts.clone();
        tokio::spawn(async move {
            // Arrival of the first frame anchors the schedule of the following ones.
            let mut anchor: Option<(Instant, u64)> = None;
            while let Some(event) = session.next_event().await {
                if let SessionEvent::Audio(frame) = event {
                    let now = Instant::now();
                    let position = frame.position.samples(SAMPLE_RATE);
                    let (first, first_position) = *anchor.get_or_insert((now, position));
                    let due = first
                        + Duration::from_secs_f64(
                            (position - first_position) as f64 / f64::from(SAMPLE_RATE),
                        );
                    counts.frames.fetch_add(1, Ordering::Relaxed);
                    if now.saturating_duration_since(due) > LATE {
                        counts.late.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        });
    }
}

/// The Twilio consumer child: counts `media` frames and those that arrive more than [`LATE`]
/// behind the schedule anchored at the stream's first (subset frames carry no timestamp; each
/// is 20 ms).
async fn serve_twilio() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    println!("{}", listener.local_addr().expect("addr").port());
    let counts = report_counts_on_request();
    while let Ok((tcp, _)) = listener.accept().await {
        let counts = counts.clone();
        tokio::spawn(async move {
            let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                return;
            };
            let mut first: Option<Instant> = None;
            let mut media = 0u32;
            while let Some(Ok(message)) = ws.next().await {
                let Message::Text(text) = message else {
                    continue;
                };
                if !text.as_str().starts_with(r#"{"event":"media""#) {
                    continue;
                }
                let now = Instant::now();
                let due = *first.get_or_insert(now) + TWILIO_FRAME * media;
                media += 1;
                counts.frames.fetch_add(1, Ordering::Relaxed);
                if now.saturating_duration_since(due) > LATE {
                    counts.late.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
}
