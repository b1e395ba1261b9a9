//! `das trd whoami` / `das trd validate` against a small axum server playing TRD.

use crate::support;

use std::collections::HashMap;
use std::process::Output;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

const TOKEN: &str = "trd-api-token-7f3a";

/// What the fake TRD saw of the last `validate` call.
#[derive(Debug, Clone)]
struct ValidateCall {
    method: Method,
    query: HashMap<String, String>,
    body: Option<Value>,
}

type Calls = Arc<Mutex<Vec<ValidateCall>>>;

fn authorized(headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {TOKEN}"))
}

async fn whoami(headers: HeaderMap) -> Response {
    if !authorized(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"detail": "bad token"})),
        )
            .into_response();
    }
    Json(json!({"address": "203.0.113.7"})).into_response()
}

async fn validate(
    State(calls): State<Calls>,
    method: Method,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    body: String,
) -> Response {
    if !authorized(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let reachable = query
        .get("url")
        .is_some_and(|u| u.contains("reachable.example"));
    calls.lock().unwrap().push(ValidateCall {
        method,
        query,
        body: serde_json::from_str(&body).ok(),
    });
    Json(json!({"reachable": reachable})).into_response()
}

/// Starts the fake TRD; returns its API base URL and the recorded validate calls.
async fn fake_trd() -> (String, Calls) {
    let calls = Calls::default();
    let app = Router::new()
        .route("/trd/v3/webhook/whoami", get(whoami))
        .route("/trd/v3/webhook/validate", get(validate).post(validate))
        .with_state(calls.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/trd/v3"), calls)
}

async fn das(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        support::das()
            .args(args)
            .env_remove("DAS_TRD_TOKEN")
            .env_remove("DAS_WEBHOOK_TOKEN")
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn whoami_prints_the_address_and_maps_failures_to_exit_codes() {
    let (api, _) = fake_trd().await;
    let ok = das(args(&["trd", "whoami", "--api", &api, "--token", TOKEN])).await;
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    assert_eq!(text(&ok.stdout), "203.0.113.7\n");
    assert!(!text(&ok.stderr).contains(TOKEN));

    let refused = das(args(&["trd", "whoami", "--api", &api, "--token", "wrong"])).await;
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused.stderr));
    assert!(text(&refused.stderr).contains("401"));
    assert!(!text(&refused.stderr).contains("wrong"));

    // An empty token (an unset setting) is a usage error, before any request.
    let empty = das(args(&["trd", "whoami", "--api", &api, "--token", ""])).await;
    assert_eq!(empty.status.code(), Some(2), "{}", text(&empty.stderr));
    assert!(text(&empty.stderr).contains("bearer token is empty"));

    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let unreachable = das(args(&[
        "trd",
        "whoami",
        "--api",
        &format!("http://{closed}/trd/v3"),
    ]))
    .await;
    assert_eq!(
        unreachable.status.code(),
        Some(4),
        "{}",
        text(&unreachable.stderr)
    );

    let bad_url = das(args(&["trd", "whoami", "--api", "ftp://example.com/trd"])).await;
    assert_eq!(bad_url.status.code(), Some(2), "{}", text(&bad_url.stderr));
}

/// The config file's keys are the options' variables without `DAS_` (`--api` reads
/// `DAS_TRD_API`); a flag still wins over the file, and a misspelt key is refused.
#[tokio::test]
async fn whoami_takes_its_options_from_the_config_file() {
    let (api, _) = fake_trd().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("das.toml");
    let file = format!("trd-api = \"{api}\"\ntrd-token = \"{TOKEN}\"\nwebhook-token = \"w\"\n");
    std::fs::write(&config, file).unwrap();
    let config = config.to_str().unwrap();
    let ok = das(args(&["trd", "whoami", "--config", config])).await;
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    assert_eq!(text(&ok.stdout), "203.0.113.7\n");

    let flag_wins = das(args(&[
        "trd", "whoami", "--config", config, "--token", "wrong",
    ]))
    .await;
    assert_eq!(
        flag_wins.status.code(),
        Some(3),
        "{}",
        text(&flag_wins.stderr)
    );

    let typo = dir.path().join("typo.toml");
    std::fs::write(&typo, "trd-tokne = \"x\"\n").unwrap();
    let typo = das(args(&[
        "trd",
        "whoami",
        "--api",
        &api,
        "--config",
        typo.to_str().unwrap(),
    ]))
    .await;
    assert_eq!(typo.status.code(), Some(2), "{}", text(&typo.stderr));
    assert!(
        text(&typo.stderr).contains("DAS_TRD_TOKNE"),
        "{}",
        text(&typo.stderr)
    );

    // A bad value from the file is reported against the option, and the file is named as
    // where it came from: the user typed no `--color`.
    let bad_value = dir.path().join("bad-value.toml");
    std::fs::write(&bad_value, "color = \"purple\"\n").unwrap();
    let bad_value = bad_value.to_str().unwrap();
    let bad = das(args(&[
        "trd", "whoami", "--api", &api, "--config", bad_value,
    ]))
    .await;
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad.stderr));
    let stderr = text(&bad.stderr);
    assert!(stderr.contains("purple"), "{stderr}");
    assert!(
        stderr.contains(&format!("config file {bad_value} set DAS_COLOR")),
        "{stderr}"
    );
}

#[tokio::test]
async fn validate_registers_token_and_certificate_and_reports_reachability() {
    let (api, calls) = fake_trd().await;
    let dir = tempfile::tempdir().unwrap();
    let crt = dir.path().join("hook.pem");
    let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    std::fs::write(&crt, pem).unwrap();
    let url = "https://reachable.example:8443";
    let ok = das(args(&[
        "trd",
        "validate",
        "--api",
        &api,
        "--token",
        TOKEN,
        "--url",
        url,
        "--webhook-token",
        "hook-secret-123",
        "--crt",
        crt.to_str().unwrap(),
        "--timeout",
        "2",
        "--retries",
        "3",
    ]))
    .await;
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    assert_eq!(text(&ok.stdout), "reachable: true\n");
    let call = calls.lock().unwrap().last().cloned().unwrap();
    assert_eq!(call.method, Method::POST);
    assert_eq!(call.query["url"], url);
    assert_eq!(
        (
            call.query["timeout"].as_str(),
            call.query["retries"].as_str()
        ),
        ("2", "3")
    );
    assert_eq!(
        call.body,
        Some(json!({"token": "hook-secret-123", "crt": pem}))
    );
    assert!(!text(&ok.stdout).contains("hook-secret-123"));

    let unreachable = das(args(&[
        "trd",
        "validate",
        "--api",
        &api,
        "--token",
        TOKEN,
        "--url",
        "https://elsewhere.example",
    ]))
    .await;
    assert_eq!(
        unreachable.status.code(),
        Some(5),
        "{}",
        text(&unreachable.stderr)
    );
    assert_eq!(text(&unreachable.stdout), "reachable: false\n");
    assert_eq!(calls.lock().unwrap().last().unwrap().method, Method::GET);

    let missing_crt = das(args(&[
        "trd",
        "validate",
        "--api",
        &api,
        "--url",
        url,
        "--crt",
        dir.path().join("absent.pem").to_str().unwrap(),
    ]))
    .await;
    assert_eq!(
        missing_crt.status.code(),
        Some(6),
        "{}",
        text(&missing_crt.stderr)
    );
    assert!(text(&missing_crt.stderr).contains("absent.pem"));
}

#[tokio::test(flavor = "multi_thread")]
async fn whoami_logs_in_at_the_emulators_license_server() {
    let emulator = das_emulator::Emulator::start(das_emulator::EmulatorConfig::default())
        .await
        .unwrap();
    let whoami = |password: &str| {
        args(&[
            "trd",
            "whoami",
            "--api",
            &emulator.trd_url(),
            "--license-url",
            &emulator.trd_license_url(),
            "--username",
            emulator.trd_license_user(),
            "--password",
            password,
        ])
    };
    let ok = das(whoami(emulator.trd_license_password())).await;
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    assert_eq!(text(&ok.stdout), "127.0.0.1\n");

    // A token in the environment (exported for the previous command) does not stand in the
    // way of the flags: clap would refuse `--license-url` with the variable's `--token`.
    let flags = whoami(emulator.trd_license_password());
    let with_token_in_env = tokio::task::spawn_blocking(move || {
        support::das()
            .args(flags)
            .env("DAS_TRD_TOKEN", "exported-earlier")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = text(&with_token_in_env.stderr);
    assert_eq!(with_token_in_env.status.code(), Some(0), "{stderr}");

    // Nor does it knock out the config file's username and password: the flag sets the
    // variable aside before the file fills in the rest.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("das.toml");
    let file = format!(
        "trd-username = \"{}\"\ntrd-password = \"{}\"\n",
        emulator.trd_license_user(),
        emulator.trd_license_password()
    );
    std::fs::write(&config, file).unwrap();
    let flag_and_file = args(&[
        "trd",
        "whoami",
        "--config",
        config.to_str().unwrap(),
        "--api",
        &emulator.trd_url(),
        "--license-url",
        &emulator.trd_license_url(),
    ]);
    let from_file = tokio::task::spawn_blocking(move || {
        support::das()
            .args(flag_and_file)
            .env("DAS_TRD_TOKEN", "exported-earlier")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = text(&from_file.stderr);
    assert_eq!(from_file.status.code(), Some(0), "{stderr}");

    let refused = das(whoami("wrong-password")).await;
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused.stderr));
    assert!(!text(&refused.stderr).contains("wrong-password"));

    let half = das(args(&[
        "trd",
        "whoami",
        "--api",
        &emulator.trd_url(),
        "--license-url",
        &emulator.trd_license_url(),
    ]))
    .await;
    assert_eq!(half.status.code(), Some(2), "{}", text(&half.stderr));
    emulator.shutdown().await;
}

/// A standalone `das emulator` answers `webhook/validate` by really requesting the URL: a
/// listening port is reachable, a closed one is not.
#[tokio::test]
async fn validate_against_a_separate_emulator_process_probes_the_url() {
    let emulator = tokio::task::spawn_blocking(support::BackgroundEmulator::start)
        .await
        .unwrap();
    let license = emulator.values("TRD license");
    let (user, password) = license[1].split_once(" / ").unwrap();
    let password = password.split(' ').next().unwrap();
    let validate = |url: &str| {
        args(&[
            "trd",
            "validate",
            "--api",
            emulator.get("TRD API"),
            "--license-url",
            license[0],
            "--username",
            user,
            "--password",
            password,
            "--url",
            url,
            "--retries",
            "1",
            "--timeout",
            "2",
        ])
    };
    let listening = emulator
        .get("TRD API")
        .trim_end_matches("/trd/v3")
        .to_owned();
    let reachable = das(validate(&listening)).await;
    assert_eq!(
        reachable.status.code(),
        Some(0),
        "{}",
        text(&reachable.stderr)
    );

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let unreachable = das(validate(&closed_url)).await;
    assert_eq!(
        unreachable.status.code(),
        Some(5),
        "{}",
        text(&unreachable.stderr)
    );
}
