//! Reliability under load: the TRD webhook receiver (spool on), over plain HTTP and over
//! HTTPS with its self-signed certificate, takes a few seconds of sustained concurrent POSTs. Every request must be answered 200, every body
//! must reach the application once and stay in the spool until acknowledged.

use crate::common;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use das::trd::{Tls, WebhookReceiver};
use serde_json::Value;

use common::reliability::bounded;

const CLIENTS: usize = 16;
const DURATION: Duration = Duration::from_secs(3);

fn spool_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("das-reliability-spool-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("spool dir");
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_receiver_answers_every_request_under_sustained_load() {
    sustained_load(Tls::Plain).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_https_receiver_answers_every_request_under_sustained_load() {
    sustained_load(Tls::SelfSigned {
        hosts: vec!["127.0.0.1".into()],
    })
    .await;
}

/// A client for `receiver`: trusting only its certificate when it serves HTTPS.
fn client_for(receiver: &WebhookReceiver) -> reqwest::Client {
    let Some(pem) = receiver.certificate_pem() else {
        return common::http();
    };
    das::tls::ensure_crypto_provider();
    reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(pem.as_bytes()).expect("certificate")])
        .timeout(Duration::from_secs(20))
        .build()
        .expect("HTTPS client")
}

async fn sustained_load(tls: Tls) {
    let spool = spool_dir();
    let receiver = Arc::new(
        WebhookReceiver::builder()
            .tls(tls)
            .spool(&spool)
            .start()
            .await
            .expect("receiver starts"),
    );
    let template: Value = serde_json::from_slice(
        &std::fs::read(common::repo_path(
            "tests/fixtures/trd/completed_mono_single_speaker.json",
        ))
        .expect("fixture"),
    )
    .expect("fixture json");

    // The application: takes every delivery and keeps it unacknowledged (still spooled).
    let consumer = {
        let receiver = receiver.clone();
        tokio::spawn(async move {
            let mut deliveries = Vec::new();
            while let Some(delivery) = receiver.next_delivery(Duration::from_secs(2)).await {
                deliveries.push(delivery);
            }
            deliveries
        })
    };

    let began = Instant::now();
    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        let (url, template) = (receiver.url().to_owned(), template.clone());
        let http = client_for(&receiver);
        clients.push(tokio::spawn(async move {
            let (mut sent, mut ok) = (0usize, 0usize);
            while began.elapsed() < DURATION {
                let job_id = format!("load-{client}-{sent}");
                let mut body = template.clone();
                body["job"]["id"] = Value::String(job_id.clone());
                let status = http
                    .post(format!("{url}/{job_id}"))
                    .json(&body)
                    .send()
                    .await
                    .map(|r| r.status().as_u16());
                sent += 1;
                match status {
                    Ok(200) => ok += 1,
                    other => panic!("request {job_id} answered {other:?}"),
                }
            }
            (sent, ok)
        }));
    }
    let (mut sent, mut ok) = (0, 0);
    for client in clients {
        let (s, o) = bounded("load client", client).await.expect("client task");
        sent += s;
        ok += o;
    }
    let wall = began.elapsed();
    let deliveries = bounded("consumer drains", consumer)
        .await
        .expect("consumer");
    let ids: HashSet<&str> = deliveries.iter().map(|d| d.job_id.as_str()).collect();
    let spooled = std::fs::read_dir(&spool)
        .expect("spool readable")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "json"))
        })
        .count();
    println!(
        "receiver load ({}): {sent} requests from {CLIENTS} clients in {:.2} s ({:.0}/s), {ok} answered 200, {} delivered, {spooled} spooled",
        receiver.url().split(':').next().unwrap_or_default(),
        wall.as_secs_f64(),
        sent as f64 / wall.as_secs_f64(),
        deliveries.len()
    );
    assert_eq!(ok, sent);
    assert_eq!(deliveries.len(), sent);
    assert_eq!(ids.len(), sent, "every job delivered once");
    assert!(deliveries.iter().all(|d| !d.duplicate && !d.recovered));
    assert_eq!(spooled, sent, "the spool holds every unacknowledged job");
    drop(deliveries);
    receiver.shutdown().await;
    std::fs::remove_dir_all(&spool).expect("spool removed");
}
