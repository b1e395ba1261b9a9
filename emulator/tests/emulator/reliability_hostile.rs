//! Reliability against hostile peers: the emulator's accept loop (idle sockets cannot keep a
//! real session out) and its token endpoint (ambiguous or undecodable requests get OAuth2
//! errors).

use crate::common;

use std::time::Duration;

use das_emulator::EmulatorConfig;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

use common::reliability::*;

/// Idle sockets opened against the emulator (`DAS_RELIABILITY_IDLE_SOCKETS`; the long run
/// uses more), with a connection limit well below them.
fn idle_sockets() -> usize {
    std::env::var("DAS_RELIABILITY_IDLE_SOCKETS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(400)
}

#[tokio::test]
async fn idle_sockets_do_not_keep_a_real_session_out() {
    let emulator = Isolated::start(EmulatorConfig {
        max_connections: 64,
        header_read_timeout_ms: 60_000,
        ..EmulatorConfig::default()
    })
    .await;
    let mut idle = Vec::new();
    for _ in 0..idle_sockets() {
        idle.push(
            bounded("idle connect", TcpStream::connect(emulator.local_addr()))
                .await
                .unwrap(),
        );
    }
    let mut session = start(register(&emulator, audiohook(&emulator))).await;
    let feeder = stream_sample(&session, "speaker-a.wav");
    let events = events_until(&mut session, result_and_audio_end).await;
    assert_result_success(&events);
    bounded("feeder", feeder).await.expect("feeder task");
    bounded("close", session.close()).await;
    // The emulator closed the silent sockets it had to, rather than run out of descriptors.
    let mut closed = 0;
    for socket in &mut idle {
        let mut byte = [0u8; 1];
        if let Ok(Ok(0) | Err(_)) =
            tokio::time::timeout(Duration::from_millis(5), socket.read(&mut byte)).await
        {
            closed += 1;
        }
    }
    assert!(
        closed + 64 >= idle.len(),
        "{closed} of {} idle sockets closed",
        idle.len()
    );
    drop(idle);
    shutdown_without_leaks(emulator).await;
}

async fn token_request(url: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let response = common::http()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("token endpoint answers");
    let status = response.status();
    (status, response.json().await.expect("an OAuth2 JSON body"))
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
        let (status, json) = token_request(&url, body.clone()).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{}",
            String::from_utf8_lossy(&body)
        );
        assert_eq!(json["error"], "invalid_request", "{json}");
        assert!(json["error_description"].is_string(), "{json}");
    }
    let (status, json) = token_request(&url, good.as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::OK, "{json}");
}
