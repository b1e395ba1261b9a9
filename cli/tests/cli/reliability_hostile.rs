//! Reliability of the `das` servers and clients against hostile peers: idle sockets, audio
//! floods, unauthenticated webhook receivers, and server text meant for the terminal.
//! `scripts/reliability-long` runs the flood with 20,000 sockets
//! (`DAS_RELIABILITY_IDLE_SOCKETS`) and prints the server's figures.

use crate::support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::{das, workspace_file, Running, WAIT};

const SECRET: &str = "TXlTdXBlclNlY3JldA==";
const KEY: &str = "hostile-test-key";

/// Sockets one idle-socket peer holds at most (a process's descriptor limit is often 20,000
/// or less).
const SOCKETS_PER_PEER: usize = 9000;

fn idle_sockets() -> usize {
    std::env::var("DAS_RELIABILITY_IDLE_SOCKETS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300)
}

fn python() -> String {
    std::env::var("DAS_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// A `tests/peers/idle_sockets.py` process holding silent connections; killed on drop.
struct IdlePeer(Child);

impl IdlePeer {
    /// Opens `count` silent connections to `port`; returns once they are open, with how
    /// many connected.
    fn start(port: u16, count: usize) -> (IdlePeer, usize) {
        let mut child = Command::new(python())
            .arg(workspace_file("tests/peers/idle_sockets.py"))
            .args(["--port", &port.to_string(), "--count", &count.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the idle-socket peer");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("peer output");
        let opened = line
            .split_whitespace()
            .nth(1)
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("peer said {line:?}"));
        (IdlePeer(child), opened)
    }
}

impl Drop for IdlePeer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn port_of(url: &str) -> u16 {
    let authority = url.split("//").nth(1).unwrap().split('/').next().unwrap();
    authority.rsplit(':').next().unwrap().parse().unwrap()
}

fn proc_status(pid: u32, field: &str) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .map(|l| l[field.len()..].trim().to_owned())
        .unwrap_or_default()
}

fn open_descriptors(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |dir| dir.count())
}

fn send(url: &str, extra: &[&str]) -> Output {
    das()
        .args(["audiohook", "send", "--uri", url, "--api-key", KEY])
        .args(["--client-secret", SECRET])
        .args(extra)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn audiohook_server(extra: &[&str]) -> (Running, String) {
    let mut args = vec![
        "audiohook".to_owned(),
        "serve".to_owned(),
        "--port".to_owned(),
        "0".to_owned(),
        "--api-key".to_owned(),
        format!("{KEY}:{SECRET}"),
    ];
    args.extend(extra.iter().map(|a| a.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut server = Running::start(&args);
    let url = server.url();
    (server, url)
}

#[test]
fn idle_sockets_do_not_stop_a_legitimate_audiohook_session() {
    let count = idle_sockets();
    // The default suite floods a small limit; the long run floods the default one.
    let limit = if count > 1024 { "1024" } else { "64" };
    let (server, url) = audiohook_server(&["--max-connections", limit]);
    let started = Instant::now();
    let mut peers = Vec::new();
    let mut opened = 0;
    for start in (0..count).step_by(SOCKETS_PER_PEER) {
        let (peer, connected) = IdlePeer::start(port_of(&url), SOCKETS_PER_PEER.min(count - start));
        peers.push(peer);
        opened += connected;
    }
    let flood = started.elapsed();
    let sent = send(&url, &["--duration", "1", "--fast"]);
    assert!(
        sent.status.success(),
        "{}{}",
        text(&sent.stdout),
        text(&sent.stderr)
    );
    // Evicted sockets close as their tasks run (late on a loaded machine): the server must
    // come down to about its limit, never hold every idle socket.
    let limit: usize = limit.parse().unwrap();
    let deadline = Instant::now() + WAIT;
    let descriptors = loop {
        let descriptors = open_descriptors(server.pid());
        if descriptors < limit + 64 {
            break descriptors;
        }
        assert!(
            Instant::now() < deadline,
            "the server holds {descriptors} descriptors with a limit of {limit} connections"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    println!(
        "{opened} of {count} idle sockets connected in {:.1} s; server: {descriptors} descriptors \
         open, VmHWM {}; a legitimate session then succeeded",
        flood.as_secs_f64(),
        proc_status(server.pid(), "VmHWM:")
    );
    drop(peers);
}

/// Seconds of audio the unlimited flood sends as fast as the server reads
/// (`DAS_RELIABILITY_FLOOD_SECS`; the long run sends 30,000 s, 480 MB of L16).
fn flood_seconds() -> String {
    std::env::var("DAS_RELIABILITY_FLOOD_SECS").unwrap_or_else(|_| "120".to_owned())
}

#[test]
fn a_recording_streams_to_disk_while_the_session_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, url) = audiohook_server(&["--record", dir.path().to_str().unwrap()]);
    let sender = std::thread::spawn({
        let url = url.clone();
        move || send(&url, &["--duration", "4"])
    });
    let opened = server.line(|l| l.starts_with("opened "));
    let session = opened.split_whitespace().nth(1).unwrap().to_owned();
    let wav = dir.path().join(format!("{session}.wav"));
    let deadline = Instant::now() + WAIT;
    // Real-time audio: the file grows while the session is still open.
    while std::fs::metadata(&wav).map_or(0, |m| m.len()) < 16_000 {
        assert!(
            Instant::now() < deadline,
            "nothing written to {}",
            wav.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !sender.is_finished(),
        "the session ended before its audio was on disk"
    );
    let sent = sender.join().unwrap();
    assert!(sent.status.success(), "{}", text(&sent.stderr));
    let closed = server.line(|l| l.starts_with(&format!("closed {session}")));
    assert!(closed.contains(&format!("{session}.wav")), "{closed}");
    let recorded = das::audio::wav::Wav::read(&wav).unwrap();
    assert_eq!(recorded.frames(), 4 * 8000);
}

#[test]
fn audio_far_ahead_of_real_time_is_disconnected_with_the_reason() {
    let (mut server, url) = audiohook_server(&["--max-audio-lead", "2"]);
    let sent = send(&url, &["--duration", "60", "--fast", "--format", "l16"]);
    assert_eq!(sent.status.code(), Some(5), "{}", text(&sent.stdout));
    assert!(
        text(&sent.stdout).contains("faster than real time"),
        "{}",
        text(&sent.stdout)
    );
    let closed = server.line(|l| l.starts_with("closed "));
    assert!(
        closed.contains("disconnected: audio arrives faster than real time"),
        "{closed}"
    );
}

#[test]
fn an_unlimited_audio_flood_is_recorded_whole_through_the_disk() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, url) = audiohook_server(&[
        "--record",
        dir.path().to_str().unwrap(),
        "--max-audio-lead",
        "0",
    ]);
    let seconds = flood_seconds();
    let started = Instant::now();
    let sent = send(&url, &["--duration", &seconds, "--fast", "--format", "l16"]);
    assert!(sent.status.success(), "{}", text(&sent.stdout));
    let closed = server.line(|l| l.starts_with("closed "));
    let session = closed
        .split_whitespace()
        .nth(1)
        .unwrap()
        .trim_end_matches(':');
    let wav = dir.path().join(format!("{session}.wav"));
    let bytes = std::fs::metadata(&wav).unwrap().len();
    let expected: f64 = seconds.parse::<f64>().unwrap() * 8000.0 * 2.0 + 44.0;
    assert_eq!(bytes as f64, expected, "{closed}");
    println!(
        "flood of {seconds} s of L16 in {:.1} s: {} bytes recorded; server VmHWM {}",
        started.elapsed().as_secs_f64(),
        bytes,
        proc_status(server.pid(), "VmHWM:")
    );
}

/// `das webhook serve` with its stderr captured; killed on drop.
struct Receiver(Child);

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `DAS_WEBHOOK_TOKEN="$HOOK_TOKEN"` with the variable unset is an empty token, which would let
/// bodies with `"token": ""` in: a usage error, on any address.
#[test]
fn an_empty_token_is_a_usage_error() {
    for (flag, env) in [(Some(""), None), (None, Some(""))] {
        let mut command = das();
        command.args(["webhook", "serve", "--http", "--port", "0"]);
        command.env_remove("DAS_WEBHOOK_TOKEN");
        if let Some(token) = flag {
            command.args(["--token", token]);
        }
        if let Some(token) = env {
            command.env("DAS_WEBHOOK_TOKEN", token);
        }
        let refused = command.output().unwrap();
        assert_eq!(refused.status.code(), Some(2), "{flag:?} {env:?}");
        assert!(
            text(&refused.stderr).contains("DAS_WEBHOOK_TOKEN) is empty"),
            "{}",
            text(&refused.stderr)
        );
        assert!(text(&refused.stdout).is_empty());
    }
    // Nor is one registered with TRD: refused before anything is sent.
    let refused = das()
        .args(["trd", "validate", "--api", "http://127.0.0.1:9/trd/v3"])
        .args(["--url", "https://203.0.113.7:8443", "--webhook-token", ""])
        .env_remove("DAS_WEBHOOK_TOKEN")
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stderr).contains("webhook token is empty"),
        "{}",
        text(&refused.stderr)
    );
}

#[test]
fn a_public_receiver_without_a_token_needs_an_explicit_flag() {
    let refused = das()
        .args([
            "webhook", "serve", "--http", "--host", "0.0.0.0", "--port", "0",
        ])
        .env_remove("DAS_WEBHOOK_TOKEN")
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stderr).contains("--no-token"),
        "{}",
        text(&refused.stderr)
    );

    let out = tempfile::tempdir().unwrap();
    let mut child = das()
        .args([
            "webhook", "serve", "--http", "--host", "0.0.0.0", "--port", "0",
        ])
        .args(["--no-token", "--out", out.path().to_str().unwrap()])
        .env_remove("DAS_WEBHOOK_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let receiver = Receiver(child);
    // Without --spool, the start-up says plainly what a crash costs.
    let warning = BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .find(|l| l.contains("warning"))
        .expect("a start-up warning");
    assert!(
        warning.contains("acknowledged but not yet handled are lost if this process crashes"),
        "{warning}"
    );
    drop(receiver);
}

/// A token endpoint (axum, in this process) refusing every request with `error` and
/// `error_description` chosen by a hostile server.
async fn hostile_token_server(description_bytes: usize) -> String {
    use axum::routing::post;
    let description = format!(
        "\u{1b}[2J\u{1b}]0;pwned\u{7}{}",
        "x".repeat(description_bytes)
    );
    let app = axum::Router::new().route(
        "/token",
        post(move || {
            let body = serde_json::json!({
                "error": "invalid_client\r\nfake line\u{1b}[31m",
                "error_description": description,
            });
            async move { (axum::http::StatusCode::UNAUTHORIZED, axum::Json(body)) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/token")
}

#[tokio::test]
async fn server_text_reaches_the_terminal_without_control_characters_and_cut() {
    let token_url = hostile_token_server(30_000).await;
    let output = tokio::task::spawn_blocking(move || {
        das()
            .args(["register", "--url", "http://127.0.0.1:9/socket.io"])
            .args(["--audio-url", "ws://127.0.0.1:9/audiohook/ws"])
            .args(["--token-url", &token_url, "--client-id", "id"])
            .args(["--client-secret", "s"])
            .arg("--audio")
            .arg(workspace_file("samples/speaker-a.wav"))
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", text(&output.stderr));
    let stderr = &output.stderr;
    assert!(
        !stderr.contains(&0x1b),
        "an escape sequence reached the terminal"
    );
    assert!(!stderr.contains(&0x07));
    assert!(!text(stderr).contains("\r\nfake line"));
    assert!(
        text(stderr).contains("invalid_client\\r\\nfake line\\u{1b}[31m"),
        "{}",
        text(stderr)
    );
    assert!(
        stderr.len() < 10_000,
        "{} bytes of error printed",
        stderr.len()
    );
    let _ = std::io::stderr().flush();
}

#[test]
fn the_emulator_banner_names_a_users_audiohook_key_without_its_secret() {
    let secret = "bXktb3duLXNlY3JldC12YWx1ZQ==";
    let key = format!("my-key:{secret}");
    let mut emulator = Running::start(&["emulator", "--port", "0", "--audiohook-key", &key]);
    emulator.line(|l| l == "Ctrl-C stops it.");
    let banner = emulator.seen.join("\n");
    assert!(
        banner.contains("AudioHook key   my-key (your secret, not shown)"),
        "{banner}"
    );
    assert!(!banner.contains(secret), "{banner}");
}
