//! TRD parse throughput with criterion: the typed `parse_webhook` next to a `serde_json::Value`
//! tree built from the same text, on the seed payload and a generated one-hour two-channel call.
//! Python's `json.loads` and `das.trd.parse_webhook` on the same bytes: `benches/run/trd_compare`.
//! Run: `cargo bench -p libdas --bench trd_compare [-- FILTER]`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use das::trd::parse_webhook;
use serde_json::{json, Value};

const SEED: &[u8] = include_bytes!("../tests/fixtures/trd/seed_3_11_verbatim.json");

/// A one-hour stereo call: alternating turns every 2.26 s (about 1600 segments), 12 words each.
/// `benches/python_bench.py` builds the same bytes (compact JSON, keys in insertion order).
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

fn parse(c: &mut Criterion) {
    let hour = one_hour_two_channels();
    eprintln!("1h document: {} bytes", hour.len());
    for (document, body) in [("seed", SEED), ("1h", hour.as_slice())] {
        compare(c, &format!("trd_parse/{document}"), body);
    }
    // Each 1 h parse allocates ≈ 4 MB and frees it. glibc may hand the top of its heap back
    // to the kernel when a block of 64 KiB or more is freed, and then faults fresh pages in;
    // that was a quarter of the time in `perf` until the parser stopped freeing such blocks
    // mid-parse (`src/trd/seq.rs`). The same parse with glibc told to keep its heap, last
    // because the setting lasts for the process:
    keep_heap();
    compare(c, "trd_parse_heap_kept/1h", &hour);
}

/// `mallopt` with thresholds above the document's size: freed memory stays in the process.
fn keep_heap() {
    extern "C" {
        fn mallopt(param: i32, value: i32) -> i32;
    }
    const M_TRIM_THRESHOLD: i32 = -1;
    const M_MMAP_THRESHOLD: i32 = -3;
    const KEEP: i32 = 256 << 20;
    // SAFETY: glibc's mallopt takes plain integers and only tunes the allocator.
    let ok =
        unsafe { mallopt(M_TRIM_THRESHOLD, KEEP) == 1 && mallopt(M_MMAP_THRESHOLD, KEEP) == 1 };
    assert!(ok, "mallopt refused the thresholds");
}

/// Typed parse and `Value` of `body` in one criterion group.
fn compare(c: &mut Criterion, name: &str, body: &[u8]) {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("typed", |b| {
        b.iter(|| parse_webhook(black_box(body)).expect("valid"))
    });
    // Same input handling as `parse_webhook` (UTF-8 checked once, then `from_str`), so the
    // comparison is about the model only.
    group.bench_function("serde_json_value", |b| {
        b.iter(|| {
            let text = std::str::from_utf8(black_box(body)).expect("UTF-8");
            serde_json::from_str::<Value>(text).expect("valid")
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).sample_size(30);
    targets = parse
}
criterion_main!(benches);
