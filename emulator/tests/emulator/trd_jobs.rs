//! The TRD job API of `das::trd::TrdClient` end to end against the emulator: create (streamed
//! upload), status transitions, result, list pages, stop, retry, delete, query, `transcribe`
//! by polling and by one shared webhook receiver, the three kinds of credentials, retries on
//! 429/503, and typed errors for bad input.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common;
use das::trd::{
    CreateJob, Credentials, JobQuery, JobStatus, JobWebhooks, ListJobs, Progress, RetryPolicy,
    Transcribe, TrdClient, TrdError, TrdErrorKind, ValidateOptions, WebhookReceiver,
};
use das_emulator::{EmulatorConfig, EmulatorHandle, Faults, TrdConfig, TrdReject, DEMO_TRD_TOKEN};

const TEXT: &str = "a minha filha nasceu hoje";

fn client(emulator: &EmulatorHandle) -> TrdClient {
    common::http(); // installs the crypto provider
    TrdClient::builder(emulator.trd_url())
        .bearer(DEMO_TRD_TOKEN)
        .retry(RetryPolicy {
            first_delay: Duration::from_millis(50),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap()
}

fn speaker_a() -> CreateJob {
    CreateJob::new(common::sample("speaker-a.wav")).form_field("transcript", TEXT)
}

fn timed(queued_ms: u64, processing_ms: u64) -> EmulatorConfig {
    EmulatorConfig {
        trd: TrdConfig {
            job_queued_ms: queued_ms,
            job_processing_ms: processing_ms,
            callback_backoff_ms: 50,
            ..TrdConfig::default()
        },
        ..EmulatorConfig::default()
    }
}

fn temp_file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn transcribe_by_polling_sees_every_status_and_returns_the_typed_result() {
    let emulator = common::start(timed(300, 300)).await;
    let trd = client(&emulator);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let uploaded = Arc::new(Mutex::new((0u64, 0u64)));
    let (seen_in, uploaded_in) = (seen.clone(), uploaded.clone());
    let options = Transcribe::poll()
        .timeout(Duration::from_secs(20))
        .on_progress(move |step| match step {
            Progress::Uploading { sent, total } => *uploaded_in.lock().unwrap() = (*sent, *total),
            Progress::Created(job) | Progress::Status(job) => {
                seen_in.lock().unwrap().push(job.status.clone())
            }
            Progress::Finished(_) => {}
        });
    let result = trd
        .transcribe(&speaker_a().tag("poll").config("a=1"), &options)
        .await
        .unwrap();
    assert_eq!(result.job.status, JobStatus::Completed);
    assert_eq!(result.transcript(), TEXT);
    assert_eq!(result.job.tag.as_deref(), Some("poll"));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.first(), Some(&JobStatus::Queued), "{seen:?}");
    assert!(seen.contains(&JobStatus::InProgress), "{seen:?}");
    assert_eq!(seen.last(), Some(&JobStatus::Completed), "{seen:?}");
    let size = std::fs::metadata(common::sample("speaker-a.wav"))
        .unwrap()
        .len();
    assert_eq!(*uploaded.lock().unwrap(), (size, size));
    assert_eq!(result.job.media.unwrap().size, Some(size));
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_jobs_share_one_validated_webhook_receiver() {
    let emulator = common::start(timed(0, 200)).await;
    let trd = Arc::new(client(&emulator));
    let receiver = trd
        .start_webhook(
            WebhookReceiver::builder().public_host("127.0.0.1"),
            ValidateOptions::default(),
        )
        .await
        .unwrap();
    let hooks = JobWebhooks::new(receiver);
    assert!(hooks.url().starts_with("https://127.0.0.1:"));
    let jobs = (0..6).map(|n| {
        let (trd, hooks) = (trd.clone(), hooks.clone());
        tokio::spawn(async move {
            let job = speaker_a().tag(format!("job-{n}"));
            let options = Transcribe::webhook(hooks).timeout(Duration::from_secs(30));
            trd.transcribe(&job, &options).await
        })
    });
    let mut ids = Vec::new();
    for job in jobs.collect::<Vec<_>>() {
        let result = job.await.unwrap().unwrap();
        assert_eq!(result.job.status, JobStatus::Completed);
        assert_eq!(result.transcript(), TEXT);
        // The receiver's token came with the delivery, as registered through validate.
        assert_eq!(result.token.as_deref(), hooks.receiver().token());
        ids.push(result.job.id.clone());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 6);
    hooks.shutdown().await;
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_job_calls_list_stop_retry_query_and_delete() {
    let emulator = common::start(timed(0, 0)).await;
    let trd = client(&emulator);
    let mut ids = Vec::new();
    for n in 0..3 {
        let job = trd
            .create_job(&speaker_a().tag("batch").config(format!("priority={n}")))
            .await
            .unwrap();
        assert_eq!(job.status, JobStatus::Queued);
        assert!(job.media.as_ref().unwrap().md5.is_some());
        ids.push(job.id);
    }
    for id in &ids {
        wait_for(&trd, id, JobStatus::Completed).await;
    }
    let page = trd
        .list(&ListJobs {
            page: Some(2),
            limit: Some(2),
            tag: Some("batch".into()),
        })
        .await
        .unwrap();
    assert_eq!(page.total, Some(3));
    assert_eq!(page.jobs.len(), 1);
    assert_eq!(page.jobs[0].id, ids[2]);

    let result = trd.result(&ids[0]).await.unwrap();
    assert_eq!(result.transcript(), TEXT);
    assert_eq!(result.job.config.unwrap()["priority"], "0");

    let retried = trd.retry(&ids[0]).await.unwrap();
    assert_eq!(retried.status, JobStatus::Queued);
    wait_for(&trd, &ids[0], JobStatus::Completed).await;

    let mut records = trd
        .query(&JobQuery {
            tags: vec!["batch".into()],
            statuses: vec!["COMPLETED".into()],
            projection: vec!["filename".into()],
            with_result: true,
            ..JobQuery::default()
        })
        .await
        .unwrap();
    let mut queried = Vec::new();
    while let Some(record) = records.next().await {
        let record = record.unwrap();
        assert_eq!(record.job.filename.as_deref(), Some("speaker-a.wav"));
        assert!(
            record.job.media.is_none(),
            "projection keeps only what was asked"
        );
        assert_eq!(record.transcript(), TEXT);
        queried.push(record.job.id);
    }
    assert_eq!(queried, ids);

    trd.delete(&ids[1]).await.unwrap();
    let gone = trd.status(&ids[1]).await.unwrap_err();
    assert_eq!(gone.kind(), TrdErrorKind::NotFound, "{gone}");
    assert!(gone.to_string().contains("not found"), "{gone}");
    emulator.shutdown().await;
}

async fn wait_for(trd: &TrdClient, id: &str, status: JobStatus) {
    for _ in 0..200 {
        if trd.status(id).await.unwrap().status == status {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("job {id} never reached {status}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_timed_out_wait_stops_the_job_when_asked() {
    let emulator = common::start(timed(60_000, 0)).await;
    let trd = client(&emulator);
    let options = Transcribe::poll()
        .timeout(Duration::from_millis(700))
        .stop_on_timeout(true);
    let error = trd.transcribe(&speaker_a(), &options).await.unwrap_err();
    let TrdError::WaitTimeout {
        job_id,
        stopped,
        last_status,
        ..
    } = &error
    else {
        panic!("expected a wait timeout, got {error}");
    };
    assert!(*stopped);
    assert_eq!(last_status, &Some(JobStatus::Queued), "{error}");
    assert!(
        error.to_string().contains("(last status QUEUED) (stopped)"),
        "{error}"
    );
    assert_eq!(error.kind(), TrdErrorKind::Timeout);
    let job = trd.status(job_id).await.unwrap();
    assert_eq!(job.status, JobStatus::Failed);
    assert_eq!(job.failure_reason.as_deref(), Some("stopped by job/stop"));
    // A stopped job can run again; a queued one cannot be retried.
    assert_eq!(trd.retry(job_id).await.unwrap().status, JobStatus::Queued);
    let refused = trd.retry(job_id).await.unwrap_err();
    assert_eq!(refused.kind(), TrdErrorKind::Rejected);
    assert!(
        refused.to_string().contains("only COMPLETED or FAILED"),
        "{refused}"
    );
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_gets_typed_errors() {
    let emulator = common::start(timed(0, 0)).await;
    let trd = client(&emulator);
    let dir = tempfile::tempdir().unwrap();
    let poll = Transcribe::poll().timeout(Duration::from_secs(20));

    let missing = trd
        .create_job(&CreateJob::new(dir.path().join("nope.wav")))
        .await
        .unwrap_err();
    assert!(matches!(missing, TrdError::File { .. }), "{missing}");
    assert_eq!(missing.kind(), TrdErrorKind::InvalidInput);

    let empty = temp_file(&dir, "empty.wav", b"");
    let error = trd.create_job(&CreateJob::new(&empty)).await.unwrap_err();
    assert!(matches!(error, TrdError::EmptyFile { .. }), "{error}");

    let bad_config = CreateJob::new(common::sample("speaker-a.wav")).config("novalue");
    let error = trd.create_job(&bad_config).await.unwrap_err();
    assert!(matches!(error, TrdError::InvalidConfig(_)), "{error}");

    let text = temp_file(&dir, "notes.txt", b"this is not audio at all");
    let failed = trd
        .transcribe(&CreateJob::new(&text), &poll)
        .await
        .unwrap_err();
    let TrdError::JobFailed { reason, .. } = &failed else {
        panic!("expected a failed job, got {failed}");
    };
    assert_eq!(reason, "not a RIFF/WAVE file");
    assert_eq!(failed.kind(), TrdErrorKind::JobFailed);

    let unknown = trd.result("0123456789abcdef01234567").await.unwrap_err();
    assert_eq!(unknown.http_status(), Some(404));
    let invalid_id = trd.status("../etc").await.unwrap_err();
    assert!(
        matches!(invalid_id, TrdError::InvalidJobId(_)),
        "{invalid_id}"
    );

    // The server's 422 detail reaches the caller.
    let refused = trd
        .create_job(&speaker_a().callback_url("ftp://example.com/hook"))
        .await
        .unwrap_err();
    assert!(matches!(refused, TrdError::Validation { .. }), "{refused}");
    assert_eq!(
        refused.detail().as_deref(),
        Some("body.callback_urls: ftp://example.com/hook is not an http(s) URL")
    );
    assert!(
        refused.to_string().contains("not an http(s) URL"),
        "{refused}"
    );
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn busy_answers_are_retried_honouring_retry_after_then_reported() {
    let emulator = common::start(timed(0, 0)).await;
    let trd = client(&emulator);
    let reject = |status, count, retry_after_secs| Faults {
        trd_reject: Some(TrdReject {
            status,
            count,
            retry_after_secs,
        }),
        ..Faults::default()
    };
    emulator.set_faults(reject(503, Some(2), Some(1)));
    let started = std::time::Instant::now();
    let job = trd.create_job(&speaker_a()).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "two Retry-After: 1 waits"
    );
    assert_eq!(job.status, JobStatus::Queued);

    emulator.set_faults(reject(429, None, None));
    let busy = trd.status(&job.id).await.unwrap_err();
    assert!(matches!(busy, TrdError::TooManyRequests { .. }), "{busy}");
    assert_eq!(busy.kind(), TrdErrorKind::Busy);

    emulator.set_faults(reject(413, Some(1), None));
    let quota = trd.create_job(&speaker_a()).await.unwrap_err();
    assert!(matches!(quota, TrdError::PayloadTooLarge { .. }), "{quota}");
    assert_eq!(quota.detail().as_deref(), Some("minute quota exceeded"));
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn media_longer_than_allowed_is_refused_with_413() {
    let emulator = common::start(EmulatorConfig {
        trd: TrdConfig {
            max_media_secs: Some(1.0),
            ..TrdConfig::default()
        },
        ..EmulatorConfig::default()
    })
    .await;
    let error = client(&emulator)
        .create_job(&speaker_a())
        .await
        .unwrap_err();
    assert_eq!(error.http_status(), Some(413));
    assert_eq!(error.kind(), TrdErrorKind::Rejected);
    assert!(
        error.detail().unwrap().starts_with("media too long"),
        "{error}"
    );
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn basic_auth_license_tokens_and_refusals() {
    let emulator = common::start(EmulatorConfig {
        trd: TrdConfig {
            // Refreshed 30 s before expiry, so every request fetches a new one.
            license_token_ttl_secs: 30,
            ..TrdConfig::default()
        },
        ..EmulatorConfig::default()
    })
    .await;
    common::http();
    let with = |credentials| {
        TrdClient::builder(emulator.trd_url())
            .credentials(credentials)
            .build()
            .unwrap()
    };
    let basic = with(Credentials::Basic {
        username: emulator.trd_license_user().to_owned(),
        password: emulator.trd_license_password().to_owned(),
    });
    let job = basic.create_job(&speaker_a()).await.unwrap();
    let license = with(Credentials::LicenseServer {
        token_url: emulator.trd_license_url(),
        username: emulator.trd_license_user().to_owned(),
        password: emulator.trd_license_password().to_owned(),
    });
    license.status(&job.id).await.unwrap();
    license.status(&job.id).await.unwrap();
    assert_eq!(
        emulator.trd_license_tokens_issued(),
        2,
        "refreshed before expiry"
    );

    let wrong = with(Credentials::Basic {
        username: emulator.trd_license_user().to_owned(),
        password: "wrong".into(),
    });
    let refused = wrong.status(&job.id).await.unwrap_err();
    assert_eq!(refused.kind(), TrdErrorKind::Auth, "{refused}");
    assert!(
        !format!("{wrong:?}").contains("wrong"),
        "Debug redacts the password"
    );
    let no_token = with(Credentials::Bearer("not-a-token".into()));
    assert_eq!(
        no_token
            .list(&ListJobs::default())
            .await
            .unwrap_err()
            .kind(),
        TrdErrorKind::Auth
    );
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn several_callback_urls_and_a_failing_one_is_recorded() {
    let emulator = common::start(timed(0, 0)).await;
    let trd = client(&emulator);
    let receiver = WebhookReceiver::builder()
        .tls(das::trd::Tls::Plain)
        .start()
        .await
        .unwrap();
    let hooks = JobWebhooks::new(receiver);
    // Nothing listens on port 9 of loopback (discard): delivery there fails.
    let job = speaker_a().callback_url("http://127.0.0.1:9/dead");
    let result = trd
        .transcribe(
            &job,
            &Transcribe::webhook(hooks.clone()).timeout(Duration::from_secs(20)),
        )
        .await
        .unwrap();
    let urls = result.job.callback_urls.clone().unwrap();
    assert_eq!(urls.len(), 2, "{urls:?}");
    let mut reason = String::new();
    for _ in 0..100 {
        reason = trd
            .status(&result.job.id)
            .await
            .unwrap()
            .callback_failure_reason
            .unwrap_or_default();
        if !reason.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(reason.contains("127.0.0.1:9/dead"), "{reason:?}");
    hooks.shutdown().await;
    emulator.shutdown().await;
}
