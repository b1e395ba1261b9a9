//! `das audiohook send` → `das audiohook serve --record` round trips between two processes.

use crate::support;

use std::path::Path;
use std::process::Output;

use das::audio::wav::Wav;
use serde_json::Value;
use support::{workspace_file, Running};

/// `MySuperSecret` in base64.
const SECRET: &str = "TXlTdXBlclNlY3JldA==";
const KEY: &str = "test-api-key";

struct Recorder {
    server: Running,
    url: String,
    dir: tempfile::TempDir,
}

fn recorder() -> Recorder {
    let dir = tempfile::tempdir().unwrap();
    let mut das = support::das();
    let record = ["--record", dir.path().to_str().unwrap()];
    das.args(["audiohook", "serve", "--port", "0"]).args(record);
    // The keys from the variable, as a list, so that the secrets stay out of `ps`.
    das.env(
        "DAS_AUDIOHOOK_SERVE_KEYS",
        format!("{KEY}:{SECRET},unsigned-key:"),
    );
    let mut server = Running::spawn(das);
    let url = server.url();
    Recorder { server, url, dir }
}

fn send_blocking(url: &str, secret: &str, extra: &[&str]) -> Output {
    support::das()
        .args(["audiohook", "send", "--uri", url, "--api-key", KEY])
        .args(["--client-secret", secret])
        .args(extra)
        .output()
        .unwrap()
}

async fn send(url: &str, secret: &str, extra: &[&str]) -> Output {
    let (url, secret) = (url.to_owned(), secret.to_owned());
    let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        send_blocking(&url, &secret, &extra)
    })
    .await
    .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The session ids `send` reported as ok.
fn ok_sessions(output: &Output) -> Vec<String> {
    text(&output.stdout)
        .lines()
        .filter(|l| l.starts_with("session ") && l.contains(" ok: "))
        .map(|l| l.split_whitespace().nth(2).unwrap().to_owned())
        .collect()
}

fn log(dir: &Path, session: &str) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join(format!("{session}.json"))).unwrap()).unwrap()
}

fn event_names(log: &Value) -> Vec<String> {
    log["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_mulaw_wav_is_recorded_sample_for_sample() {
    let mut rec = recorder();
    let input = workspace_file("samples/speaker-a.wav");
    let sent = send(
        &rec.url,
        SECRET,
        &["--wav", input.to_str().unwrap(), "--fast"],
    )
    .await;
    assert!(
        sent.status.success(),
        "{}{}",
        text(&sent.stdout),
        text(&sent.stderr)
    );
    assert!(text(&sent.stdout).contains("1 of 1 session(s) ok"));
    let session = ok_sessions(&sent).pop().expect("a session line");

    rec.server
        .line(|l| l.starts_with(&format!("opened {session}")));
    let closed = rec
        .server
        .line(|l| l.starts_with(&format!("closed {session}")));
    assert!(closed.contains("closed by the client (end)"), "{closed}");

    let recorded = Wav::read(rec.dir.path().join(format!("{session}.wav"))).unwrap();
    let original = Wav::read(&input).unwrap();
    assert_eq!((recorded.channels, recorded.sample_rate), (1, 8000));
    assert_eq!(recorded.samples.len(), original.samples.len());
    assert!(
        recorded.samples == original.samples,
        "µ-law audio changed on the way"
    );

    let log = log(rec.dir.path(), &session);
    let names = event_names(&log);
    assert_eq!(names.first().map(String::as_str), Some("open"));
    assert_eq!(names.last().map(String::as_str), Some("close"));
    assert!(names.iter().filter(|n| *n == "audio").count() > 10);
    assert_eq!(
        log["events"].as_array().unwrap().last().unwrap()["reason"],
        "end"
    );
    assert_eq!(log["media"]["format"], "PCMU");
    assert!(log["events"][0]["t"].is_number());
    assert!(!text(&sent.stdout).contains(SECRET) && !text(&sent.stderr).contains(SECRET));
}

#[tokio::test]
async fn a_stereo_l16_wav_keeps_both_channels_exactly() {
    let mut rec = recorder();
    let input = workspace_file("samples/call-stereo.wav");
    let sent = send(
        &rec.url,
        SECRET,
        &[
            "--wav",
            input.to_str().unwrap(),
            "--format",
            "l16",
            "--fast",
        ],
    )
    .await;
    assert!(
        sent.status.success(),
        "{}{}",
        text(&sent.stdout),
        text(&sent.stderr)
    );
    let session = ok_sessions(&sent).pop().unwrap();
    let opened = rec
        .server
        .line(|l| l.starts_with(&format!("opened {session}")));
    assert!(opened.ends_with("media l16 external+internal"), "{opened}");
    rec.server
        .line(|l| l.starts_with(&format!("closed {session}")));
    let recorded = Wav::read(rec.dir.path().join(format!("{session}.wav"))).unwrap();
    let original = Wav::read(&input).unwrap();
    assert_eq!(recorded.channels, 2);
    assert!(
        recorded.samples == original.samples,
        "L16 stereo audio changed"
    );
}

#[tokio::test]
async fn real_time_tone_sessions_report_rtt_percentiles() {
    let mut rec = recorder();
    let sent = send(
        &rec.url,
        SECRET,
        &["--sessions", "2", "--rate", "20", "--duration", "1.6"],
    )
    .await;
    let stdout = text(&sent.stdout);
    assert!(sent.status.success(), "{stdout}{}", text(&sent.stderr));
    assert!(stdout.contains("2 of 2 session(s) ok"), "{stdout}");
    // The first ping leaves 1 s after `opened`, inside 1.6 s of audio.
    assert!(stdout.contains("rtt p50 "), "{stdout}");
    assert!(
        stdout.contains(" p90 ") && stdout.contains(" p99 "),
        "{stdout}"
    );
    // The sessions start 50 ms apart but may open, and so close, in either order.
    let sessions = ok_sessions(&sent);
    for _ in &sessions {
        let closed = rec.server.line(|l| {
            sessions
                .iter()
                .any(|session| l.starts_with(&format!("closed {session}")))
        });
        assert!(closed.contains("after 1.600 s of audio"), "{closed}");
    }
    for session in &sessions {
        let tone = Wav::read(rec.dir.path().join(format!("{session}.wav"))).unwrap();
        // 1 kHz at 8 kHz: the waveform repeats every 8 samples.
        assert!(tone.samples.iter().any(|&s| s > 7000));
        assert_eq!(tone.samples[..8], tone.samples[8..16]);
    }
    assert!(rec.server.stop("INT").success());
    rec.server.line(|l| l == "stopped");
}

#[tokio::test]
async fn wrong_secrets_exit_3_unsigned_keys_and_probes_work() {
    let mut rec = recorder();
    let refused = send(
        &rec.url,
        "d3Jvbmcgc2VjcmV0",
        &["--duration", "0.4", "--fast"],
    )
    .await;
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused.stderr));
    assert!(text(&refused.stdout).contains("FAILED"));

    let probe = send(&rec.url, SECRET, &["--probe"]).await;
    assert!(probe.status.success(), "{}", text(&probe.stderr));
    let session = ok_sessions(&probe).pop().unwrap();
    let opened = rec
        .server
        .line(|l| l.starts_with(&format!("opened {session}")));
    assert!(opened.contains("(probe)"), "{opened}");
    rec.server
        .line(|l| l.starts_with(&format!("closed {session}")));
    assert!(!rec.dir.path().join(format!("{session}.wav")).exists());
    assert_eq!(
        event_names(&log(rec.dir.path(), &session)),
        ["open", "close"]
    );

    let args = [
        "audiohook",
        "send",
        "--uri",
        &rec.url,
        "--api-key",
        "unsigned-key",
    ];
    let unsigned = tokio::task::spawn_blocking({
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        move || {
            support::das()
                .args(args)
                .args(["--client-secret", "", "--duration", "0.4", "--fast"])
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    assert!(unsigned.status.success(), "{}", text(&unsigned.stderr));
}

#[test]
fn bad_key_specs_are_usage_errors_that_do_not_echo_the_secret() {
    support::das_cmd()
        .args(["audiohook", "serve", "--port", "0", "--api-key", "no-colon"])
        .assert()
        .code(2);
    let output = support::das_cmd()
        .args([
            "audiohook",
            "serve",
            "--port",
            "0",
            "--api-key",
            "key:not*base64!",
        ])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(
        !text(&output.stderr).contains("not*base64!"),
        "{}",
        text(&output.stderr)
    );
    support::das_cmd()
        .args([
            "audiohook",
            "send",
            "--uri",
            "ws://127.0.0.1:9/x",
            "--api-key",
            "k",
        ])
        .args(["--client-secret", "", "--wav", "/nonexistent.wav"])
        .assert()
        .code(6);
}

#[test]
fn sessions_open_at_a_stop_are_saved_and_the_sender_sees_the_loss() {
    let mut rec = recorder();
    let url = rec.url.clone();
    // A thread, because reading the server's lines below blocks.
    let sender = std::thread::spawn(move || send_blocking(&url, SECRET, &["--duration", "10"]));
    let opened = rec.server.line(|l| l.starts_with("opened "));
    let session = opened.split_whitespace().nth(1).unwrap().to_owned();
    assert!(rec.server.stop("INT").success());
    let closed = rec
        .server
        .line(|l| l.starts_with(&format!("closed {session}")));
    assert!(closed.contains("server stopped"), "{closed}");
    let names = event_names(&log(rec.dir.path(), &session));
    assert_eq!(names.first().map(String::as_str), Some("open"));
    assert_eq!(names.last().map(String::as_str), Some("server-stopped"));
    assert!(rec.dir.path().join(format!("{session}.wav")).exists());

    let sent = sender.join().unwrap();
    assert_eq!(
        sent.status.code(),
        Some(4),
        "{}{}",
        text(&sent.stdout),
        text(&sent.stderr)
    );
    assert!(text(&sent.stdout).contains("0 of 1 session(s) ok"));
}

type RawPeer =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The next text message from the server, parsed.
async fn next_text(ws: &mut RawPeer) -> Value {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    loop {
        match tokio::time::timeout(support::WAIT, ws.next())
            .await
            .unwrap()
        {
            Some(Ok(Message::Text(text))) => return serde_json::from_str(text.as_str()).unwrap(),
            Some(Ok(_)) => {}
            other => panic!("no reply: {other:?}"),
        }
    }
}

/// Closes the WebSocket with code 1000 and returns the code of the server's reply (`None`:
/// the connection dropped without one, which the peer sees as 1006).
async fn close_socket(ws: &mut RawPeer) -> Option<u16> {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
    use tokio_tungstenite::tungstenite::protocol::CloseFrame;
    use tokio_tungstenite::tungstenite::Message;
    let bye = CloseFrame {
        code: CloseCode::Normal,
        reason: "".into(),
    };
    ws.send(Message::Close(Some(bye))).await.unwrap();
    loop {
        match tokio::time::timeout(support::WAIT, ws.next())
            .await
            .unwrap()
        {
            Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
            Some(Ok(_)) => {}
            None | Some(Err(_)) => return None,
        }
    }
}

/// The Genesys reference client's connection probe with media selected, as a raw WebSocket
/// peer: `open` with nil ids, one empty binary frame, `close`; then its WebSocket Close, which
/// the server must answer with the same code (the peer saw 1006 before).
#[tokio::test]
async fn the_reference_clients_probe_ends_with_closed_and_close_code_1000() {
    use futures_util::SinkExt;
    use serde_json::json;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::Message;
    use uuid::Uuid;

    let mut rec = recorder();
    let (session, organization, nil) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::nil());
    let mut request = rec.url.as_str().into_client_request().unwrap();
    let headers = request.headers_mut();
    let id = |uuid: Uuid| uuid.to_string().parse().unwrap();
    headers.insert("audiohook-organization-id", id(organization));
    headers.insert("audiohook-session-id", id(session));
    headers.insert("audiohook-correlation-id", id(Uuid::new_v4()));
    headers.insert("x-api-key", "unsigned-key".parse().unwrap());
    let connecting = tokio_tungstenite::connect_async(request);
    let (mut ws, _) = tokio::time::timeout(support::WAIT, connecting)
        .await
        .unwrap()
        .unwrap();
    let media = json!([{"type": "audio", "format": "PCMU", "channels": ["external", "internal"], "rate": 8000}]);
    let open = json!({"version": "2", "id": session, "type": "open", "seq": 1, "serverseq": 0,
        "position": "PT0S", "parameters": {"organizationId": organization, "conversationId": nil,
        "participant": {"id": nil, "ani": "", "aniName": "", "dnis": ""}, "media": media}});
    ws.send(Message::text(open.to_string())).await.unwrap();
    let opened = next_text(&mut ws).await;
    assert_eq!(opened["type"], "opened", "{opened}");
    assert_eq!(opened["parameters"]["media"].as_array().unwrap().len(), 1);
    ws.send(Message::binary(Vec::new())).await.unwrap();
    let close = json!({"version": "2", "id": session, "type": "close", "seq": 2, "serverseq": 1,
        "position": "PT0S", "parameters": {"reason": "end"}});
    ws.send(Message::text(close.to_string())).await.unwrap();
    assert_eq!(next_text(&mut ws).await["type"], "closed");
    assert_eq!(close_socket(&mut ws).await, Some(1000));
    rec.server
        .line(|l| l.starts_with(&format!("opened {session} (probe)")));
    let closed = rec
        .server
        .line(|l| l.starts_with(&format!("closed {session}")));
    assert!(closed.contains("closed by the client (end)"), "{closed}");
}
