//! `das webhook serve` as a process receiving real HTTP(S) POSTs from reqwest.

use crate::support;

use std::path::Path;

use support::{workspace_file, Running};

struct Fixture {
    job_id: String,
    token: Option<String>,
    body: Vec<u8>,
}

fn fixture(name: &str) -> Fixture {
    let body = std::fs::read(workspace_file(&format!("tests/fixtures/trd/{name}"))).unwrap();
    let result = das::trd::parse_webhook(&body).unwrap();
    Fixture {
        job_id: result.job.id,
        token: result.token,
        body,
    }
}

fn http_client() -> reqwest::Client {
    das::trd::ensure_crypto_provider();
    reqwest::Client::builder()
        .timeout(support::WAIT)
        .build()
        .unwrap()
}

/// `das webhook serve` over plain HTTP on a free loopback port, with `options` after.
fn plain_serve(options: &[&str]) -> Running {
    let mut args = vec![
        "webhook",
        "serve",
        "--http",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
    ];
    args.extend_from_slice(options);
    Running::start(&args)
}

async fn post(client: &reqwest::Client, url: &str, fixture: &Fixture) -> u16 {
    client
        .post(format!("{url}/{}", fixture.job_id))
        .header("content-type", "application/json")
        .body(fixture.body.clone())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn json_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

#[tokio::test]
async fn results_are_written_to_the_out_dir_and_ctrl_c_stops_cleanly() {
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().to_str().unwrap();
    let mut server = plain_serve(&["--out", out_dir]);
    let url = server.url();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let client = http_client();
    let result = fixture("completed_stereo_two_channels.json");

    assert_eq!(post(&client, &url, &result).await, 200);
    let line = server.line(|l| l.starts_with(&result.job_id));
    assert!(line.contains(" COMPLETED -> "), "{line}");
    assert!(!line.contains("duplicate"), "{line}");
    let written = out.path().join(format!("{}.json", result.job_id));
    assert_eq!(std::fs::read(&written).unwrap(), result.body);
    // The body carries the webhook token: readable by its owner only.
    let mode = std::os::unix::fs::PermissionsExt::mode(&written.metadata().unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);

    assert_eq!(post(&client, &url, &result).await, 200);
    let line = server.line(|l| l.starts_with(&result.job_id));
    assert!(line.contains("COMPLETED duplicate -> "), "{line}");

    let status = server.stop("INT");
    assert!(status.success(), "{status:?}");
    server.line(|l| l == "stopped");
}

/// A job stopped after it finished posts a `FAILED` document: it never replaces the
/// `COMPLETED` result under `--out` (it did, and the transcript was gone), it goes beside it.
#[tokio::test]
async fn a_later_failed_result_never_replaces_a_completed_one() {
    let out = tempfile::tempdir().unwrap();
    let mut server = plain_serve(&["--out", out.path().to_str().unwrap()]);
    let url = server.url();
    let client = http_client();
    let completed = fixture("completed_stereo_two_channels.json");
    let mut document: serde_json::Value = serde_json::from_slice(&completed.body).unwrap();
    document["job"]["status"] = "FAILED".into();
    document["job"]["failure_reason"] = "stopped by job/stop".into();
    let failed = Fixture {
        job_id: completed.job_id.clone(),
        token: completed.token.clone(),
        body: serde_json::to_vec(&document).unwrap(),
    };
    for (result, file) in [(&completed, ".json"), (&failed, "+failed.json")] {
        assert_eq!(post(&client, &url, result).await, 200);
        let line = server.line(|l| l.starts_with(&result.job_id));
        assert!(
            line.ends_with(&format!("{}{file}", result.job_id)),
            "{line}"
        );
    }
    let kept = out.path().join(format!("{}.json", completed.job_id));
    assert_eq!(std::fs::read(&kept).unwrap(), completed.body);
    let beside = out.path().join(format!("{}+failed.json", completed.job_id));
    assert_eq!(std::fs::read(beside).unwrap(), failed.body);
    // A newer COMPLETED result (after job/retry) does replace the older one.
    document["job"]["status"] = "COMPLETED".into();
    document["job"]["failure_reason"] = "".into();
    let retried = Fixture {
        body: serde_json::to_vec(&document).unwrap(),
        ..failed
    };
    assert_eq!(post(&client, &url, &retried).await, 200);
    server.line(|l| l.starts_with(&completed.job_id) && l.contains("duplicate"));
    assert_eq!(std::fs::read(&kept).unwrap(), retried.body);
    assert!(server.stop("TERM").success());
}

#[tokio::test]
async fn exec_gets_the_body_on_stdin_and_the_job_in_the_environment() {
    let out = tempfile::tempdir().unwrap();
    let command = format!(
        "cat > '{}'/\"$DAS_JOB_NAME$DAS_JOB_ID.$DAS_JOB_STATUS\"",
        out.path().display()
    );
    let mut server = plain_serve(&["--exec", &command]);
    let url = server.url();
    let client = http_client();
    for name in ["failed_job.json", "dtmf.json"] {
        let result = fixture(name);
        assert_eq!(post(&client, &url, &result).await, 200);
        let line = server.line(|l| l.starts_with(&result.job_id));
        assert!(line.ends_with("-> command succeeded"), "{line}");
    }
    let failed = fixture("failed_job.json");
    let written = out.path().join(format!("{}.FAILED", failed.job_id));
    assert_eq!(std::fs::read(written).unwrap(), failed.body);
    // A named callback's name is in DAS_JOB_NAME (empty for the root route).
    assert_eq!(post(&client, &format!("{url}/crm"), &failed).await, 200);
    server.line(|l| l.starts_with(&format!("crm/{}", failed.job_id)));
    let named = out.path().join(format!("crm{}.FAILED", failed.job_id));
    assert_eq!(std::fs::read(named).unwrap(), failed.body);
    assert!(server.stop("TERM").success());
}

/// One job delivered to two named callbacks (`POST /{name}/{job_id}`) is two results: both
/// kept under `--out`, each line naming its callback.
#[tokio::test]
async fn named_callbacks_keep_their_results_apart() {
    let out = tempfile::tempdir().unwrap();
    let mut server = plain_serve(&["--out", out.path().to_str().unwrap()]);
    let url = server.url();
    let client = http_client();
    let result = fixture("completed_stereo_two_channels.json");
    for name in ["campaign-a", "campaign-b"] {
        assert_eq!(post(&client, &format!("{url}/{name}"), &result).await, 200);
        let line = server.line(|l| l.contains(&result.job_id));
        assert!(
            line.starts_with(&format!("{name}/{} ", result.job_id)),
            "{line}"
        );
        assert!(!line.contains("duplicate"), "{line}");
        let written = out
            .path()
            .join(name)
            .join(format!("{}.json", result.job_id));
        assert_eq!(std::fs::read(&written).unwrap(), result.body);
    }
    assert!(server.stop("TERM").success());
}

/// At `--exec-timeout` the command is killed with everything it started: a grandchild left
/// running could still act (deliver, write) after the failure is reported.
#[tokio::test]
async fn a_command_past_its_timeout_is_killed_with_what_it_started() {
    let out = tempfile::tempdir().unwrap();
    let mark = out.path().join("late");
    // `; true` keeps `sh` from exec-ing the inner shell: it stays a grandchild.
    let command = format!(
        "cat >/dev/null; sh -c 'sleep 2; touch \"{}\"'; true",
        mark.display()
    );
    let mut server = plain_serve(&["--exec", &command, "--exec-timeout", "1"]);
    let url = server.url();
    let result = fixture("completed_mono_single_speaker.json");
    assert_eq!(post(&http_client(), &url, &result).await, 200);
    let line = server.line(|l| l.starts_with(&result.job_id));
    assert!(line.contains("killed"), "{line}");
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert!(!mark.exists(), "the grandchild ran on after the timeout");
    assert!(server.stop("INT").success());
}

/// Ctrl-C does not reach the command (a process group of its own): stopping das kills it,
/// with what it started, at once, and the result stays in the spool for the next start.
#[tokio::test]
async fn stopping_while_a_command_runs_kills_it_and_keeps_the_result() {
    let spool = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let mark = out.path().join("late");
    let command = format!(
        "cat >/dev/null; sh -c 'sleep 2; touch \"{}\"'; true",
        mark.display()
    );
    let spool_dir = spool.path().to_str().unwrap();
    let mut server = plain_serve(&["--spool", spool_dir, "--exec", &command]);
    let url = server.url();
    let result = fixture("completed_mono_single_speaker.json");
    assert_eq!(post(&http_client(), &url, &result).await, 200);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(server.stop("INT").success());
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert!(!mark.exists(), "the command ran on after das stopped");
    assert_eq!(
        json_files(spool.path()).len(),
        1,
        "the result left the spool"
    );
}

#[tokio::test]
async fn a_failed_command_leaves_the_result_in_the_spool_until_the_next_start() {
    let spool = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let spool_dir = spool.path().to_str().unwrap();
    let result = fixture("completed_mono_single_speaker.json");
    {
        let mut server = plain_serve(&["--spool", spool_dir, "--exec", "exit 3"]);
        let url = server.url();
        assert_eq!(post(&http_client(), &url, &result).await, 200);
        let line = server.line(|l| l.starts_with(&result.job_id));
        assert!(
            line.contains("FAILED: command exit status: 3; kept in"),
            "{line}"
        );
        assert!(server.stop("INT").success());
    }
    assert_eq!(json_files(spool.path()).len(), 1);

    let mut server = plain_serve(&["--spool", spool_dir, "--out", out.path().to_str().unwrap()]);
    let line = server.line(|l| l.starts_with(&result.job_id));
    assert!(line.contains("COMPLETED recovered -> "), "{line}");
    assert_eq!(
        std::fs::read(out.path().join(format!("{}.json", result.job_id))).unwrap(),
        result.body
    );
    assert!(
        json_files(spool.path()).is_empty(),
        "acknowledged file stays in the spool"
    );
    assert!(server.stop("INT").success());
}

#[tokio::test]
async fn self_signed_tls_writes_its_certificate_and_checks_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let pem_path = dir.path().join("hook.pem");
    let result = fixture("completed_mono_single_speaker.json");
    let token = result.token.clone().expect("fixture carries a token");
    let mut server = Running::start(&[
        "webhook",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--token",
        &token,
        "--cert-out",
        pem_path.to_str().unwrap(),
    ]);
    let url = server.url();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    server.line(|l| l.starts_with("certificate written to"));
    assert!(
        !server.seen.iter().any(|l| l.contains(&token)),
        "token echoed"
    );

    das::trd::ensure_crypto_provider();
    let pem = std::fs::read(&pem_path).unwrap();
    let client = reqwest::Client::builder()
        .timeout(support::WAIT)
        .tls_certs_only([reqwest::Certificate::from_pem(&pem).unwrap()])
        .build()
        .unwrap();
    let wrong = fixture("robust_token_wrong.json");
    assert_eq!(post(&client, &url, &wrong).await, 401);
    assert_eq!(post(&client, &url, &result).await, 200);
    let line = server.line(|l| l.starts_with(&result.job_id));
    assert!(line.ends_with("-> received"), "{line}");
    assert!(server.stop("INT").success());
}

#[tokio::test]
async fn command_output_stays_off_stdout() {
    let mut server = plain_serve(&["--exec", "echo from-the-command; cat > /dev/null"]);
    let url = server.url();
    let result = fixture("dtmf.json");
    assert_eq!(post(&http_client(), &url, &result).await, 200);
    server.line(|l| l.starts_with(&result.job_id));
    assert!(server.stop("INT").success());
    server.line(|l| l == "stopped");
    assert!(!server.seen.iter().any(|l| l.contains("from-the-command")));
}
