//! `das trd transcribe` and `das trd job …` as processes against `das emulator` (a process
//! too): results by polling and by a webhook, --out files, JSON lines, every job call, and the
//! exit codes of bad input.

use std::process::Output;

use crate::support::{das_cmd, workspace_file, BackgroundEmulator};
use serde_json::Value;

const TOKEN: &str = "demo-trd-token";

fn das_trd(emulator: &BackgroundEmulator, args: &[&str]) -> Output {
    let api = emulator.get("TRD API");
    das_cmd()
        .args(args)
        .args(["--api", api, "--token", TOKEN])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json_lines(output: &Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}")))
        .collect()
}

#[test]
fn transcribe_several_files_by_polling_writes_each_result() {
    let emulator = BackgroundEmulator::start();
    let out = tempfile::tempdir().unwrap();
    let a = workspace_file("samples/speaker-a.wav");
    let b = workspace_file("samples/speaker-b.wav");
    let output = das_trd(
        &emulator,
        &[
            "trd",
            "transcribe",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--job-config",
            "diarization.descriptor.enabled=True",
            "--tag",
            "cli",
            "--json",
            "--out",
            out.path().to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "{output:?}");
    let results = json_lines(&output);
    assert_eq!(results.len(), 2);
    for (result, name) in results.iter().zip(["speaker-a.wav", "speaker-b.wav"]) {
        assert_eq!(result["job"]["status"], "COMPLETED");
        assert_eq!(result["job"]["filename"], name);
        assert_eq!(result["job"]["tag"], "cli");
        let written = std::fs::read_to_string(out.path().join(format!("{name}.json"))).unwrap();
        let written: Value = serde_json::from_str(&written).unwrap();
        assert_eq!(written["job"]["id"], result["job"]["id"]);
    }

    // The job calls on those jobs.
    let id = results[0]["job"]["id"].as_str().unwrap();
    let status = das_trd(&emulator, &["trd", "job", "status", id]);
    assert_eq!(json_lines(&status)[0]["status"], "COMPLETED");
    let summary = das_trd(&emulator, &["trd", "job", "result", id]);
    assert!(
        stdout(&summary).contains("status     COMPLETED"),
        "{summary:?}"
    );
    let list = das_trd(
        &emulator,
        &["trd", "job", "list", "--tag", "cli", "--limit", "1"],
    );
    assert_eq!(json_lines(&list).len(), 1);
    assert!(String::from_utf8_lossy(&list.stderr).contains("total 2"));
    let query = das_trd(
        &emulator,
        &[
            "trd",
            "job",
            "query",
            "--tag",
            "cli",
            "--projection",
            "filename",
        ],
    );
    let records = json_lines(&query);
    assert_eq!(records.len(), 2);
    assert!(records[0]["job"].get("media").is_none());
    let retried = das_trd(&emulator, &["trd", "job", "retry", id]);
    assert_eq!(json_lines(&retried)[0]["status"], "QUEUED");
    let deleted = das_trd(&emulator, &["trd", "job", "delete", id]);
    assert_eq!(stdout(&deleted).trim(), format!("deleted {id}"));
    let gone = das_trd(&emulator, &["trd", "job", "status", id]);
    assert_eq!(gone.status.code(), Some(5), "{gone:?}");
    assert!(String::from_utf8_lossy(&gone.stderr).contains("not found"));
}

#[test]
fn transcribe_waits_on_a_webhook() {
    let emulator = BackgroundEmulator::start();
    let a = workspace_file("samples/speaker-a.wav");
    let output = das_trd(
        &emulator,
        &[
            "trd",
            "transcribe",
            a.to_str().unwrap(),
            "--webhook",
            "https://127.0.0.1:0",
        ],
    );
    assert!(output.status.success(), "{output:?}");
    let line = stdout(&output);
    assert!(
        line.contains("speaker-a.wav: ") && line.contains(" COMPLETED"),
        "{line}"
    );
    assert!(stderr(&output).contains("receiving results at https://127.0.0.1:"));
}

#[test]
fn bad_input_ends_with_its_exit_code() {
    let emulator = BackgroundEmulator::start();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.wav");
    let output = das_trd(&emulator, &["trd", "transcribe", missing.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(6), "{output:?}");

    let empty = dir.path().join("empty.wav");
    std::fs::write(&empty, b"").unwrap();
    let output = das_trd(&emulator, &["trd", "transcribe", empty.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(6), "{output:?}");
    assert_eq!(
        stderr(&output).matches("is empty").count(),
        1,
        "said once: {output:?}"
    );

    // Of several, each failure is said once and the command's error counts them.
    let good = workspace_file("samples/speaker-a.wav");
    let output = das_trd(
        &emulator,
        &[
            "trd",
            "transcribe",
            empty.to_str().unwrap(),
            good.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(6), "{output:?}");
    assert_eq!(stderr(&output).matches("is empty").count(), 1, "{output:?}");
    assert!(
        stderr(&output).contains("1 of 2 recordings failed"),
        "{output:?}"
    );

    // Two recordings of one name would write one result file under --out, the second
    // replacing the first: refused before any upload (it lost a result, exit 0).
    for sub in ["a", "b"] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
        std::fs::copy(
            workspace_file("samples/speaker-a.wav"),
            dir.path().join(sub).join("call.wav"),
        )
        .unwrap();
    }
    let (a, b) = (dir.path().join("a/call.wav"), dir.path().join("b/call.wav"));
    let out = dir.path().join("out");
    let output = das_trd(
        &emulator,
        &[
            "trd",
            "transcribe",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(stderr(&output).contains("would both write call.wav.json"));
    assert!(!out.exists(), "nothing uploaded or written");

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not audio").unwrap();
    let output = das_trd(&emulator, &["trd", "transcribe", text.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(5), "{output:?}");
    assert!(stderr(&output).contains("not a RIFF/WAVE file"));

    let unknown = "0123456789abcdef01234567";
    let output = das_trd(&emulator, &["trd", "job", "status", unknown]);
    assert_eq!(output.status.code(), Some(5), "{output:?}");
    assert!(
        stderr(&output).contains(&format!("job {unknown} not found")),
        "{output:?}"
    );

    // The server's 422 detail reaches the user.
    let output = das_trd(
        &emulator,
        &["trd", "job", "query", "--start-date", "yesterday"],
    );
    assert_eq!(output.status.code(), Some(5), "{output:?}");
    assert!(
        stderr(&output).contains("start_date must be an ISO 8601 date-time"),
        "{output:?}"
    );

    let a = workspace_file("samples/speaker-a.wav");
    let output = das_cmd()
        .args(["trd", "transcribe", a.to_str().unwrap()])
        .args(["--api", emulator.get("TRD API"), "--token", "wrong"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{output:?}");
}
