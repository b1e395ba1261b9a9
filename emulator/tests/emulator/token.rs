//! The OAuth2 token endpoint and the Socket.IO connect check.

use crate::common;

use common::sio::SioClient;
use das_emulator::{EmulatorConfig, Faults};
use reqwest::StatusCode;
use serde_json::Value;

async fn post_form(url: &str, body: impl Into<Vec<u8>>) -> (StatusCode, Value) {
    let response = common::http()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.into())
        .send()
        .await
        .expect("token endpoint answers");
    let status = response.status();
    (status, response.json().await.expect("json body"))
}

#[tokio::test]
async fn token_endpoint_follows_the_client_credentials_grant() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let url = emulator.token_url();
    let good =
        "client_id=demo-client&client_secret=demo-secret-change-me&grant_type=client_credentials";
    let (status, body) = post_form(&url, good).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert!(body["access_token"].as_str().unwrap().len() >= 32);

    let cases = [
        (
            "client_id=demo-client&client_secret=wrong&grant_type=client_credentials",
            401,
            "invalid_client",
        ),
        (
            "client_id=nobody&client_secret=x&grant_type=client_credentials",
            401,
            "invalid_client",
        ),
        (
            "client_id=demo-client&client_secret=x&grant_type=password",
            400,
            "unsupported_grant_type",
        ),
        (
            "client_id=demo-client&grant_type=client_credentials",
            400,
            "invalid_request",
        ),
        (
            "client_id=demo-client&client_secret=x",
            400,
            "invalid_request",
        ),
        (
            "client_id=%zz&client_secret=x&grant_type=client_credentials",
            400,
            "invalid_request",
        ),
        ("{\"client_id\": 1}", 400, "invalid_request"),
    ];
    for (body, status, error) in cases {
        let (got, reply) = post_form(&url, body).await;
        assert_eq!(got.as_u16(), status, "{body}");
        assert_eq!(reply["error"], error, "{body}");
        assert!(reply["error_description"].is_string());
    }
    emulator.shutdown().await;
}

#[tokio::test]
async fn connections_without_a_live_bearer_token_are_refused() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let base = emulator.base_url();
    let ns = "/socket.io/register";
    for (header, message) in [
        (None, "missing Authorization header"),
        (Some("Bearer not-a-token"), "unknown access token"),
        (
            Some("Basic abc"),
            "Authorization header is not of the form `Bearer <token>`",
        ),
    ] {
        let refused = SioClient::connect(&base, ns, header).await.err();
        assert_eq!(refused.as_deref(), Some(message));
    }
    let auth = common::audio::bearer(&emulator).await;
    assert!(SioClient::connect(&base, ns, Some(&auth)).await.is_ok());
    assert!(SioClient::connect(&base, "/socket.io/verify", Some(&auth))
        .await
        .is_ok());
    emulator.shutdown().await;
}

#[tokio::test]
async fn faults_reject_auth_and_expire_tokens() {
    let emulator = common::start(EmulatorConfig::default()).await;
    emulator.set_faults(Faults {
        expire_tokens_after_secs: Some(0),
        ..Faults::default()
    });
    let auth = common::audio::bearer(&emulator).await;
    let refused =
        SioClient::connect(&emulator.base_url(), "/socket.io/register", Some(&auth)).await;
    assert_eq!(refused.err().as_deref(), Some("access token expired"));

    emulator.set_faults(Faults {
        reject_auth: true,
        ..Faults::default()
    });
    let good =
        "client_id=demo-client&client_secret=demo-secret-change-me&grant_type=client_credentials";
    let (status, body) = post_form(&emulator.token_url(), good).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_client");
    emulator.shutdown().await;
}

#[tokio::test]
async fn ambiguous_or_undecodable_token_requests_get_oauth2_errors() {
    let emulator = common::start(EmulatorConfig::default()).await;
    let url = emulator.token_url();
    let good =
        "client_id=demo-client&client_secret=demo-secret-change-me&grant_type=client_credentials";
    for body in [
        // A second secret after the right one: no "last one wins".
        format!("{good}&client_secret=other").into_bytes(),
        format!("{good}&grant_type=client_credentials").into_bytes(),
        // Not UTF-8.
        b"client_id=demo-client&client_secret=\xff\xfe&grant_type=client_credentials".to_vec(),
    ] {
        let (status, json) = post_form(&url, body.clone()).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{}",
            String::from_utf8_lossy(&body)
        );
        assert_eq!(json["error"], "invalid_request", "{json}");
        assert!(json["error_description"].is_string(), "{json}");
    }
    let (status, json) = post_form(&url, good).await;
    assert_eq!(status, StatusCode::OK, "{json}");
}
