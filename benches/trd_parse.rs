//! TRD webhook benchmark: typed parse throughput next to `serde_json::Value` on the same bodies
//! (the seed payload and a generated one-hour two-channel call), and receiver deliveries per
//! second over plain HTTP on loopback. Run: `cargo bench -p das --bench trd_parse [-- FILTER]`;
//! with a FILTER only measurements whose label contains it run (e.g. `typed`, `receiver`).

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use das::trd::{parse_webhook, Tls, WebhookReceiver};
use serde_json::{json, Value};

const SEED: &[u8] = include_bytes!("../tests/fixtures/trd/seed_3_11_verbatim.json");
const MEASURE_FOR: Duration = Duration::from_secs(2);

/// A one-hour stereo call: alternating turns every 2.26 s (about 1600 segments), 12 words each.
fn one_hour_two_channels() -> Vec<u8> {
    let vocabulary = [
        "bom",
        "dia",
        "minha",
        "conta",
        "cartão",
        "saldo",
        "não",
        "consigo",
        "acessar",
        "obrigado",
        "senhor",
        "número",
        "protocolo",
        "atendimento",
        "ligação",
        "pagamento",
    ];
    let mut seed: Value = serde_json::from_slice(SEED).expect("seed parses");
    seed["job"]["media"]["input"]["channels"] = json!(2);
    seed["job"]["media"]["output"]["channels"] = json!([
        {"channel": 1, "duration": 3600.0, "speech": 1650.25, "silence": false},
        {"channel": 2, "duration": 3600.0, "speech": 1580.5, "silence": false}
    ]);
    let mut segments = Vec::new();
    let mut start = 0.37_f64;
    let mut turn = 0usize;
    while start < 3595.0 {
        let channel = 1 + turn % 2;
        let words: Vec<Value> = (0..12)
            .map(|i| {
                let t = i as f64 * 0.3617 + 0.000_035_841_86;
                json!({"text": vocabulary[(turn * 7 + i) % vocabulary.len()], "score": 90 + (i % 11),
                       "start_time": t, "end_time": t + 0.2999999})
            })
            .collect();
        let text: Vec<&str> = (0..12)
            .map(|i| vocabulary[(turn * 7 + i) % vocabulary.len()])
            .collect();
        segments.push(json!({
            "channel": channel, "speaker": "1", "start": start, "end": start + 4.3401,
            "status": "RECOGNIZED", "task_results": {},
            "alternatives": [{"text": text.join(" "), "words": words, "score": 97,
                              "lm": "builtin:slm/callcenter-small"}]
        }));
        start += 2.2563;
        turn += 1;
    }
    seed["segments"] = Value::Array(segments);
    seed["token"] = json!("a8281f88-1b3c-43b5-8fdf-79c35652e112");
    serde_json::to_vec(&seed).expect("serializes")
}

fn selected(label: &str) -> bool {
    // `cargo bench` passes `--bench`; any other argument is a label filter.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    filters.is_empty() || filters.iter().any(|f| label.contains(f.as_str()))
}

fn throughput(label: &str, body: &[u8], parse: impl Fn(&[u8])) {
    if !selected(label) {
        return;
    }
    for _ in 0..3 {
        parse(body);
    }
    let started = Instant::now();
    let mut iterations = 0u64;
    while started.elapsed() < MEASURE_FOR {
        parse(body);
        iterations += 1;
    }
    let seconds = started.elapsed().as_secs_f64();
    let megabytes = body.len() as f64 * iterations as f64 / 1e6;
    println!(
        "{label:<44} {:>9.1} MB/s  {:>10.1} µs/parse  ({iterations} parses of {} bytes)",
        megabytes / seconds,
        seconds * 1e6 / iterations as f64,
        body.len()
    );
}

fn parse_benchmarks() {
    let hour = one_hour_two_channels();
    let typed = |body: &[u8]| {
        black_box(parse_webhook(black_box(body)).expect("valid"));
    };
    // Same input handling as `parse_webhook` (UTF-8 checked once, then `from_str`), so the
    // comparison is about the model only.
    let untyped = |body: &[u8]| {
        let text = std::str::from_utf8(black_box(body)).expect("UTF-8");
        black_box(serde_json::from_str::<Value>(text).expect("valid"));
    };
    let segments = parse_webhook(&hour).expect("valid").segments().len();
    println!("one-hour call: {segments} segments, {} bytes", hour.len());
    throughput("typed parse_webhook, seed payload", SEED, typed);
    throughput("serde_json::Value, seed payload", SEED, untyped);
    throughput("typed parse_webhook, 1 h two-channel call", &hour, typed);
    throughput("serde_json::Value, 1 h two-channel call", &hour, untyped);
}

async fn receiver_benchmark() {
    const CLIENTS: usize = 16;
    const RUN_FOR: Duration = Duration::from_secs(3);
    if !selected("receiver, plain HTTP loopback") {
        return;
    }
    das::trd::ensure_crypto_provider();
    let receiver = Arc::new(
        WebhookReceiver::builder()
            .tls(Tls::Plain)
            .queue_bound(4096)
            .start()
            .await
            .expect("receiver starts"),
    );
    let consumed = Arc::new(AtomicU64::new(0));
    let consumer = {
        let (receiver, consumed) = (Arc::clone(&receiver), Arc::clone(&consumed));
        tokio::spawn(async move {
            while let Some(delivery) = receiver.next_delivery(Duration::from_secs(2)).await {
                delivery.ack().expect("no spool, nothing to fail");
                consumed.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    let http = reqwest::Client::new();
    let url = format!("{}/6230c8b739231fb289992870", receiver.url());
    let started = Instant::now();
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let (http, url) = (http.clone(), url.clone());
        clients.push(tokio::spawn(async move {
            let mut accepted = 0u64;
            while started.elapsed() < RUN_FOR {
                let response = http
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(SEED)
                    .send()
                    .await
                    .expect("request");
                if response.status() == 200 {
                    accepted += 1;
                }
            }
            accepted
        }));
    }
    let mut accepted = 0;
    for client in clients {
        accepted += client.await.expect("client task");
    }
    let seconds = started.elapsed().as_secs_f64();
    receiver.shutdown().await;
    consumer.await.expect("consumer task");
    println!(
        "receiver, plain HTTP loopback, {CLIENTS} keep-alive clients: {:.0} deliveries/s \
         ({accepted} accepted in {seconds:.2} s, {} consumed; clients share the machine)",
        accepted as f64 / seconds,
        consumed.load(Ordering::Relaxed)
    );
}

fn main() {
    parse_benchmarks();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(receiver_benchmark());
}
