//! The TRD client against a local axum server playing TRD (`webhook/whoami`, `webhook/validate`,
//! which really connects back to the webhook) and the CPqD license server (`/auth/token`).

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use das::trd::{
    ensure_crypto_provider, Credentials, ReceiverBuilder, RetryPolicy, TrdClient, TrdError,
    TrdErrorKind, ValidateOptions, WebhookReceiver,
};
use serde_json::{json, Value};

const STATIC_TOKEN: &str = "static-bearer-token";
const WAIT: Duration = Duration::from_secs(10);

#[derive(Default)]
struct FakeTrd {
    expires_in: u64,
    whoami_address: String,
    tokens_issued: AtomicU32,
    revoked: Mutex<HashSet<String>>,
    /// Status (and Retry-After) the next whoami answers with; 0 means hang.
    fail_whoami: Mutex<Option<(u16, Option<&'static str>)>>,
    validations: Mutex<Vec<ValidateCall>>,
}

#[derive(Clone, Debug)]
struct ValidateCall {
    post: bool,
    query: Vec<(String, String)>,
    token: Option<String>,
    crt: Option<String>,
}

impl FakeTrd {
    fn authorized(&self, headers: &HeaderMap) -> bool {
        let Some(token) = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return false;
        };
        if token == STATIC_TOKEN {
            return true;
        }
        let issued = self.tokens_issued.load(Ordering::SeqCst);
        let known = token
            .strip_prefix("tok-")
            .and_then(|n| n.parse::<u32>().ok())
            .is_some_and(|n| n >= 1 && n <= issued);
        known && !self.revoked.lock().unwrap().contains(token)
    }
}

async fn auth_token(State(trd): State<Arc<FakeTrd>>, headers: HeaderMap) -> Response {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("licensed-user:licensed-pass")
    );
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let n = trd.tokens_issued.fetch_add(1, Ordering::SeqCst) + 1;
    Json(json!({"access_token": format!("tok-{n}"), "expires_in": trd.expires_in})).into_response()
}

async fn whoami(State(trd): State<Arc<FakeTrd>>, headers: HeaderMap) -> Response {
    if !trd.authorized(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let failure = trd.fail_whoami.lock().unwrap().take();
    match failure {
        Some((0, _)) => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::OK.into_response()
        }
        Some((status, retry_after)) => {
            let status = StatusCode::from_u16(status).unwrap();
            let mut response = (status, "injected failure").into_response();
            if let Some(seconds) = retry_after {
                response
                    .headers_mut()
                    .insert("retry-after", seconds.parse().unwrap());
            }
            response
        }
        None => Json(json!({"address": trd.whoami_address})).into_response(),
    }
}

async fn validate(
    State(trd): State<Arc<FakeTrd>>,
    method: axum::http::Method,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
    body: axum::body::Bytes,
) -> Response {
    if !trd.authorized(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let Some(url) = query
        .iter()
        .find(|(k, _)| k == "url")
        .map(|(_, v)| v.clone())
    else {
        return (StatusCode::UNPROCESSABLE_ENTITY, "url is required").into_response();
    };
    let post = method == axum::http::Method::POST;
    let parsed: Value = if post {
        match serde_json::from_slice(&body) {
            Ok(value) => value,
            Err(_) => return StatusCode::UNPROCESSABLE_ENTITY.into_response(),
        }
    } else {
        assert!(body.is_empty(), "GET validate carries no body");
        Value::Null
    };
    let call = ValidateCall {
        post,
        query: query.clone(),
        token: parsed["token"].as_str().map(str::to_owned),
        crt: parsed["crt"].as_str().map(str::to_owned),
    };
    trd.validations.lock().unwrap().push(call.clone());
    // Like TRD: try to reach the webhook, trusting the registered certificate.
    let mut client = reqwest::Client::builder().timeout(Duration::from_secs(2));
    if let Some(crt) = &call.crt {
        client = client.tls_certs_only([reqwest::Certificate::from_pem(crt.as_bytes()).unwrap()]);
    }
    let reachable = client
        .build()
        .unwrap()
        .get(format!("{url}/"))
        .send()
        .await
        .is_ok();
    Json(json!({"reachable": reachable})).into_response()
}

async fn start_fake_trd(expires_in: u64, whoami_address: &str) -> (Arc<FakeTrd>, String) {
    ensure_crypto_provider();
    let trd = Arc::new(FakeTrd {
        expires_in,
        whoami_address: whoami_address.to_owned(),
        ..FakeTrd::default()
    });
    let app = Router::new()
        .route("/auth/token", post(auth_token))
        .route("/trd/v3/webhook/whoami", get(whoami))
        .route("/trd/v3/webhook/validate", get(validate).post(validate))
        .with_state(Arc::clone(&trd));
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (trd, base)
}

fn license_client(base: &str) -> TrdClient {
    TrdClient::builder(format!("{base}/trd/v3/"))
        .credentials(Credentials::LicenseServer {
            token_url: format!("{base}/auth/token"),
            username: "licensed-user".into(),
            password: "licensed-pass".into(),
        })
        .timeout(WAIT)
        .build()
        .unwrap()
}

#[tokio::test]
async fn whoami_with_static_and_license_tokens() {
    let (trd, base) = start_fake_trd(3600, "203.0.113.7").await;
    let client = TrdClient::builder(format!("{base}/trd/v3"))
        .bearer(STATIC_TOKEN)
        .build()
        .unwrap();
    assert_eq!(client.whoami().await.unwrap(), "203.0.113.7");
    assert!(!format!("{client:?}").contains(STATIC_TOKEN));

    let licensed = license_client(&base);
    assert_eq!(licensed.whoami().await.unwrap(), "203.0.113.7");
    assert_eq!(licensed.whoami().await.unwrap(), "203.0.113.7");
    assert_eq!(
        trd.tokens_issued.load(Ordering::SeqCst),
        1,
        "token cached until expiry"
    );
    assert!(!format!("{licensed:?}").contains("licensed-pass"));

    // A token revoked before its expiry: the client fetches a new one and retries once.
    trd.revoked.lock().unwrap().insert("tok-1".into());
    assert_eq!(licensed.whoami().await.unwrap(), "203.0.113.7");
    assert_eq!(trd.tokens_issued.load(Ordering::SeqCst), 2);

    let anonymous = TrdClient::builder(format!("{base}/trd/v3"))
        .build()
        .unwrap();
    assert!(matches!(
        anonymous.whoami().await,
        Err(TrdError::Unauthorized { .. })
    ));
}

#[tokio::test]
async fn expired_tokens_are_refreshed() {
    let (trd, base) = start_fake_trd(0, "198.51.100.1").await;
    let client = license_client(&base);
    client.whoami().await.unwrap();
    client.whoami().await.unwrap();
    assert_eq!(trd.tokens_issued.load(Ordering::SeqCst), 2);

    let wrong = TrdClient::builder(format!("{base}/trd/v3"))
        .credentials(Credentials::LicenseServer {
            token_url: format!("{base}/auth/token"),
            username: "licensed-user".into(),
            password: "wrong".into(),
        })
        .build()
        .unwrap();
    match wrong.whoami().await {
        Err(TrdError::TokenServer(inner)) => {
            assert!(matches!(*inner, TrdError::Unauthorized { .. }))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn documented_statuses_become_typed_errors() {
    let (trd, base) = start_fake_trd(3600, "x").await;
    // Without retries, so 429 and 503 come back as they were answered.
    let client = TrdClient::builder(format!("{base}/trd/v3"))
        .bearer(STATIC_TOKEN)
        .timeout(Duration::from_millis(300))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let cases: [(u16, Option<&'static str>); 10] = [
        (400, None),
        (401, None),
        (403, None),
        (413, None),
        (422, None),
        (429, Some("7")),
        (503, Some("2")),
        (500, None),
        (502, None),
        (504, None),
    ];
    for (status, retry_after) in cases {
        *trd.fail_whoami.lock().unwrap() = Some((status, retry_after));
        let error = client.whoami().await.unwrap_err();
        let ok = match (status, &error) {
            (400, TrdError::BadRequest { body }) => body == "injected failure",
            (401, TrdError::Unauthorized { .. }) => true,
            (403, TrdError::Forbidden { .. }) => true,
            (413, TrdError::PayloadTooLarge { .. }) => true,
            (422, TrdError::Validation { .. }) => true,
            (429, TrdError::TooManyRequests { retry_after, .. }) => {
                *retry_after == Some(Duration::from_secs(7))
            }
            (503, TrdError::Unavailable { retry_after, .. }) => {
                *retry_after == Some(Duration::from_secs(2))
            }
            (500 | 502 | 504, TrdError::Status { status: got, .. }) => *got == status,
            _ => false,
        };
        assert!(ok, "{status} became {error:?}");
        // A server or gateway failing at its end is worth a later try, as a busy one is.
        if matches!(status, 429 | 503 | 500 | 502 | 504) {
            assert_eq!(error.kind(), TrdErrorKind::Busy, "{status}");
            assert!(error.is_transient(), "{status}");
        }
    }
    *trd.fail_whoami.lock().unwrap() = Some((0, None));
    assert!(matches!(client.whoami().await, Err(TrdError::Timeout(_))));

    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let unreachable = TrdClient::builder(format!("http://{closed}/trd/v3"))
        .build()
        .unwrap();
    assert!(matches!(
        unreachable.whoami().await,
        Err(TrdError::Connect { .. })
    ));
    assert!(matches!(
        TrdClient::builder("ftp://example.com").build(),
        Err(TrdError::InvalidBaseUrl(_))
    ));
    // An empty bearer (an unset setting) would be refused by every request: refused here.
    let empty = TrdClient::builder(format!("http://{closed}/trd/v3"))
        .bearer("")
        .build()
        .unwrap_err();
    assert!(matches!(empty, TrdError::EmptyBearer), "{empty}");
    assert_eq!(empty.kind(), das::trd::TrdErrorKind::InvalidInput);
}

#[tokio::test]
async fn validate_uses_get_without_body_and_post_with_token_and_crt() {
    let (trd, base) = start_fake_trd(3600, "127.0.0.1").await;
    let client = TrdClient::builder(format!("{base}/trd/v3"))
        .bearer(STATIC_TOKEN)
        .build()
        .unwrap();
    let plain = WebhookReceiver::builder()
        .tls(das::trd::Tls::Plain)
        .start()
        .await
        .unwrap();
    let options = ValidateOptions {
        timeout: Some(2),
        retries: Some(3),
    };
    assert!(client
        .validate(plain.url(), options, None, None)
        .await
        .unwrap());
    plain.shutdown().await;
    assert!(!client
        .validate(plain.url(), ValidateOptions::default(), None, None)
        .await
        .unwrap());

    let tls = WebhookReceiver::builder().start().await.unwrap();
    let pem = tls.certificate_pem().unwrap();
    assert!(client
        .validate(tls.url(), options, Some("tok"), Some(pem))
        .await
        .unwrap());
    // An empty token (an unset setting) is never registered: nothing is sent.
    let refused = client
        .validate(tls.url(), options, Some(""), Some(pem))
        .await
        .unwrap_err();
    assert!(matches!(refused, TrdError::EmptyToken), "{refused:?}");
    assert_eq!(refused.kind(), TrdErrorKind::InvalidInput);

    let calls = trd.validations.lock().unwrap().clone();
    assert_eq!(calls.len(), 3);
    assert!(!calls[0].post && calls[0].token.is_none());
    assert_eq!(
        calls[0].query,
        [
            ("url".to_owned(), plain.url().to_owned()),
            ("timeout".to_owned(), "2".to_owned()),
            ("retries".to_owned(), "3".to_owned())
        ]
    );
    assert_eq!(calls[1].query.len(), 1, "unset options are not sent");
    assert!(calls[2].post);
    assert_eq!(calls[2].token.as_deref(), Some("tok"));
    assert_eq!(calls[2].crt.as_deref(), Some(pem));
}

#[tokio::test]
async fn one_call_setup_registers_a_reachable_webhook() {
    let (trd, base) = start_fake_trd(3600, "127.0.0.1").await;
    let client = license_client(&base);
    let receiver = client
        .start_webhook(WebhookReceiver::builder(), ValidateOptions::default())
        .await
        .unwrap();
    assert!(receiver.url().starts_with("https://127.0.0.1:"));
    let call = trd.validations.lock().unwrap()[0].clone();
    let token = call.token.expect("a token was registered");
    assert_eq!(Some(token.as_str()), receiver.token());
    assert_eq!(uuid::Uuid::parse_str(&token).unwrap().get_version_num(), 4);
    assert_eq!(call.crt.as_deref(), receiver.certificate_pem());

    // TRD now delivers a result the way it was told to: HTTPS, registered certificate, token.
    let mut body: Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/trd/seed_3_11_verbatim.json"
        ))
        .unwrap(),
    )
    .unwrap();
    body["token"] = token.clone().into();
    let trd_http = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(call.crt.unwrap().as_bytes()).unwrap()])
        .build()
        .unwrap();
    let response = trd_http
        .post(format!("{}/6230c8b739231fb289992870", receiver.url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let delivery = receiver.next_delivery(WAIT).await.unwrap();
    assert_eq!(
        delivery.result.transcript(),
        "a minha filha nasceu hoje ela tem dez anos"
    );
}

#[tokio::test]
async fn one_call_setup_fails_when_trd_cannot_reach_the_webhook() {
    // whoami reports an address nobody listens on: TRD's connection attempt fails.
    let (_trd, base) = start_fake_trd(3600, "127.0.0.2").await;
    let client = TrdClient::builder(format!("{base}/trd/v3"))
        .bearer(STATIC_TOKEN)
        .build()
        .unwrap();
    let result = client
        .start_webhook(ReceiverBuilder::default(), ValidateOptions::default())
        .await;
    match result {
        Err(TrdError::NotReachable { url }) => assert!(url.starts_with("https://127.0.0.2:")),
        other => panic!("{other:?}"),
    }
}

/// A peer that answers every request with `answer` and closes the connection.
async fn raw_trd(answer: &'static [u8]) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let _ = stream.write_all(answer).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    format!("http://{address}/trd/v3")
}

/// A body whose chunked framing is broken is the peer breaking HTTP: a protocol error, not a
/// network one (it was `Http`, a `ConnectError` in Python). A body cut short by a closed
/// connection stays a transient network failure.
#[tokio::test]
async fn a_broken_body_framing_is_a_protocol_error() {
    let corrupt = raw_trd(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    )
    .await;
    let client = |base: String| {
        TrdClient::builder(base)
            .bearer(STATIC_TOKEN)
            .retry(RetryPolicy::none())
            .build()
            .unwrap()
    };
    let error = client(corrupt).whoami().await.unwrap_err();
    assert!(
        matches!(&error, TrdError::InvalidResponse(m) if m.contains("Invalid chunk size line")),
        "{error:?}"
    );
    assert_eq!(error.kind(), TrdErrorKind::Protocol);
    assert!(!error.is_transient());

    let cut = raw_trd(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\"",
    )
    .await;
    let error = client(cut).whoami().await.unwrap_err();
    assert!(matches!(&error, TrdError::Http(_)), "{error:?}");
    assert_eq!(error.kind(), TrdErrorKind::Network);
    assert!(error.is_transient());
    // The cause is in the message, not only reqwest's "error decoding response body".
    assert!(
        error
            .to_string()
            .contains("end of file before message length reached"),
        "{error}"
    );
}
