//! The Genesys integrator's flow with two processes against a separate emulator: `das
//! register|verify --signalling-only --call-id CONVERSATION` is the integrator's service, `das
//! audiohook send --conversation-id CONVERSATION` stands in for Genesys Cloud streaming the
//! call to the audio consumer.

use crate::support;

use serde_json::Value;
use support::{workspace_file, BackgroundEmulator, Running};

/// The options reaching the emulator's signalling, as an integrator's service would pass.
fn service(emulator: &BackgroundEmulator) -> Vec<String> {
    let client = emulator.get("client");
    let mut parts = client.split(" / ");
    let id = parts.next().unwrap();
    let secret = parts.next().unwrap().split(' ').next().unwrap();
    [
        "--url",
        emulator.get("Socket.IO URL"),
        "--token-url",
        emulator.get("token URL"),
        "--client-id",
        id,
        "--client-secret",
        secret,
    ]
    .map(String::from)
    .to_vec()
}

/// Runs `das <command> --signalling-only --json` for `conversation` while `das audiohook
/// send` streams `wav` with that conversation id; returns the signalling's events.
fn signalling_with_genesys(
    emulator: &BackgroundEmulator,
    command: &[&str],
    conversation: &str,
    wav: &str,
) -> Vec<Value> {
    let mut args: Vec<String> = command.iter().map(|s| s.to_string()).collect();
    args.extend(["--signalling-only", "--json", "--call-id", conversation].map(String::from));
    args.extend(service(emulator));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut integrator = Running::start(&args);
    integrator.line(|line| line.contains("info-consumer-ready"));

    let key = emulator.get("AudioHook key");
    let (api_key, secret) = key.split_once(" / ").unwrap();
    let secret = secret.split(' ').next().unwrap();
    let genesys = support::das()
        .args(["audiohook", "send", "--uri", emulator.get("AudioHook URL")])
        .args(["--api-key", api_key, "--client-secret", secret])
        .args(["--conversation-id", conversation, "--fast", "--wav"])
        .arg(workspace_file(wav))
        .output()
        .unwrap();
    assert!(genesys.status.success(), "{genesys:?}");
    let report = String::from_utf8_lossy(&genesys.stdout);
    assert!(report.contains("1 of 1 session(s) ok"), "{report}");

    let status = integrator.exit_status();
    let lines = integrator.rest();
    assert!(status.success(), "{status:?} {:#?}", integrator.seen);
    lines
        .iter()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn signalling_only_sessions_get_the_audio_genesys_streams_for_their_conversation() {
    let emulator = BackgroundEmulator::start();
    let dir = tempfile::tempdir().unwrap();
    let credential = dir.path().join("speaker-a.credential");
    let conversation = uuid::Uuid::new_v4().to_string();
    let credential_arg = credential.to_str().unwrap();
    let register = ["register", "--credential-out", credential_arg];
    let events =
        signalling_with_genesys(&emulator, &register, &conversation, "samples/speaker-a.wav");
    let result = events.last().unwrap();
    assert_eq!(result["event"], "result-success", "{events:#?}");
    assert!(events.iter().any(|e| e["event"] == "info-vad-status"));
    assert!(std::fs::read_to_string(&credential).unwrap().len() > 10);

    // A later call of the same speaker: a new conversation, verified against the credential.
    let conversation = uuid::Uuid::new_v4().to_string();
    let verify = ["verify", "--credential", credential_arg];
    let events = signalling_with_genesys(
        &emulator,
        &verify,
        &conversation,
        "samples/speaker-a-verify.wav",
    );
    let result = events.last().unwrap();
    assert_eq!(result["event"], "result-success", "{events:#?}");
}
