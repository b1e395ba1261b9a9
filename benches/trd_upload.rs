//! Uploading a large recording with `TrdClient::create_job` (streamed from disk) against
//! trd-sdk-python's way (`requests` with `files=`, benches/trd_upload_requests.py): client RSS
//! growth (peak minus the RSS just before the upload) and throughput on loopback.
//!
//! `cargo bench --bench trd_upload` creates the file (`TRD_UPLOAD_MIB`, default 1024 MiB) in a
//! temporary directory, starts this binary as the sink server (`sink SIZE`: drains each body,
//! answers 400 when it is shorter than the file, else a QUEUED job), runs this binary as the das
//! client (`client URL FILE`) and, when `BENCH_PYTHON` is set, the Python client; each client is
//! its own process so its RSS is its own. Prints a table; with `RESULTS` set also writes
//! `$RESULTS/trd_upload.json`.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use axum::body::Body;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use futures_util::StreamExt;
use serde_json::{json, Value};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("sink") => sink(args[2].parse().expect("file size")),
        Some("client") => client(&args[2], &args[3]),
        _ => orchestrate(),
    }
}

/// The multi-process run: file, sink, then each client in turn.
fn orchestrate() {
    let mib: u64 = std::env::var("TRD_UPLOAD_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("recording.wav");
    write_file(&file, mib);
    let me = std::env::current_exe().expect("own path");
    let size = std::fs::metadata(&file).expect("file size").len();
    let mut sink = Command::new(&me)
        .args(["sink", &size.to_string()])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the sink");
    let mut port = String::new();
    BufReader::new(sink.stdout.take().expect("sink stdout"))
        .read_line(&mut port)
        .expect("sink port");
    let url = format!("http://127.0.0.1:{}/trd/v3", port.trim());
    let file_arg = file.to_str().expect("UTF-8 path");

    let mut rows = vec![(
        "das (TrdClient::create_job)",
        run(Command::new(&me).args(["client", &url, file_arg])),
    )];
    if let Ok(python) = std::env::var("BENCH_PYTHON") {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/trd_upload_requests.py");
        rows.push((
            "requests (trd-sdk-python's create)",
            run(Command::new(python).arg(script).args([&url, file_arg])),
        ));
    }
    let _ = sink.kill();
    let _ = sink.wait();

    println!("upload of {mib} MiB over loopback, each client in its own process");
    println!("| client | seconds | MB/s | RSS growth (MiB) | peak RSS (MiB) |");
    println!("|---|---|---|---|---|");
    let mut report = Vec::new();
    for (name, measured) in &rows {
        let seconds = measured["seconds"].as_f64().unwrap_or(f64::NAN);
        let bytes = (mib << 20) as f64;
        let growth = measured["rss_growth_kib"].as_f64().unwrap_or(f64::NAN) / 1024.0;
        let peak = measured["peak_rss_kib"].as_f64().unwrap_or(f64::NAN) / 1024.0;
        println!(
            "| {name} | {seconds:.2} | {:.0} | {growth:.1} | {peak:.1} |",
            bytes / seconds / 1e6
        );
        report.push(json!({"client": name, "mib": mib, "seconds": seconds,
            "mb_per_s": bytes / seconds / 1e6, "rss_growth_mib": growth, "peak_rss_mib": peak}));
    }
    if let Ok(results) = std::env::var("RESULTS") {
        let path = Path::new(&results).join("trd_upload.json");
        std::fs::write(
            &path,
            serde_json::to_string_pretty(&report).unwrap_or_default(),
        )
        .expect("write the results");
    }
}

/// A RIFF header followed by `mib` MiB of noise (so nothing along the way can compress it).
fn write_file(path: &Path, mib: u64) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create the file"));
    out.write_all(b"RIFF\0\0\0\0WAVE").expect("write");
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut block = vec![0u8; 1 << 20];
    for _ in 0..mib {
        for chunk in block.chunks_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            chunk.copy_from_slice(&state.to_le_bytes());
        }
        out.write_all(&block).expect("write");
    }
    out.flush().expect("flush");
}

/// Runs one client process and reads the JSON line it prints.
fn run(command: &mut Command) -> Value {
    let output = command.output().expect("run a client");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "client failed: {text} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(text.lines().last().unwrap_or("{}")).expect("client JSON")
}

/// `VmRSS` or `VmHWM` of this process, in KiB.
fn proc_status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn client(url: &str, file: &str) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    das::trd::ensure_crypto_provider();
    let trd = das::trd::TrdClient::builder(url)
        .bearer("bench")
        .build()
        .expect("client");
    let job = das::trd::CreateJob::new(file).config("priority=50");
    let before = proc_status_kib("VmRSS:");
    let started = Instant::now();
    let created = runtime
        .block_on(trd.create_job(&job))
        .expect("upload accepted");
    let seconds = started.elapsed().as_secs_f64();
    let peak = proc_status_kib("VmHWM:");
    assert_eq!(created.id, "bench-job");
    println!(
        "{}",
        json!({"seconds": seconds, "rss_before_kib": before, "peak_rss_kib": peak,
               "rss_growth_kib": peak.saturating_sub(before)})
    );
}

/// Drains every upload and answers a queued job, or 400 when the body is shorter than the
/// file (so a client that sent less fails instead of looking fast).
fn sink(file_size: u64) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let app = Router::new().route(
            "/trd/v3/job/create",
            post(move |body: Body| async move {
                let mut stream = body.into_data_stream();
                let mut size = 0u64;
                while let Some(chunk) = stream.next().await {
                    size += chunk.map(|c| c.len() as u64).unwrap_or(0);
                }
                if size < file_size {
                    let detail = format!("body of {size} bytes, file of {file_size}");
                    return (StatusCode::BAD_REQUEST, Json(json!({ "detail": detail })));
                }
                let job = json!({"job": {"id": "bench-job", "status": "QUEUED",
                                         "media": {"size": size}}});
                (StatusCode::OK, Json(job))
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        println!("{}", listener.local_addr().expect("address").port());
        axum::serve(listener, app).await.expect("serve");
    });
}
