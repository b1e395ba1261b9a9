//! The TRD job client against `tests/peers/trd_fastapi.py`, an independent TRD written with
//! FastAPI from the public documentation: its list is a bare array, stop/retry answer a
//! message instead of the job, projected query lines are bare jobs, validation errors are
//! FastAPI's own 422s.

use std::time::Duration;

use crate::support::PythonPeer;
use das::trd::{
    CreateJob, Credentials, JobQuery, JobStatus, JobWebhooks, ListJobs, Transcribe, TrdClient,
    TrdError, TrdErrorKind, ValidateOptions, WaitFor, WebhookReceiver,
};

fn sample(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

async fn peer(extra: &[&str]) -> (PythonPeer, TrdClient) {
    let peer = PythonPeer::start("trd_fastapi.py", extra).await;
    das::trd::ensure_crypto_provider();
    let client = TrdClient::builder(format!("http://127.0.0.1:{}/trd/v3", peer.port))
        .bearer("fastapi-token")
        .build()
        .unwrap();
    (peer, client)
}

/// A receiver on loopback, validated with the peer, shared by the jobs of a test.
async fn validated_hooks(trd: &TrdClient) -> JobWebhooks {
    let receiver = trd
        .start_webhook(
            WebhookReceiver::builder().public_host("127.0.0.1"),
            ValidateOptions::default(),
        )
        .await
        .unwrap();
    JobWebhooks::new(receiver)
}

#[tokio::test(flavor = "multi_thread")]
async fn transcribe_polls_the_fastapi_peer_and_every_job_call_works() {
    let (_peer, trd) = peer(&["--step", "0.2"]).await;
    let job = CreateJob::new(sample("speaker-a.wav"))
        .config("diarization.descriptor.enabled=True")
        .tag("fastapi");
    let result = trd
        .transcribe(&job, &Transcribe::poll().timeout(Duration::from_secs(20)))
        .await
        .unwrap();
    assert_eq!(result.job.status, JobStatus::Completed);
    assert_eq!(result.transcript(), "transcrito pelo fastapi");
    let id = result.job.id.clone();

    let page = trd
        .list(&ListJobs {
            tag: Some("fastapi".into()),
            ..ListJobs::default()
        })
        .await
        .unwrap();
    assert_eq!((page.jobs.len(), page.total), (1, None));

    // retry answers a message: the client reads the job's status instead.
    let retried = trd.retry(&id).await.unwrap();
    assert_eq!(retried.id, id);
    assert_eq!(retried.status, JobStatus::Queued);
    let stopped = trd.stop(&id).await.unwrap();
    assert_eq!(stopped.status, JobStatus::Failed);
    assert_eq!(stopped.failure_reason.as_deref(), Some("interrompido"));

    let records = trd
        .query(&JobQuery {
            tags: vec!["fastapi".into()],
            projection: vec!["filename".into()],
            ..JobQuery::default()
        })
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].job.filename.as_deref(), Some("speaker-a.wav"));

    trd.delete(&id).await.unwrap();
    let gone = trd.result(&id).await.unwrap_err();
    assert_eq!(gone.kind(), TrdErrorKind::NotFound);
    assert_eq!(gone.detail().as_deref(), Some("Job not found"));
}

#[tokio::test(flavor = "multi_thread")]
async fn results_reach_a_shared_receiver_validated_with_the_fastapi_peer() {
    let (_peer, trd) = peer(&["--step", "0.1"]).await;
    let hooks = validated_hooks(&trd).await;
    let options = Transcribe::webhook(hooks.clone()).timeout(Duration::from_secs(20));
    let job = CreateJob::new(sample("speaker-b.wav"));
    let (first, second) = tokio::join!(
        trd.transcribe(&job, &options),
        trd.transcribe(&job, &options)
    );
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_ne!(first.job.id, second.job.id);
    assert_eq!(first.token.as_deref(), hooks.receiver().token());
    assert_eq!(second.transcript(), "transcrito pelo fastapi");
    hooks.shutdown().await;
}

/// TRD that cannot reach the webhook records why in `callback_failure_reason` and posts
/// nothing: the wait polls beside it and takes the result (it waited out its whole timeout).
#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_wait_polls_beside_it_when_trd_cannot_deliver() {
    let (_peer, trd) = peer(&["--step", "0.1", "--unreachable-callbacks"]).await;
    let hooks = validated_hooks(&trd).await;
    let options = Transcribe::webhook(hooks.clone())
        .backup_poll(Some(Duration::from_millis(300)))
        .timeout(Duration::from_secs(20));
    let result = trd
        .transcribe(&CreateJob::new(sample("speaker-b.wav")), &options)
        .await
        .unwrap();
    assert_eq!(result.job.status, JobStatus::Completed);
    let reason = result.job.callback_failure_reason.as_deref().unwrap_or("");
    assert!(reason.contains("Connection refused"), "{reason}");
    // Without the backup poll, the wait runs out.
    let options = options.backup_poll(None).timeout(Duration::from_secs(2));
    let error = trd
        .transcribe(&CreateJob::new(sample("speaker-b.wav")), &options)
        .await
        .unwrap_err();
    assert!(matches!(error, TrdError::WaitTimeout { .. }), "{error:?}");
    hooks.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn fastapi_errors_are_typed_and_keep_the_server_detail() {
    let (_peer, trd) = peer(&["--busy", "1"]).await;
    // The first create is answered 503 + Retry-After: 1, then retried.
    let job = trd
        .create_job(&CreateJob::new(sample("speaker-a.wav")))
        .await
        .unwrap();
    assert_eq!(job.status, JobStatus::Queued);

    let long_tag = CreateJob::new(sample("speaker-a.wav")).tag("x".repeat(40));
    let refused = trd.create_job(&long_tag).await.unwrap_err();
    assert!(matches!(refused, TrdError::Validation { .. }), "{refused}");
    assert_eq!(
        refused.detail().as_deref(),
        Some("query.tag: String should have at most 32 characters")
    );

    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not audio").unwrap();
    let failed = trd
        .transcribe(
            &CreateJob::new(&text),
            &Transcribe::poll().timeout(Duration::from_secs(20)),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&failed, TrdError::JobFailed { reason, .. } if reason == "formato de áudio não suportado"),
        "{failed}"
    );

    let unknown = trd.result("0123456789abcdef01234567").await.unwrap_err();
    assert!(matches!(unknown, TrdError::NotFound { .. }), "{unknown}");
    assert_eq!(unknown.kind(), TrdErrorKind::NotFound);
    assert!(unknown.to_string().contains("Job not found"), "{unknown}");

    let basic = TrdClient::builder(trd.base_url())
        .credentials(Credentials::Basic {
            username: "trd-user".into(),
            password: "trd-password".into(),
        })
        .build()
        .unwrap();
    assert_eq!(basic.status(&job.id).await.unwrap().id, job.id);
    let wrong = TrdClient::builder(trd.base_url())
        .bearer("wrong")
        .build()
        .unwrap();
    assert_eq!(
        wrong.status(&job.id).await.unwrap_err().kind(),
        TrdErrorKind::Auth
    );
}

/// A gateway failing for a moment (502 pages) must not end a long wait: the status is polled
/// again. It ended `transcribe` at the first poll.
#[tokio::test(flavor = "multi_thread")]
async fn transcribe_polls_through_a_gateway_failing_for_a_moment() {
    let (_peer, trd) = peer(&["--step", "0.2", "--bad-gateway", "2"]).await;
    let job = CreateJob::new(sample("speaker-a.wav"));
    let options = Transcribe::poll().timeout(Duration::from_secs(20));
    let result = trd.transcribe(&job, &options).await.unwrap();
    assert_eq!(result.job.status, JobStatus::Completed);
}

/// The failure of a transcription of speaker-a.wav that polls every 100 ms for `timeout`.
async fn transcribe_polling_fast(trd: &TrdClient, timeout: Duration) -> TrdError {
    let poll_fast = WaitFor::Poll {
        first: Duration::from_millis(100),
        max: Duration::from_millis(100),
    };
    let options = Transcribe::new(poll_fast).timeout(timeout);
    trd.transcribe(&CreateJob::new(sample("speaker-a.wav")), &options)
        .await
        .unwrap_err()
}

/// A status TRD does not document is polled like `IN_PROGRESS` (it may be a step TRD added),
/// and the timeout says where the job was left.
#[tokio::test(flavor = "multi_thread")]
async fn an_undocumented_status_is_named_when_the_wait_runs_out() {
    let (_peer, trd) = peer(&["--step", "0.1", "--park-status", "PAUSED"]).await;
    let error = transcribe_polling_fast(&trd, Duration::from_secs(2)).await;
    let TrdError::WaitTimeout { last_status, .. } = &error else {
        panic!("expected a wait timeout, got {error:?}");
    };
    assert_eq!(last_status, &Some(JobStatus::Other("PAUSED".into())));
    assert!(
        error.to_string().contains("(last status PAUSED)"),
        "{error}"
    );
}

/// A gateway that keeps failing is reported after eight polls in a row, with the job it
/// leaves behind, not waited out until the timeout.
#[tokio::test(flavor = "multi_thread")]
async fn a_gateway_that_keeps_failing_ends_the_wait_with_its_error() {
    let (_peer, trd) = peer(&["--bad-gateway", "1000"]).await;
    let error = transcribe_polling_fast(&trd, Duration::from_secs(600)).await;
    assert_eq!(error.http_status(), Some(502), "{error}");
    assert!(error.job_id().is_some(), "{error:?}");
}

/// A result that is another job's is never taken for this one's; the failure names the job
/// that was created (a script can fetch its result later).
#[tokio::test(flavor = "multi_thread")]
async fn another_jobs_result_is_a_protocol_error_naming_the_created_job() {
    let (_peer, trd) = peer(&["--step", "0.1", "--wrong-result"]).await;
    let job = CreateJob::new(sample("speaker-a.wav"));
    let options = Transcribe::poll().timeout(Duration::from_secs(20));
    let error = trd.transcribe(&job, &options).await.unwrap_err();
    assert_eq!(error.kind(), TrdErrorKind::Protocol, "{error}");
    let job_id = error.job_id().expect("the created job's id").to_owned();
    assert!(
        matches!(error.underlying(), TrdError::InvalidResponse(_)),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.starts_with(&format!("job {job_id}: ")) && message.contains("another-job"),
        "{message}"
    );
}
