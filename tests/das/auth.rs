//! The OAuth2 token provider against real HTTP token endpoints (axum on loopback).

use crate::support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use das::auth::{AuthError, TokenProvider};
use support::TokenServer;

fn provider(url: &str, secret: &str) -> TokenProvider {
    TokenProvider::client_credentials(url, "id", secret)
        .retry_backoff(Duration::from_millis(10))
        .build()
        .unwrap()
}

/// A token endpoint answering `status` with `body` to the first `failures` requests, then a token.
async fn flaky_server(
    failures: usize,
    status: StatusCode,
    body: &'static str,
) -> (String, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route(
            "/token",
            post(move |State(calls): State<Arc<AtomicUsize>>| async move {
                if calls.fetch_add(1, Ordering::SeqCst) < failures {
                    (status, body.to_owned())
                } else {
                    (
                        StatusCode::OK,
                        r#"{"token_type":"bearer","access_token":"late"}"#.to_owned(),
                    )
                }
            }),
        )
        .with_state(calls.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/token"), calls)
}

#[tokio::test]
async fn fetches_once_and_builds_the_documented_header() {
    let server = TokenServer::start().await;
    let p = provider(&server.url, "s3cret");
    assert_eq!(p.authorization().await.unwrap(), "Bearer tok-1");
    assert_eq!(p.authorization().await.unwrap(), "Bearer tok-1");
    let token = p.token().await.unwrap();
    assert_eq!(token.raw_json()["scope"], "das");
    assert_eq!(token.expires_in(), Some(300));
    assert_eq!(server.issued(), 1);
    p.invalidate().await;
    assert_eq!(p.authorization().await.unwrap(), "Bearer tok-2");
}

#[tokio::test]
async fn concurrent_callers_share_one_refresh() {
    let server = TokenServer::start().await;
    let p = provider(&server.url, "s3cret");
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let p = p.clone();
            tokio::spawn(async move { p.authorization().await.unwrap() })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap(), "Bearer tok-1");
    }
    assert_eq!(server.issued(), 1);
}

#[tokio::test]
async fn providers_built_shared_from_the_same_settings_share_one_token() {
    let server = TokenServer::start().await;
    let shared = |scope: &str| {
        TokenProvider::client_credentials(&server.url, "id", "s3cret")
            .scope(scope)
            .build_shared()
            .unwrap()
    };
    let first = shared("das");
    let second = shared("das");
    assert_eq!(first.authorization().await.unwrap(), "Bearer tok-1");
    assert_eq!(second.authorization().await.unwrap(), "Bearer tok-1");
    assert_eq!(server.issued(), 1);

    // Other settings, another provider; `build` never shares.
    let other_scope = shared("other");
    assert_eq!(other_scope.authorization().await.unwrap(), "Bearer tok-2");
    let unshared = provider(&server.url, "s3cret");
    assert_eq!(unshared.authorization().await.unwrap(), "Bearer tok-3");

    // Once every holder is gone, the next one starts afresh.
    drop((first, second));
    assert_eq!(shared("das").authorization().await.unwrap(), "Bearer tok-4");
    assert_eq!(server.issued(), 4);
}

#[tokio::test]
async fn refreshes_within_the_margin_before_expiry() {
    let server = TokenServer::start().await;
    let p = TokenProvider::client_credentials(&server.url, "id", "s3cret")
        .refresh_margin(Duration::from_secs(300))
        .build()
        .unwrap();
    assert_eq!(p.authorization().await.unwrap(), "Bearer tok-1");
    assert_eq!(p.authorization().await.unwrap(), "Bearer tok-2");
}

#[tokio::test]
async fn rejected_credentials_carry_the_oauth_error() {
    let server = TokenServer::start().await;
    match provider(&server.url, "wrong").authorization().await {
        Err(AuthError::Rejected {
            status,
            error,
            description,
        }) => {
            assert_eq!((status, error.as_str()), (401, "invalid_client"));
            assert_eq!(description.as_deref(), Some("Invalid client credentials"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn server_errors_are_retried_with_bounded_attempts() {
    let (url, calls) = flaky_server(2, StatusCode::SERVICE_UNAVAILABLE, "busy").await;
    assert_eq!(
        provider(&url, "x").authorization().await.unwrap(),
        "bearer late"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 3);

    let (url, calls) = flaky_server(100, StatusCode::BAD_GATEWAY, "down").await;
    let p = TokenProvider::client_credentials(&url, "id", "x")
        .max_attempts(2)
        .retry_backoff(Duration::from_millis(10))
        .build()
        .unwrap();
    assert!(matches!(
        p.authorization().await,
        Err(AuthError::Status {
            status: 502,
            attempts: 2
        })
    ));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn bad_replies_and_unreachable_endpoints_are_typed_errors() {
    let (url, _) = flaky_server(1, StatusCode::OK, "<html>").await;
    assert!(matches!(
        provider(&url, "x").authorization().await,
        Err(AuthError::InvalidReply(_))
    ));

    let (url, _) = flaky_server(1, StatusCode::FORBIDDEN, "").await;
    assert!(matches!(
        provider(&url, "x").authorization().await,
        Err(AuthError::Rejected { status: 403, .. })
    ));

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let p = provider(&format!("http://{closed}/token"), "x");
    let unreachable = p.authorization().await.unwrap_err();
    assert!(
        matches!(unreachable, AuthError::Unreachable { attempts: 3, .. }),
        "{unreachable:?}"
    );
    assert!(unreachable.is_network());
    // The cause that tells the user what happened survives reqwest's generic text.
    assert!(
        unreachable.to_string().contains("Connection refused"),
        "{unreachable}"
    );
}

#[tokio::test]
async fn a_hanging_endpoint_hits_the_request_timeout() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((tcp, _)) = listener.accept().await {
            held.push(tcp); // accept, never answer
        }
    });
    let p = TokenProvider::client_credentials(format!("http://{addr}/token"), "id", "x")
        .request_timeout(Duration::from_millis(200))
        .max_attempts(1)
        .build()
        .unwrap();
    assert!(matches!(
        p.authorization().await,
        Err(AuthError::Unreachable { attempts: 1, .. })
    ));
}

#[tokio::test]
async fn static_headers_and_redacted_debug() {
    let p = TokenProvider::static_header("Bearer pre-issued");
    assert_eq!(p.authorization().await.unwrap(), "Bearer pre-issued");
    assert!(matches!(p.token().await, Err(AuthError::NoTokenJson)));
    assert!(!format!("{p:?}").contains("pre-issued"));
    let builder = TokenProvider::client_credentials("http://127.0.0.1:1/t", "id", "sup3r-s3cret");
    assert!(!format!("{builder:?}").contains("sup3r-s3cret"));
    let cc = builder.build().unwrap();
    assert!(!format!("{cc:?}").contains("sup3r-s3cret"));
    assert!(matches!(
        TokenProvider::client_credentials("ftp://x/", "id", "s").build(),
        Err(AuthError::Config(_))
    ));
}

/// A token endpoint that answers 200 with a body of `Content-Length` bytes, or with a
/// chunked body that never ends.
async fn oversized_server(declared: Option<u64>) -> String {
    use axum::body::Body;
    use futures_util::stream;
    let app = Router::new().route(
        "/token",
        post(move || async move {
            let chunks = stream::repeat_with(|| {
                Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b' '; 64 << 10]))
            });
            let mut response = axum::response::Response::new(Body::from_stream(chunks));
            if let Some(length) = declared {
                response
                    .headers_mut()
                    .insert("content-length", length.to_string().parse().unwrap());
            }
            response
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/token")
}

#[tokio::test]
async fn an_oversized_or_endless_token_reply_is_a_clear_error() {
    for declared in [Some(1u64 << 30), None] {
        let url = oversized_server(declared).await;
        let error = provider(&url, "s").authorization().await.unwrap_err();
        match error {
            AuthError::InvalidReply(message) => {
                assert!(message.contains("larger than 65536 bytes"), "{message}")
            }
            other => panic!("{declared:?}: expected InvalidReply, got {other:?}"),
        }
    }
}

/// A token endpoint redirecting elsewhere (`307` keeps the method and the body, the client
/// secret with it) is not followed; one redirecting within its origin is.
#[tokio::test]
async fn redirects_to_another_origin_are_not_followed() {
    let (elsewhere, calls_elsewhere) = flaky_server(0, StatusCode::OK, "").await;
    let redirect_to = |target: String| {
        Router::new().route(
            "/token",
            post(move || {
                let target = target.clone();
                async move {
                    (
                        StatusCode::TEMPORARY_REDIRECT,
                        [(axum::http::header::LOCATION, target)],
                        "",
                    )
                }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, redirect_to(elsewhere)).await });
    match provider(&format!("http://{addr}/token"), "secret")
        .authorization()
        .await
    {
        Err(AuthError::InvalidReply(message)) => {
            assert!(message.contains("redirect to http://"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        calls_elsewhere.load(Ordering::SeqCst),
        0,
        "the secret went elsewhere"
    );

    // Within the origin: `/token` → `/moved` on the same server.
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let app = redirect_to("/moved".into()).route(
        "/moved",
        post(move || async move {
            counted.fetch_add(1, Ordering::SeqCst);
            r#"{"token_type":"bearer","access_token":"moved"}"#
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let header = provider(&format!("http://{addr}/token"), "secret")
        .authorization()
        .await
        .unwrap();
    assert!(header.ends_with("moved"), "{header}");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}
