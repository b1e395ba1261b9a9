//! `webhook/validate` and delivery over HTTPS: the emulator trusts exactly the posted
//! self-signed certificate, as TRD does with a receiver's `crt`.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::routing::{any, post};
use axum::{Json, Router};
use das_emulator::{EmulatorConfig, DEMO_TRD_TOKEN};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;

/// An HTTPS receiver with a fresh self-signed certificate for 127.0.0.1; returns its base
/// URL, the certificate PEM and the delivered (job id, body) pairs.
async fn https_receiver() -> (String, String, mpsc::UnboundedReceiver<(String, Value)>) {
    common::http(); // installs the crypto provider
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let tls = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(tls));
    let (tx, rx) = mpsc::unbounded_channel();
    let app = Router::new()
        .route(
            "/{job_id}",
            post(
                |State(tx): State<Arc<mpsc::UnboundedSender<(String, Value)>>>,
                 Path(job_id): Path<String>,
                 Json(body): Json<Value>| async move {
                    let _ = tx.send((job_id, body));
                    "OK"
                },
            ),
        )
        .route("/", any(|| async { "probe ok" }))
        .with_state(Arc::new(tx));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, app) = (acceptor.clone(), app.clone());
            tokio::spawn(async move {
                // Refused handshakes (the untrusted probe) are expected here.
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = TowerToHyperService::new(app);
                let _ = Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    (format!("https://{addr}"), certified.cert.pem(), rx)
}

#[tokio::test(flavor = "multi_thread")]
async fn https_hooks_are_validated_and_served_with_the_posted_certificate() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let (url, crt, mut delivered) = https_receiver().await;
    let validate = |body: Value| {
        let endpoint = format!("{}/webhook/validate", emulator.trd_url());
        let url = url.clone();
        async move {
            let reply: Value = common::http()
                .post(endpoint)
                .query(&[("url", url.as_str())])
                .bearer_auth(DEMO_TRD_TOKEN)
                .json(&body)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            reply["reachable"].clone()
        }
    };
    assert_eq!(
        validate(json!({"token": "t"})).await,
        json!(false),
        "untrusted without crt"
    );
    assert_eq!(
        validate(json!({"crt": crt, "token": "tls-token"})).await,
        json!(true)
    );

    let wav = std::fs::read(common::sample("speaker-b.wav")).unwrap();
    let form = reqwest::multipart::Form::new()
        .part(
            "upload_file",
            reqwest::multipart::Part::bytes(wav).file_name("b.wav"),
        )
        .text("callback_urls", url.clone());
    let created: Value = common::http()
        .post(format!("{}/job/create", emulator.trd_url()))
        .bearer_auth(DEMO_TRD_TOKEN)
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (job_id, body) = tokio::time::timeout(Duration::from_secs(30), delivered.recv())
        .await
        .expect("delivered in time")
        .unwrap();
    assert_eq!(job_id, created["job"]["id"].as_str().unwrap());
    assert_eq!(body["token"], "tls-token");
    assert!(body["segments"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["status"] == "NO_MATCH"));
    emulator.shutdown().await;
}
