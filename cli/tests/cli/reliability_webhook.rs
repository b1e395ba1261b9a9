//! Reliability: `das webhook serve --spool` is SIGKILLed while the emulator's TRD delivers
//! many results, then restarted on the same port and spool. No job may be lost: the consumer
//! (a command writing `<job_id>.json`) ends with every job's body exactly once, and every delivery after a job's first
//! is flagged (`duplicate`: TRD redelivered it; `recovered`: it came back from the spool).

use crate::support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use das_emulator::{Emulator, EmulatorConfig, TrdConfig, DEMO_TRD_TOKEN};
use serde_json::Value;
use support::Running;

const JOBS: usize = 40;
/// Deliveries seen before the receiver is killed.
const KILL_AFTER: usize = 4;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The consumer takes a moment per result (so the kill lands while results wait in the
/// spool) and writes each body atomically to `out/<job_id>.json`.
fn serve(port: u16, spool: &str, out: &str) -> Running {
    let consumer = format!(
        "sleep 0.1; cat > '{out}'/\".$DAS_JOB_ID\" && mv '{out}'/\".$DAS_JOB_ID\" '{out}'/\"$DAS_JOB_ID.json\""
    );
    Running::start(&[
        "webhook",
        "serve",
        "--http",
        "--host",
        "127.0.0.1",
        "--port",
        &port.to_string(),
        "--spool",
        spool,
        "--exec",
        &consumer,
    ])
}

/// `JOB_ID STATUS [duplicate] [recovered] -> outcome` lines of deliveries.
fn is_delivery(line: &str) -> bool {
    line.contains(" -> ")
}

fn job_of(line: &str) -> &str {
    line.split(' ').next().unwrap_or_default()
}

async fn create_job(http: &reqwest::Client, trd: &str, hook: &str, wav: &[u8]) -> String {
    let form = reqwest::multipart::Form::new()
        .part(
            "upload_file",
            reqwest::multipart::Part::bytes(wav.to_vec()).file_name("speaker-b.wav"),
        )
        .text("callback_urls", hook.to_owned())
        .text("transcript", "olá|tudo bem");
    let reply: Value = http
        .post(format!("{trd}/job/create"))
        .bearer_auth(DEMO_TRD_TOKEN)
        .multipart(form)
        .send()
        .await
        .expect("job/create")
        .json()
        .await
        .expect("job json");
    reply["job"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no job id in {reply}"))
        .to_owned()
}

fn spooled(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                .count()
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_killed_mid_delivery_loses_nothing_and_flags_redeliveries() {
    let spool = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let (spool_dir, out_dir) = (spool.path().to_str().unwrap(), out.path().to_str().unwrap());
    let port = free_port();
    let mut first = serve(port, spool_dir, out_dir);
    let hook = first.url();

    // Retries span several seconds (50 ms doubling, 10 attempts): time for the restart.
    let emulator = Emulator::start(EmulatorConfig {
        trd: TrdConfig {
            callback_attempts: 10,
            callback_backoff_ms: 50,
            ..TrdConfig::default()
        },
        ..EmulatorConfig::default()
    })
    .await
    .expect("emulator starts");
    das::trd::ensure_crypto_provider();
    let http = reqwest::Client::builder()
        .timeout(support::WAIT)
        .build()
        .unwrap();
    let wav = std::fs::read(support::workspace_file("samples/speaker-b.wav")).unwrap();
    let creating = {
        let (http, trd) = (http.clone(), emulator.trd_url());
        let wav = std::sync::Arc::new(wav);
        let mut created = tokio::task::JoinSet::new();
        for _ in 0..JOBS {
            let (http, trd, hook, wav) = (http.clone(), trd.clone(), hook.clone(), wav.clone());
            created.spawn(async move { create_job(&http, &trd, &hook, &wav).await });
        }
        tokio::spawn(async move {
            let mut jobs = BTreeSet::new();
            while let Some(job) = created.join_next().await {
                jobs.insert(job.expect("job creation task"));
            }
            jobs
        })
    };

    let mut lines = Vec::new();
    tokio::task::block_in_place(|| {
        while lines.len() < KILL_AFTER {
            lines.push(first.line(is_delivery));
        }
        // Kill while results wait in the spool: accepted (200) but not yet acknowledged.
        let deadline = std::time::Instant::now() + support::WAIT;
        while spooled(spool.path()) < 3 {
            assert!(
                std::time::Instant::now() < deadline,
                "results never queued up"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        let status = first.stop("KILL");
        assert!(!status.success(), "killed, not exited: {status:?}");
        lines.extend(first.rest().into_iter().filter(|l| is_delivery(l)));
    });
    let killed_after = lines.len();

    let mut second = serve(port, spool_dir, out_dir);
    let jobs = tokio::time::timeout(support::WAIT, creating)
        .await
        .expect("jobs created in time")
        .expect("creating task");
    assert_eq!(jobs.len(), JOBS);
    tokio::task::block_in_place(|| {
        second.url();
        let done = |lines: &[String]| {
            let seen: BTreeSet<&str> = lines.iter().map(|l| job_of(l)).collect();
            jobs.iter().all(|job| seen.contains(job.as_str()))
        };
        while !done(&lines) {
            lines.push(second.line(is_delivery));
        }
    });
    // Redeliveries still in flight when the last job arrived get flagged too.
    tokio::time::sleep(Duration::from_millis(300)).await;
    tokio::task::block_in_place(|| {
        assert!(second.stop("INT").success());
        lines.extend(second.rest().into_iter().filter(|l| is_delivery(l)));
    });

    let mut per_job: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for line in &lines {
        assert!(line.ends_with("-> command succeeded"), "{line}");
        per_job.entry(job_of(line)).or_default().push(line);
    }
    assert_eq!(per_job.len(), JOBS, "{lines:#?}");
    let (mut duplicates, mut recovered) = (0, 0);
    for (job, deliveries) in &per_job {
        assert!(jobs.contains(*job), "unknown job {job}");
        for later in &deliveries[1..] {
            assert!(
                later.contains(" duplicate") || later.contains(" recovered"),
                "unflagged redelivery of {job}: {deliveries:#?}"
            );
        }
        duplicates += deliveries
            .iter()
            .filter(|l| l.contains(" duplicate"))
            .count();
        recovered += deliveries
            .iter()
            .filter(|l| l.contains(" recovered"))
            .count();
        let body = std::fs::read(out.path().join(format!("{job}.json"))).expect("written once");
        let result = das::trd::parse_webhook(&body).expect("a whole result");
        assert_eq!(result.job.id, *job);
    }
    assert!(
        recovered > 0,
        "the kill left results in the spool: {lines:#?}"
    );
    let written = std::fs::read_dir(out.path()).unwrap().count();
    assert_eq!(written, JOBS, "one file per job, no temporary left");
    assert_eq!(spooled(spool.path()), 0, "every delivery acknowledged");
    println!(
        "webhook kill: {JOBS} jobs, killed after {killed_after} deliveries; {} delivery lines, {recovered} recovered from the spool, {duplicates} duplicates flagged",
        lines.len()
    );
    emulator.shutdown().await;
}
