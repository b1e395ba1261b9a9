//! `das webhook parse` on every TRD fixture, with `--json`, and on broken files.

use crate::support;

use predicates::prelude::*;
use support::{das_cmd, workspace_file};

fn fixtures() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(workspace_file("tests/fixtures/trd"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 18, "fixtures not found: {files:?}");
    files
}

#[test]
fn every_fixture_is_summarised_with_its_id_and_status() {
    for file in fixtures() {
        let result = das::trd::parse_webhook(&std::fs::read(&file).unwrap()).unwrap();
        let output = das_cmd()
            .args(["webhook", "parse"])
            .arg(&file)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let summary = String::from_utf8(output).unwrap();
        assert!(
            summary.contains(&format!("job        {}", result.job.id)),
            "{}: {summary}",
            file.display()
        );
        assert!(summary.contains(&format!("status     {}", result.job.status)));
        for segment in result.segments().iter().filter(|s| !s.text().is_empty()) {
            assert!(summary.contains(segment.text()), "{}", file.display());
        }
    }
}

#[test]
fn the_summary_has_times_channels_speakers_and_dtmf() {
    das_cmd()
        .args(["webhook", "parse"])
        .arg(workspace_file(
            "tests/fixtures/trd/completed_stereo_two_channels.json",
        ))
        .assert()
        .success()
        .stdout(predicate::str::contains("processing 2.086 s"))
        .stdout(predicate::str::contains(
            "audio      channel 2: 12.500 s (speech 4.100 s)",
        ))
        .stdout(predicate::str::contains(
            "transcript channel 2\n  [00:02.90] speaker 1: quero saber o saldo da minha conta",
        ));
    das_cmd()
        .args(["webhook", "parse"])
        .arg(workspace_file("tests/fixtures/trd/dtmf.json"))
        .assert()
        .success()
        .stdout(predicate::str::contains("dtmf       channel 1: 12345#"));
    das_cmd()
        .args(["webhook", "parse"])
        .arg(workspace_file("tests/fixtures/trd/failed_job.json"))
        .assert()
        .success()
        .stdout(predicate::str::contains("status     FAILED"))
        .stdout(predicate::str::contains(
            "failure    SYNTHETIC placeholder: audio could not be decoded",
        ));
    das_cmd()
        .args(["webhook", "parse"])
        .arg(workspace_file(
            "tests/fixtures/trd/completed_multi_speaker_one_channel.json",
        ))
        .assert()
        .success()
        .stdout(predicate::str::contains("speaker 2:"))
        .stdout(predicate::str::contains("speaker 3:"));
}

#[test]
fn json_output_parses_back_to_the_same_document_with_its_token_redacted() {
    for file in fixtures() {
        let original = das::trd::parse_webhook(&std::fs::read(&file).unwrap()).unwrap();
        let output = das_cmd()
            .args(["webhook", "parse", "--json"])
            .arg(&file)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let back = das::trd::parse_webhook(&output).unwrap();
        // The same document, but for the webhook's token: a secret, never printed.
        let mut expected = original.clone();
        if let Some(token) = expected.token.as_mut() {
            assert!(!String::from_utf8_lossy(&output).contains(token.as_str()));
            *token = "<redacted>".into();
        }
        assert_eq!(back, expected, "{}", file.display());
    }
}

#[test]
fn malformed_files_exit_6_with_path_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let wrong_type = dir.path().join("wrong-type.json");
    std::fs::write(&wrong_type, "{\n  \"job\": {\"id\": 5}\n}").unwrap();
    das_cmd()
        .args(["webhook", "parse"])
        .arg(&wrong_type)
        .assert()
        .code(6)
        .stderr(predicate::str::contains("wrong-type.json"))
        .stderr(predicate::str::contains("`job.id` (line 2, column"));

    let truncated = dir.path().join("truncated.json");
    std::fs::write(&truncated, "{\"job\": {\"id\": \"abc\", \"status\": ").unwrap();
    das_cmd()
        .args(["webhook", "parse", "--json"])
        .arg(&truncated)
        .assert()
        .code(6)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("line 1, column"));

    das_cmd()
        .args(["webhook", "parse"])
        .arg(dir.path().join("missing.json"))
        .assert()
        .code(6)
        .stderr(predicate::str::contains("missing.json"));
}

/// A reader that has gone (`das webhook parse … | head`) ends the command quietly: exit 0,
/// nothing on stderr, no panic. The pipe's read end is closed before the command starts, so
/// its first write fails.
#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    let fixture = workspace_file("tests/fixtures/trd/completed_stereo_two_channels.json");
    for json in [true, false] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin!("das"));
        command.args(["webhook", "parse"]).arg(&fixture);
        if json {
            command.arg("--json");
        }
        let output = command.stdout(writer).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "--json {json}: {stderr}");
        assert!(stderr.is_empty(), "--json {json}: {stderr}");
    }
}
