//! Against the Node.js socket.io server (tests/peers/node/das_peak.js), a third independent
//! Socket.IO peer: `result-success` as JSON text plus a Buffer reaches a session as its payload
//! and its collected audio.

use crate::support;

use das::auth::TokenProvider;
use das::session::{Argument, Event, RegisterSession, Verdict};
use support::{PythonPeer, WAIT};

/// What the peer sends as the collected audio.
fn expected_audio() -> Vec<u8> {
    (0..8000).map(|i| (i % 256) as u8).collect()
}

#[tokio::test]
async fn a_buffer_beside_the_json_text_is_the_collected_audio() {
    let peer = PythonPeer::start("node/das_peak.js", &[]).await;
    let mut session =
        RegisterSession::builder(peer.url(), TokenProvider::static_header("Bearer node"))
            .call_id("0f7e8a2c-6c36-4c39-9b1e-4a8e6c1d2b3f")
            .start()
            .await
            .unwrap();
    let mut events = Vec::new();
    while let Some(event) = session.next_event(WAIT).await.unwrap() {
        let done = event.is_result();
        events.push(event);
        if done {
            break;
        }
    }
    session.close().await;
    let names: Vec<&str> = events.iter().map(Event::name).collect();
    assert_eq!(names, ["info-vad-status", "result-success"]);
    let Event::ResultSuccess {
        credential,
        collected_audio,
        verdict,
        voice_audio_collected,
        data,
        arguments,
        ..
    } = &events[1]
    else {
        panic!("{:?}", events[1])
    };
    assert_eq!(
        credential.as_deref(),
        Some("node-credential-0f7e8a2c-6c36-4c39-9b1e-4a8e6c1d2b3f")
    );
    assert_eq!(
        collected_audio.as_deref(),
        Some(expected_audio().as_slice())
    );
    assert_eq!(*verdict, Verdict::Accepted);
    assert_eq!(*voice_audio_collected, Some(5.13));
    assert_eq!(data["event"], "result-success");
    assert!(matches!(
        &arguments[..],
        [Argument::Json(_), Argument::Binary(_)]
    ));
}
