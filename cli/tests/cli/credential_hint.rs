//! After a registration the readable view says where the credential is (a new private file
//! under `$XDG_DATA_HOME/das/credentials`, or `--credential-out`) and shows the `das verify`
//! command that uses it; the shown command runs as printed. `--json` output is unchanged.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{workspace_file, BackgroundEmulator};

/// `das` with `data_home` as XDG_DATA_HOME and no service or colour settings inherited.
fn das(data_home: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_das"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("XDG_DATA_HOME", data_home)
        .env_remove("DAS_URL")
        .env_remove("DAS_CLIENT_SECRET")
        .env_remove("DAS_CONFIG");
    command
}

/// The stdout of `das register` of speaker A as fast as possible with `extra` options, which
/// must succeed.
fn register(data_home: &Path, extra: &[&str]) -> String {
    let output = das(data_home)
        .args(["register", "--audio", &sample("speaker-a.wav"), "--fast"])
        .args(extra)
        .output()
        .expect("run das");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

fn sample(name: &str) -> String {
    workspace_file(&format!("samples/{name}"))
        .display()
        .to_string()
}

/// The text after `label` on the line that has it.
fn after(stdout: &str, label: &str) -> String {
    let line = stdout
        .lines()
        .find(|line| line.contains(label))
        .unwrap_or_else(|| panic!("no `{label}` line in:\n{stdout}"));
    line.split_once(label).unwrap().1.to_owned()
}

/// Runs a shown `das verify …` command through the shell, as a user pasting it would.
fn run_shown(command_line: &str, data_home: &Path, env: &[(&str, &str)]) -> Output {
    let binary = env!("CARGO_BIN_EXE_das");
    let line = command_line
        .strip_prefix("das ")
        .unwrap_or_else(|| panic!("not a das command: {command_line}"));
    let mut shell = Command::new("sh");
    shell
        .arg("-c")
        .arg(format!("'{binary}' {line}"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("XDG_DATA_HOME", data_home)
        .env_remove("DAS_URL")
        .env_remove("DAS_CLIENT_SECRET");
    shell.envs(env.iter().copied());
    shell.output().expect("run sh")
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_registration_saves_its_credential_privately_and_shows_a_verify_command_that_works() {
    let data_home = tempfile::tempdir().unwrap();
    let call_id = "6f1d2c3b-4a5e-4f60-8b7a-9c0d1e2f3a4b";
    let stdout = register(data_home.path(), &["--call-id", call_id]);
    let directory = data_home.path().join("das/credentials");
    let saved = PathBuf::from(after(&stdout, "credential saved to "));
    assert_eq!(saved, directory.join(format!("{call_id}.credential")));
    let credential = std::fs::read_to_string(&saved).unwrap();
    assert!(!credential.trim().is_empty());
    assert_eq!(mode(&saved), 0o600);
    assert_eq!(mode(&directory), 0o700);

    let shown = after(&stdout, "verify with: ");
    assert!(shown.starts_with(&format!("das verify --credential {}", saved.display())));
    let verified = run_shown(&shown, data_home.path(), &[]);
    assert!(verified.status.success(), "{shown}\n{verified:?}");
    assert!(String::from_utf8_lossy(&verified.stdout).contains("Verification: accepted"));

    // The same call id again: a second file, the first one untouched.
    let again = register(data_home.path(), &["--call-id", call_id]);
    let again = PathBuf::from(after(&again, "credential saved to "));
    assert_eq!(again, directory.join(format!("{call_id}-2.credential")));
    assert_eq!(std::fs::read_to_string(&saved).unwrap(), credential);
}

#[test]
fn credential_out_names_the_file_and_the_default_place_stays_empty() {
    let data_home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("my cred.txt");
    let stdout = register(
        data_home.path(),
        &["--credential-out", file.to_str().unwrap()],
    );
    assert_eq!(
        after(&stdout, "credential saved to "),
        file.display().to_string()
    );
    // The path has a space: the shown command quotes it.
    assert!(after(&stdout, "verify with: ")
        .starts_with(&format!("das verify --credential '{}'", file.display())));
    assert!(!std::fs::read_to_string(&file).unwrap().trim().is_empty());
    assert!(!data_home.path().join("das").exists());
}

#[test]
fn json_output_carries_only_events_and_saves_nothing_by_default() {
    let data_home = tempfile::tempdir().unwrap();
    let stdout = register(data_home.path(), &["--json"]);
    for line in stdout.lines() {
        let event: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert!(event["event"].is_string(), "{line}");
    }
    assert!(stdout.trim_end().ends_with('}'));
    assert!(!data_home.path().join("das").exists());
}

#[test]
fn secrets_typed_for_register_are_not_repeated_but_the_other_service_options_are() {
    let emulator = BackgroundEmulator::start();
    let client = emulator.get("client");
    let (client_id, rest) = client.split_once(" / ").unwrap();
    let secret = rest.split(' ').next().unwrap();
    let data_home = tempfile::tempdir().unwrap();
    let stdout = register(
        data_home.path(),
        &[
            "--protocol",
            "twilio",
            "--url",
            emulator.get("Socket.IO URL"),
            "--token-url",
            emulator.get("token URL"),
            "--audio-url",
            emulator.get("Twilio URL"),
            "--client-id",
            client_id,
            "--client-secret",
            secret,
        ],
    );
    assert!(!stdout.contains(secret), "{stdout}");
    let shown = after(&stdout, "verify with: ");
    assert!(
        shown.contains("--client-secret \"$DAS_CLIENT_SECRET\""),
        "{shown}"
    );
    assert!(shown.contains(&format!("--url {}", emulator.get("Socket.IO URL"))));
    assert!(stdout.contains("with DAS_CLIENT_SECRET set"), "{stdout}");

    let verified = run_shown(&shown, data_home.path(), &[("DAS_CLIENT_SECRET", secret)]);
    assert!(verified.status.success(), "{shown}\n{verified:?}");
    assert!(String::from_utf8_lossy(&verified.stdout).contains("Verification: accepted"));
}

#[test]
fn a_credential_that_cannot_be_saved_is_shown_and_the_exit_code_says_so() {
    let data_home = tempfile::tempdir().unwrap();
    // A file where the directory should be: nothing can be created under it.
    std::fs::write(data_home.path().join("das"), "").unwrap();
    let output = das(data_home.path())
        .args(["register", "--audio", &sample("speaker-a.wav"), "--fast"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!after(&stdout, "credential: ").trim().is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot save the credential"));
}
