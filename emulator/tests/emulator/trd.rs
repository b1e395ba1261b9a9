//! The TRD v3 endpoints: auth, whoami, validate, and a job whose result reaches a real
//! callback receiver with the validated token.

use crate::common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{any, post};
use axum::{Json, Router};
use das::trd::{Credentials, TrdClient, TrdError};
use das_emulator::{EmulatorConfig, TrdConfig, DEMO_TRD_TOKEN};
use serde_json::{json, Value};
use tokio::sync::mpsc;

/// A callback receiver answering `status` to every POST and forwarding (path, body).
async fn receiver(status: StatusCode) -> (String, mpsc::UnboundedReceiver<(String, Value)>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = Router::new()
        .route(
            "/hook/{job_id}",
            post(
                move |State(tx): State<Arc<mpsc::UnboundedSender<(String, Value)>>>,
                      Path(job_id): Path<String>,
                      Json(body): Json<Value>| async move {
                    let _ = tx.send((job_id, body));
                    status
                },
            ),
        )
        .route("/hook", any(|| async { "probe ok" }))
        .with_state(Arc::new(tx));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), rx)
}

fn trd(emulator: &das_emulator::EmulatorHandle, path: &str) -> String {
    format!("{}{path}", emulator.trd_url())
}

fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

async fn create_job(
    emulator: &das_emulator::EmulatorHandle,
    callback: &str,
    transcript: &str,
) -> Value {
    let wav = std::fs::read(common::sample("speaker-a.wav")).unwrap();
    let form = reqwest::multipart::Form::new()
        .part(
            "upload_file",
            reqwest::multipart::Part::bytes(wav).file_name("speaker-a.wav"),
        )
        .text("config", "diarization.descriptor.enabled=True")
        .text("callback_urls", callback.to_owned())
        .text("transcript", transcript.to_owned());
    let response = common::http()
        .post(trd(emulator, "/job/create?tag=demo"))
        .bearer_auth(DEMO_TRD_TOKEN)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_is_transcribed_and_delivered_with_the_validated_token() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let http = common::http();
    let unauthorised = http
        .get(trd(&emulator, "/webhook/whoami"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorised.status(), 401);
    let whoami: Value = http
        .get(trd(&emulator, "/webhook/whoami"))
        .bearer_auth(DEMO_TRD_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(whoami, json!({"address": "127.0.0.1"}));

    let (hook, mut delivered) = receiver(StatusCode::OK).await;
    let validate = |url: String| {
        let http = http.clone();
        let endpoint = trd(&emulator, "/webhook/validate");
        async move {
            let reply: Value = http
                .post(endpoint)
                .query(&[("url", url.as_str()), ("timeout", "2"), ("retries", "1")])
                .bearer_auth(DEMO_TRD_TOKEN)
                .json(&json!({"token": "client-token"}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            reply["reachable"].as_bool().unwrap()
        }
    };
    assert!(validate(hook.clone()).await);
    assert!(!validate("http://127.0.0.1:9".into()).await);

    let created = create_job(&emulator, &hook, "my voice is my password | I am calling").await;
    let job_id = created["job"]["id"].as_str().unwrap().to_owned();
    assert_eq!(job_id.len(), 24);
    assert_eq!(created["job"]["status"], "QUEUED");
    assert_eq!(created["job"]["tag"], "demo");
    // While queued TRD shows only the upload's identity: md5 (hex) and size.
    let upload = std::fs::read(common::sample("speaker-a.wav")).unwrap();
    let identity = json!({"md5": md5_hex(&upload), "size": upload.len()});
    assert_eq!(created["job"]["media"], identity);

    let (path_id, body) = tokio::time::timeout(Duration::from_secs(30), delivered.recv())
        .await
        .expect("delivered in time")
        .unwrap();
    assert_eq!(path_id, job_id);
    assert_eq!(body["token"], "client-token");
    let job = &body["job"];
    assert_eq!(job["status"], "COMPLETED");
    assert_eq!(job["media"]["input"]["sample_rate"], 8000);
    assert_eq!(job["media"]["md5"], identity["md5"]);
    assert_eq!(job["media"]["size"], identity["size"]);
    assert_eq!(job["config"]["diarization.descriptor.enabled"], "True");
    let segments = body["segments"].as_array().unwrap();
    assert!(segments.len() >= 2, "{segments:?}");
    assert_eq!(segments[0]["status"], "RECOGNIZED");
    assert_eq!(
        segments[0]["alternatives"][0]["text"],
        "my voice is my password"
    );
    assert_eq!(segments[1]["alternatives"][0]["text"], "I am calling");
    assert!(segments.iter().skip(2).all(|s| s["status"] == "NO_MATCH"));
    for pair in segments.windows(2) {
        assert!(pair[0]["end"].as_f64() <= pair[1]["start"].as_f64());
    }

    let result: Value = http
        .get(trd(&emulator, &format!("/job/result/{job_id}")))
        .bearer_auth(DEMO_TRD_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(result["segments"], body["segments"]);
    let listed: Value = http
        .get(trd(&emulator, "/job?tag=demo"))
        .bearer_auth(DEMO_TRD_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["total"], 1);
    let deleted = http
        .delete(trd(&emulator, &format!("/job/{job_id}")))
        .bearer_auth(DEMO_TRD_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 200);
    let gone = http
        .get(trd(&emulator, &format!("/job/status/{job_id}")))
        .bearer_auth(DEMO_TRD_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_callbacks_are_retried_and_recorded() {
    let config = EmulatorConfig {
        trd: TrdConfig {
            callback_attempts: 3,
            callback_backoff_ms: 10,
            ..TrdConfig::default()
        },
        ..EmulatorConfig::default()
    };
    let emulator = common::start(config).await;
    let (hook, mut delivered) = receiver(StatusCode::INTERNAL_SERVER_ERROR).await;
    let created = create_job(&emulator, &hook, "").await;
    let job_id = created["job"]["id"].as_str().unwrap().to_owned();
    for _ in 0..3 {
        let (path_id, body) = tokio::time::timeout(Duration::from_secs(30), delivered.recv())
            .await
            .expect("an attempt in time")
            .unwrap();
        assert_eq!(path_id, job_id);
        assert!(body.get("token").is_none(), "no token without validation");
    }
    let mut status = Value::Null;
    for _ in 0..500 {
        status = common::http()
            .get(trd(&emulator, &format!("/job/status/{job_id}")))
            .bearer_auth(DEMO_TRD_TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if status["job"]["callback_failure_reason"] != "" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let reason = status["job"]["callback_failure_reason"].as_str().unwrap();
    assert!(reason.ends_with("HTTP 500"), "{reason}");

    // Bad uploads are refused.
    let form = reqwest::multipart::Form::new().text("config", "a=1");
    let refused = common::http()
        .post(trd(&emulator, "/job/create"))
        .bearer_auth(DEMO_TRD_TOKEN)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let form = reqwest::multipart::Form::new().part(
        "upload_file",
        reqwest::multipart::Part::bytes(b"not a wav".to_vec()),
    );
    let created: Value = common::http()
        .post(trd(&emulator, "/job/create"))
        .bearer_auth(DEMO_TRD_TOKEN)
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let status_url = trd(
        &emulator,
        &format!("/job/status/{}", created["job"]["id"].as_str().unwrap()),
    );
    for _ in 0..500 {
        status = common::http()
            .get(&status_url)
            .bearer_auth(DEMO_TRD_TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if status["job"]["status"] == "FAILED" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(status["job"]["status"], "FAILED");
    assert_eq!(status["job"]["failure_reason"], "not a RIFF/WAVE file");
    emulator.shutdown().await;
}

/// A TRD client that logs in at the emulator's license server as its user with `password`.
fn license_client(emulator: &das_emulator::EmulatorHandle, password: &str) -> TrdClient {
    TrdClient::builder(emulator.trd_url())
        .credentials(Credentials::LicenseServer {
            token_url: emulator.trd_license_url(),
            username: emulator.trd_license_user().to_owned(),
            password: password.to_owned(),
        })
        .build()
        .unwrap()
}

#[tokio::test]
async fn license_server_tokens_open_trd_until_they_expire() {
    let emulator = das_emulator::Emulator::start(EmulatorConfig::default())
        .await
        .unwrap();
    let client = license_client(&emulator, emulator.trd_license_password());
    assert_eq!(client.whoami().await.unwrap(), "127.0.0.1");
    let refused = license_client(&emulator, "wrong password")
        .whoami()
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, TrdError::TokenServer(inner) if matches!(**inner, TrdError::Unauthorized { .. })),
        "{refused:?}"
    );
    emulator.shutdown().await;

    // Tokens issued with no lifetime left are refused on /trd/v3.
    let config = EmulatorConfig {
        trd: TrdConfig {
            license_token_ttl_secs: 0,
            ..TrdConfig::default()
        },
        ..EmulatorConfig::default()
    };
    let emulator = das_emulator::Emulator::start(config).await.unwrap();
    let expired = license_client(&emulator, emulator.trd_license_password())
        .whoami()
        .await
        .unwrap_err();
    assert!(
        matches!(expired, TrdError::Unauthorized { .. }),
        "{expired:?}"
    );
    emulator.shutdown().await;
}
