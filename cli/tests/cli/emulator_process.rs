//! `das emulator --json` as programs use it: one JSON line describing the endpoints and
//! credentials, fault switches changed over HTTP, and a process that ends with its parent
//! (standard input closed) or with SIGTERM.

use crate::support;

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use das_emulator::EmulatorDescription;

struct JsonEmulator {
    child: Child,
    stdin: Option<ChildStdin>,
    description: EmulatorDescription,
}

impl JsonEmulator {
    fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_das"))
            .args(["emulator", "--port", "0", "--json"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start das emulator");
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = sender.send(lines.next());
            // Anything after the description would be a second line: report it.
            let _ = sender.send(lines.next());
        });
        let line = receiver
            .recv_timeout(support::WAIT)
            .expect("the description line in time")
            .expect("a line")
            .expect("UTF-8");
        let description = serde_json::from_str(&line).expect("an EmulatorDescription");
        let stdin = child.stdin.take();
        JsonEmulator {
            child,
            stdin,
            description,
        }
    }

    fn exit_code_within(&mut self, wait: Duration) -> Option<i32> {
        let deadline = Instant::now() + wait;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("wait for das") {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("das emulator still running after {wait:?}");
    }
}

impl Drop for JsonEmulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn http() -> reqwest::Client {
    das::trd::ensure_crypto_provider();
    reqwest::Client::builder()
        .timeout(support::WAIT)
        .build()
        .expect("http client")
}

async fn token_status(description: &EmulatorDescription) -> u16 {
    http()
        .post(&description.token_url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &description.client_id),
            ("client_secret", &description.client_secret),
        ])
        .send()
        .await
        .expect("token request")
        .status()
        .as_u16()
}

#[tokio::test]
async fn the_json_line_describes_working_endpoints_and_the_faults_route_switches_them() {
    let emulator = tokio::task::spawn_blocking(JsonEmulator::start)
        .await
        .unwrap();
    let description = &emulator.description;
    assert!(description.socketio_url.starts_with("http://127.0.0.1:"));
    assert_eq!(description.client_id, das_emulator::DEMO_CLIENT_ID);
    assert_eq!(token_status(description).await, 200);

    let put = http()
        .put(&description.faults_url)
        .json(&serde_json::json!({"reject_auth": true}))
        .send()
        .await
        .expect("PUT faults");
    assert_eq!(put.status(), 204);
    assert_eq!(token_status(description).await, 401);

    let whoami = http()
        .get(format!("{}/webhook/whoami", description.trd_url))
        .bearer_auth(&description.trd_token)
        .send()
        .await
        .expect("whoami");
    assert_eq!(whoami.status(), 200);
}

/// TRD's server or a gateway in front of it failing at `job/create` (500, 502) is worth a later
/// try, as a busy one is: exit 4, not the 1 of a protocol failure. The upload is not repeated
/// (a job may exist), so the answer reaches the user.
#[tokio::test]
async fn a_failing_trd_server_or_gateway_exits_4() {
    let emulator = tokio::task::spawn_blocking(JsonEmulator::start)
        .await
        .unwrap();
    let description = &emulator.description;
    let wav = support::workspace_file("samples/speaker-a.wav");
    for status in [500, 502] {
        let put = http()
            .put(&description.faults_url)
            .json(&serde_json::json!({"trd_reject": {"status": status}}))
            .send()
            .await
            .expect("PUT faults");
        assert_eq!(put.status(), 204);
        let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_das"))
            .args(["trd", "transcribe", wav.to_str().unwrap()])
            .args([
                "--api",
                &description.trd_url,
                "--token",
                &description.trd_token,
            ])
            .output()
            .await
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(4), "{status}: {stderr}");
        assert!(
            stderr.contains(&format!("HTTP status {status}")),
            "{stderr}"
        );
    }
}

/// An audio channel the consumer refuses before any audio (a wrong AudioHook key) ends
/// `das register` at once, instead of waiting for the service's audio timeout.
#[test]
fn a_refused_audio_channel_ends_the_registration_at_once() {
    let emulator = JsonEmulator::start();
    let d = &emulator.description;
    let wav = support::workspace_file("samples/speaker-a.wav");
    let output = support::das()
        .args(["register", "--fast", "--audio", wav.to_str().unwrap()])
        .args(["--url", &d.socketio_url, "--token-url", &d.token_url])
        .args([
            "--client-id",
            &d.client_id,
            "--client-secret",
            &d.client_secret,
        ])
        .args([
            "--audio-url",
            &d.audiohook_url,
            "--audiohook-api-key",
            "wrong-key",
        ])
        .args(["--audiohook-client-secret", &d.audiohook_client_secret])
        .output()
        .expect("run das");
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The key refused: credentials, exit 3, as `das audiohook send` says it.
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("before any audio was sent"), "{stderr}");
    assert!(stderr.contains("unauthorized"), "{stderr}");
}

#[test]
fn closing_standard_input_stops_it() {
    let mut emulator = JsonEmulator::start();
    drop(emulator.stdin.take());
    assert_eq!(emulator.exit_code_within(support::WAIT), Some(0));
}

#[test]
fn sigterm_stops_it() {
    let mut emulator = JsonEmulator::start();
    let status = Command::new("kill")
        .args(["-TERM", &emulator.child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    assert_eq!(emulator.exit_code_within(support::WAIT), Some(0));
    assert!(emulator.stdin.is_some(), "stopped by the signal alone");
}

#[test]
fn without_json_the_banner_names_the_same_endpoints_and_stdin_does_not_matter() {
    let mut banner = support::Running::start(&["emulator", "--port", "0"]);
    banner.line(|line| line.starts_with("Ctrl-C"));
    let text = banner.seen.join("\n");
    for label in [
        "Socket.IO URL",
        "token URL",
        "Twilio URL",
        "faults",
        "TRD token",
    ] {
        assert!(text.contains(&format!("  {label} ")), "{label} in {text}");
    }
    // Its standard input is this test's, which stays open; SIGTERM is what stops it.
    assert!(banner.stop("TERM").success());
}
