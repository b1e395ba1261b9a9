//! `das register --collected-audio-out`: the audio a `result-success` carries as a second,
//! binary argument, saved as a WAV, from the emulator (`--send-collected-audio`) and from the
//! Node.js socket.io server (tests/peers/node/das_peak.js); `--json` prints the payload, never
//! the raw argument array.

use crate::support::{self, Running};

use std::process::{Command, Output, Stdio};

use das::audio::codec::Codec;
use das::audio::wav::Wav;

/// `das register --json --collected-audio-out OUT`, streaming samples/speaker-a.wav (`--fast`)
/// unless `extra` makes it `--signalling-only`.
fn register(extra: &[&str], out: &std::path::Path) -> Output {
    let mut command = support::das();
    command.arg("register");
    if !extra.contains(&"--signalling-only") {
        let wav = support::workspace_file("samples/speaker-a.wav");
        command.args(["--audio", wav.to_str().unwrap(), "--fast"]);
    }
    command
        .args(["--json", "--collected-audio-out", out.to_str().unwrap()])
        .args(extra)
        .env_remove("DAS_URL")
        .output()
        .expect("run das")
}

fn result_line(output: &Output) -> serde_json::Value {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last = stdout.lines().last().expect("a result line");
    serde_json::from_str(last).unwrap_or_else(|e| panic!("{last}: {e}"))
}

#[test]
fn the_node_socket_io_server_s_buffer_is_saved_as_a_wav() {
    let mut command = Command::new("node");
    command.arg(support::workspace_file("tests/peers/node/das_peak.js"));
    let mut peer = Running::spawn(command);
    let port = peer.line(|_| true);
    let base = format!("http://127.0.0.1:{port}");
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("collected.wav");
    let credential = dir.path().join("cred.txt");
    let output = register(
        &[
            "--url",
            &format!("{base}/socket.io"),
            "--token-url",
            &format!("{base}/oauth2/token"),
            "--client-id",
            "node",
            "--client-secret",
            "node",
            // The peer decides without audio (a real service would not).
            "--signalling-only",
            "--credential-out",
            credential.to_str().unwrap(),
        ],
        &wav,
    );
    assert!(output.status.success(), "{output:?}");
    let result = result_line(&output);
    assert_eq!(result["event"], "result-success", "{result}");
    assert!(std::fs::read_to_string(&credential)
        .unwrap()
        .starts_with("node-credential-"));
    let sent: Vec<u8> = (0..8000).map(|i| (i % 256) as u8).collect();
    let saved = Wav::read(&wav).unwrap();
    assert_eq!((saved.sample_rate, saved.channels), (8000, 1));
    assert_eq!(saved.samples, Codec::Mulaw.decode(&sent));
}

#[test]
fn the_emulator_s_collected_audio_is_saved_and_its_absence_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("collected.wav");
    let mut command = support::das();
    // `--json` stops the emulator when its standard input closes: keep a pipe open.
    command
        .args([
            "emulator",
            "--port",
            "0",
            "--json",
            "--send-collected-audio",
        ])
        .stdin(Stdio::piped());
    let mut emulator = Running::spawn(command);
    let description: serde_json::Value =
        serde_json::from_str(&emulator.line(|line| line.starts_with('{'))).unwrap();
    let field = |name: &str| description[name].as_str().unwrap().to_owned();
    let output = register(
        &[
            "--url",
            &field("socketio_url"),
            "--token-url",
            &field("token_url"),
            "--client-id",
            &field("client_id"),
            "--client-secret",
            &field("client_secret"),
            "--protocol",
            "twilio",
            "--audio-url",
            &field("twilio_url"),
        ],
        &wav,
    );
    assert!(output.status.success(), "{output:?}");
    assert!(result_line(&output)["credential"].is_string());
    assert!(Wav::read(&wav).unwrap().duration().as_secs_f64() >= 5.0);

    // The embedded emulator sends none: the file cannot be written, and the command says so.
    let missing = dir.path().join("missing.wav");
    let output = register(&[], &missing);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("no collected audio"));
    assert!(!missing.exists());
}
