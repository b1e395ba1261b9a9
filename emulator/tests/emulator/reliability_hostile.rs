//! Reliability against hostile peers: the emulator's accept loop (idle sockets cannot keep a
//! real session out). Its token endpoint's answers to ambiguous requests are in `token`.

use crate::common;

use std::time::Duration;

use das_emulator::EmulatorConfig;
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
