//! `das register` and `das verify` as processes against the embedded emulator: exit codes,
//! the documented JSON event lines, the credential file, same vs different speaker.

use crate::support;

use std::path::PathBuf;
use std::process::{Command, Output};

fn das(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_das"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("DAS_URL")
        .output()
        .expect("run das")
}

fn repo_file(dir: &str, name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(dir)
        .join(name)
        .display()
        .to_string()
}

fn sample(name: &str) -> String {
    repo_file("samples", name)
}

fn fixture(name: &str) -> String {
    repo_file("tests/fixtures", name)
}

fn stdout_lines(output: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}")))
        .collect()
}

#[test]
fn register_prints_the_documented_event_sequence_and_writes_the_credential() {
    let dir = tempfile::tempdir().unwrap();
    let credential = dir.path().join("cred.txt");
    let output = das(&[
        "register",
        "--audio",
        &sample("speaker-a.wav"),
        "--fast",
        "--json",
        "--credential-out",
        credential.to_str().unwrap(),
        // Extra roots add to the public ones; plain loopback connections are unaffected.
        "--ca-cert",
        &fixture("tls/test-root.pem"),
    ]);
    assert!(output.status.success(), "{output:?}");
    let events = stdout_lines(&output);
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(names.first(), Some(&"info-consumer-ready"));
    assert_eq!(names.last(), Some(&"result-success"));
    assert!(names[1..names.len() - 1]
        .iter()
        .all(|n| *n == "info-vad-status"));
    let percentages: Vec<f64> = events[1..events.len() - 1]
        .iter()
        .map(|e| e["vad_percentage"].as_f64().unwrap())
        .collect();
    assert!(
        percentages.windows(2).all(|w| w[0] <= w[1]),
        "{percentages:?}"
    );
    assert!(*percentages.last().unwrap() >= 100.0);
    let result = events.last().unwrap();
    assert_eq!(result["content"], "Registration: approved");
    // Lines use json.dumps spacing, exactly as the documented example prints them.
    let first = String::from_utf8_lossy(&output.stdout)
        .lines()
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        first,
        r#"{"event": "info-consumer-ready", "content": "Audio consumer for provided audio protocol is ready"}"#
    );
    let written = std::fs::read_to_string(&credential).unwrap();
    assert_eq!(written.trim(), result["credential"].as_str().unwrap());
}

#[test]
fn verify_accepts_the_same_speaker_and_rejects_another() {
    let dir = tempfile::tempdir().unwrap();
    let credential = dir.path().join("cred.txt");
    let registered = das(&[
        "register",
        "--audio",
        &sample("speaker-a.wav"),
        "--fast",
        "--protocol",
        "twilio",
        "--credential-out",
        credential.to_str().unwrap(),
    ]);
    assert!(registered.status.success(), "{registered:?}");
    let credential = credential.to_str().unwrap();

    let same = das(&[
        "verify",
        "--credential",
        credential,
        "--audio",
        &sample("speaker-a-verify.wav"),
        "--fast",
        "--json",
    ]);
    assert!(same.status.success(), "{same:?}");
    let same_result = stdout_lines(&same).pop().unwrap();
    assert_eq!(same_result["content"], "Verification: accepted");

    let other = das(&[
        "verify",
        "--credential",
        credential,
        "--audio",
        &sample("speaker-b.wav"),
        "--fast",
        "--json",
    ]);
    assert_eq!(other.status.code(), Some(5), "{other:?}");
    let other_result = stdout_lines(&other).pop().unwrap();
    assert_eq!(other_result["content"], "Verification: rejected");
    assert!(same_result["score"].as_f64() > other_result["score"].as_f64());
}

#[test]
fn bad_inputs_have_their_own_exit_codes() {
    let missing = das(&["register", "--audio", "/nonexistent.wav"]);
    assert_eq!(missing.status.code(), Some(6));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent.wav"));

    let no_token_url = das(&[
        "register",
        "--audio",
        &sample("speaker-a.wav"),
        "--url",
        "http://127.0.0.1:9/socket.io",
    ]);
    assert_eq!(no_token_url.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_token_url.stderr).contains("--token-url"));

    let bad_codec = das(&[
        "register",
        "--audio",
        &sample("speaker-a.wav"),
        "--codec",
        "opus",
    ]);
    assert_eq!(bad_codec.status.code(), Some(2));

    // Seconds a Duration cannot hold are a usage error, not a panic.
    let wav = sample("speaker-a.wav");
    let serve = ["audiohook", "serve", "--api-key", "k:"];
    let send = [
        "audiohook",
        "send",
        "--uri",
        "ws://127.0.0.1:9/",
        "--api-key",
        "k",
    ];
    for typo in [
        vec!["register", "--audio", &wav, "--timeout", "1e300"],
        [&serve[..], &["--max-audio-lead", "1e30"]].concat(),
        [&serve[..], &["--quiet-timeout=-1"]].concat(),
        [&send[..], &["--rate", "1e-300"]].concat(),
    ] {
        let output = das(&typo);
        assert_eq!(output.status.code(), Some(2), "{typo:?}: {output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("invalid value"), "{typo:?}: {stderr}");
    }

    // A codec AudioHook cannot carry is refused before the session starts, not after its
    // signalling, which then waited for audio that never came; nor does a banner announce it.
    let alaw_over_audiohook = das(&[
        "register",
        "--audio",
        &sample("speaker-a.wav"),
        "--codec",
        "alaw",
        "--fast",
    ]);
    assert_eq!(alaw_over_audiohook.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&alaw_over_audiohook.stderr).contains("not A-law"));
    let said = [&alaw_over_audiohook.stdout, &alaw_over_audiohook.stderr]
        .map(|text| String::from_utf8_lossy(text).into_owned());
    assert!(
        !said.iter().any(|text| text.contains("registering")),
        "{said:?}"
    );

    let empty = tempfile::NamedTempFile::new().unwrap();
    let no_credential = das(&[
        "verify",
        "--credential",
        empty.path().to_str().unwrap(),
        "--audio",
        &sample("speaker-a.wav"),
    ]);
    assert_eq!(no_credential.status.code(), Some(6));

    let not_pem = das(&[
        "register",
        "--audio",
        &sample("speaker-a.wav"),
        "--ca-cert",
        &sample("speaker-a.wav"),
    ]);
    assert_eq!(not_pem.status.code(), Some(6));
    assert!(String::from_utf8_lossy(&not_pem.stderr).contains("--ca-cert"));
}

#[test]
fn unreachable_services_exit_with_the_network_code() {
    let output = das(&[
        "register",
        "--audio",
        &sample("speaker-a.wav"),
        "--url",
        "http://127.0.0.1:9/socket.io",
        "--token-url",
        "http://127.0.0.1:9/socket.io/oauth2/token",
        "--client-id",
        "x",
        "--client-secret",
        "not-echoed-secret",
        "--audio-url",
        "ws://127.0.0.1:9/audiohook/ws",
    ]);
    assert_eq!(output.status.code(), Some(4), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Connection refused"), "{stderr}");
    assert!(!stderr.contains("not-echoed-secret"));
}

#[test]
fn a_separate_emulator_process_serves_register_and_refuses_bad_secrets() {
    let emulator = support::BackgroundEmulator::start();
    let client = emulator.get("client");
    let client_id = client.split(" / ").next().unwrap();
    let secret = client
        .split(" / ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    let base = |secret: &str| {
        vec![
            "register".to_owned(),
            "--audio".into(),
            sample("speaker-a.wav"),
            "--fast".into(),
            "--json".into(),
            "--url".into(),
            emulator.get("Socket.IO URL").into(),
            "--token-url".into(),
            emulator.get("token URL").into(),
            "--audio-url".into(),
            emulator.get("Twilio URL").into(),
            "--protocol".into(),
            "twilio".into(),
            "--client-id".into(),
            client_id.into(),
            "--client-secret".into(),
            secret.into(),
        ]
    };
    let refused = Command::new(env!("CARGO_BIN_EXE_das"))
        .args(base("wrong"))
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(3), "{refused:?}");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("invalid_client"));
    let accepted = Command::new(env!("CARGO_BIN_EXE_das"))
        .args(base(secret))
        .output()
        .unwrap();
    assert!(accepted.status.success(), "{accepted:?}");
    assert_eq!(
        stdout_lines(&accepted).pop().unwrap()["event"],
        "result-success"
    );
}
