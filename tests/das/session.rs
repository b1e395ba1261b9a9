//! das-Peak Streaming sessions against the python-socketio peer acting as the service.

use crate::support;

use std::time::{Duration, Instant};

use das::auth::{AuthError, TokenProvider};
use das::channel::{AudioChannelConfig, ChannelErrorKind, ProtocolConfig};
use das::session::{AudioError, Event, RegisterSession, SessionError, StartCancel, VerifySession};
use das::socketio::SocketIoError;
use das::twilio::TwilioMode;
use futures_util::StreamExt;
use serde_json::json;
use support::{PythonPeer, TokenServer, WAIT};

/// The python-socketio peer acting as the service, with a token endpoint.
pub(crate) async fn service() -> (PythonPeer, TokenServer, TokenProvider) {
    let peer = PythonPeer::start("sio_server.py", &[]).await;
    let tokens = TokenServer::start().await;
    let provider = TokenProvider::client_credentials(&tokens.url, "id", "s3cret")
        .build()
        .unwrap();
    (peer, tokens, provider)
}

/// The events of a session the peer drops after `info-consumer-ready` (`model_hash("drop")`).
pub(crate) const DROPPED: [&str; 4] = [
    "welcome",
    "x-initialize-echo",
    "info-consumer-ready",
    "disconnected",
];

/// A Twilio audio channel to a port nobody listens on, and the port.
pub(crate) fn unheard_channel() -> (AudioChannelConfig, u16) {
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let channel = AudioChannelConfig::new(
        format!("ws://127.0.0.1:{closed_port}/twilio/ws")
            .parse()
            .unwrap(),
        ProtocolConfig::Twilio {
            mode: TwilioMode::Subset,
        },
    );
    (channel, closed_port)
}

#[tokio::test]
async fn registration_happy_path_with_typed_events() {
    let (peer, tokens, provider) = service().await;
    // An audio channel nobody listens on: the session must report that as `audio-ended`.
    let (channel, closed_port) = unheard_channel();
    let mut session = RegisterSession::builder(peer.url(), provider)
        .audio_buffer_limit(1024)
        .audio_channel(channel)
        .start()
        .await
        .unwrap();
    assert_eq!(tokens.issued(), 1);
    uuid::Uuid::parse_str(session.call_id()).unwrap();

    // Audio pushed before the consumer is ready waits in the bounded buffer.
    session.push_audio(&[0x7f; 600]).unwrap();
    assert_eq!(
        session.push_audio(&[0x7f; 600]),
        Err(AudioError::WouldBlock {
            buffered: 600,
            limit: 1024
        })
    );

    // The peer greets from its connect handler, before accepting the namespace.
    let welcome = session.next_event(WAIT).await.unwrap().unwrap();
    assert!(matches!(&welcome, Event::Other { name, .. } if name == "welcome"));
    let echo = session.next_event(WAIT).await.unwrap().unwrap();
    assert_eq!(echo.name(), "x-initialize-echo");
    let sent = echo.data();
    assert_eq!(sent["metadata"]["audio_protocol"], "twilio");
    assert_eq!(sent["metadata"]["sample_rate"], "8000");
    assert_eq!(sent["metadata"]["channels"], "1");
    assert_eq!(sent["metadata"]["call_id"], session.call_id());
    assert_eq!(sent["register_request"]["model_hash"], "<MODEL_HASH>");

    let ready = session.next_event(WAIT).await.unwrap().unwrap();
    assert!(matches!(ready, Event::ConsumerReady { .. }));
    assert_eq!(ready.data()["event"], "info-consumer-ready");
    assert!(session.consumer_ready());

    let mut vad = Vec::new();
    let mut audio_ended = None;
    let result = loop {
        match session.next_event(WAIT).await.unwrap().unwrap() {
            Event::VadStatus {
                audio_seconds,
                vad_percentage,
                ..
            } => vad.push((audio_seconds.unwrap(), vad_percentage.unwrap())),
            ended @ Event::AudioEnded { .. } => audio_ended = Some(ended),
            other => break other,
        }
    };
    assert_eq!(vad, [(1.67, 33.0), (3.33, 66.0), (5.0, 100.0)]);
    let Event::ResultSuccess {
        authenticity,
        voice_audio_collected,
        content,
        credential,
        ..
    } = result
    else {
        panic!("{result:?}")
    };
    assert_eq!(authenticity, Some(0.99));
    assert_eq!(voice_audio_collected, Some(5.0));
    assert_eq!(content.as_deref(), Some("Registration: approved"));
    assert_eq!(credential.as_deref(), Some("Q1JFREVOVElBTA=="));

    let audio_ended = match audio_ended {
        Some(ended) => ended,
        None => session.next_event(WAIT).await.unwrap().unwrap(),
    };
    let Event::AudioEnded {
        reason,
        error,
        error_kind,
        bytes_sent,
        ..
    } = audio_ended
    else {
        panic!("{audio_ended:?}")
    };
    // Nobody listening is the network's failure, not a refusal of the credentials.
    assert_eq!(
        (reason.as_str(), bytes_sent, error_kind),
        ("error", 0, Some(ChannelErrorKind::Network))
    );
    let error = error.unwrap();
    assert!(
        error.contains("refused") || error.contains(&closed_port.to_string()),
        "{error}"
    );
    assert_eq!(session.push_audio(&[0x7f]), Err(AudioError::Ended));
    assert!(matches!(
        session.next_event(Duration::ZERO).await,
        Err(SessionError::Timeout(_))
    ));
    session.close().await;
}

/// `next_event` keeps one timer between calls, moved only when it fires early: each call
/// still waits exactly its own timeout, whatever the earlier calls asked for.
#[tokio::test]
async fn each_event_wait_keeps_its_own_timeout() {
    let (peer, _tokens, provider) = service().await;
    // The peer answers `fail` with a result-failure, then sends nothing more.
    let mut session = RegisterSession::builder(peer.url(), provider)
        .model_hash("fail")
        .start()
        .await
        .unwrap();
    // Answered at once: the timer stays set for this call's 300 ms.
    let short = Duration::from_millis(300);
    assert!(session.next_event(short).await.unwrap().is_some()); // welcome
    session.next_event(WAIT).await.unwrap(); // x-initialize-echo
    session.next_event(WAIT).await.unwrap(); // result-failure

    // A longer wait outlasts the earlier call's deadline, which fires first.
    let long = Duration::from_millis(700);
    let started = Instant::now();
    let waited = session.next_event(long).await;
    assert!(
        matches!(waited, Err(SessionError::Timeout(t)) if t == long),
        "{waited:?}"
    );
    assert!(
        started.elapsed() >= long,
        "gave up after {:?}",
        started.elapsed()
    );
    // A shorter wait than the one before ends on its own deadline.
    let started = Instant::now();
    let waited = session.next_event(short).await;
    assert!(
        matches!(waited, Err(SessionError::Timeout(_))),
        "{waited:?}"
    );
    let elapsed = started.elapsed();
    assert!(
        elapsed >= short && elapsed < long,
        "gave up after {elapsed:?}"
    );
    session.close().await;
}

#[tokio::test]
async fn verification_uses_its_namespace_and_request() {
    let (peer, _tokens, provider) = service().await;
    let session = VerifySession::builder(peer.url(), provider, "Q1JFREVOVElBTA==")
        .call_id("0f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b")
        .start()
        .await
        .unwrap();
    let events: Vec<Event> = session.take_until_result().await;
    let echo = &events[1];
    assert_eq!(
        echo.data()["verify_request"]["credential"],
        "Q1JFREVOVElBTA=="
    );
    assert_eq!(
        echo.data()["metadata"]["call_id"],
        "0f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
    );
    let last = events.last().unwrap();
    assert!(
        matches!(last, Event::ResultSuccess { content: Some(c), .. } if c == "Verification: approved")
    );
}

#[tokio::test]
async fn failure_and_error_events_are_typed() {
    let (peer, _tokens, provider) = service().await;
    let mut session = RegisterSession::builder(peer.url(), provider.clone())
        .model_hash("fail")
        .start()
        .await
        .unwrap();
    session.next_event(WAIT).await.unwrap(); // welcome
    session.next_event(WAIT).await.unwrap(); // x-initialize-echo
    let failure = session.next_event(WAIT).await.unwrap().unwrap();
    assert!(
        matches!(&failure, Event::ResultFailure { reason: Some(r), .. } if r == "model not available")
    );
    session.close().await;

    let mut session = RegisterSession::builder(peer.url(), provider)
        .model_hash("error")
        .start()
        .await
        .unwrap();
    session.next_event(WAIT).await.unwrap(); // welcome
    session.next_event(WAIT).await.unwrap(); // x-initialize-echo
    let error = session.next_event(WAIT).await.unwrap().unwrap();
    assert_eq!(
        error,
        Event::from_wire(
            "error",
            json!({"event": "error", "content": "Internal error", "message": "boom"})
        )
    );
}

#[tokio::test]
async fn bytes_python_socketio_nests_in_the_payload_are_kept_and_are_the_collected_audio() {
    let (peer, _tokens, provider) = service().await;
    let mut session = RegisterSession::builder(peer.url(), provider)
        .model_hash("nested-audio")
        .start()
        .await
        .unwrap();
    session.next_event(WAIT).await.unwrap(); // welcome
    session.next_event(WAIT).await.unwrap(); // x-initialize-echo
    let result = session.next_event(WAIT).await.unwrap().unwrap();
    session.close().await;
    let expected: Vec<u8> = (0..4000).map(|i| (i % 251) as u8).collect();
    let Event::ResultSuccess {
        collected_audio: Some(audio),
        credential: Some(_),
        data,
        arguments,
        ..
    } = &result
    else {
        panic!("{result:?}")
    };
    assert_eq!(audio[..], expected[..]);
    // python-socketio sends the same bytes twice as two attachments; each placeholder
    // resolves to its own.
    let nested = result
        .attachment(&data["detail"]["collected_audio"])
        .unwrap();
    assert_eq!(nested[..], expected[..]);
    assert_eq!(result.attachment(&data["collected_audio"]), Some(audio));
    assert_eq!(data["detail"]["codec"], "mulaw");
    assert_eq!(arguments.len(), 1);
    assert_eq!(arguments[0].attachments().len(), 2);
}

#[tokio::test]
async fn losing_signalling_before_a_result_ends_the_session_with_a_clear_event() {
    let (peer, _tokens, provider) = service().await;
    let mut session = RegisterSession::builder(peer.url(), provider)
        .model_hash("drop")
        .start()
        .await
        .unwrap();
    let mut names = Vec::new();
    while let Some(event) = session.next_event(WAIT).await.unwrap() {
        if let Event::Disconnected {
            before_result,
            reason,
            ..
        } = &event
        {
            assert!(before_result);
            assert!(reason.contains("server disconnected"), "{reason}");
        }
        names.push(event.name().to_owned());
    }
    assert_eq!(names, DROPPED);
}

#[tokio::test]
async fn rejected_token_fails_the_start() {
    let peer = PythonPeer::start("sio_server.py", &[]).await;
    let provider = TokenProvider::static_header("Basic wrong");
    match RegisterSession::builder(peer.url(), provider).start().await {
        Err(SessionError::Signalling(SocketIoError::ConnectRefused { message, .. })) => {
            assert_eq!(message, "unauthorized: invalid access token")
        }
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("a rejected token must fail the start"),
    }
}

#[tokio::test]
async fn rejected_client_credentials_fail_the_start_with_the_oauth_error() {
    let peer = PythonPeer::start("sio_server.py", &[]).await;
    let tokens = TokenServer::start().await;
    let provider = TokenProvider::client_credentials(&tokens.url, "id", "wrong")
        .build()
        .unwrap();
    match RegisterSession::builder(peer.url(), provider).start().await {
        Err(SessionError::Signalling(SocketIoError::Auth(AuthError::Rejected {
            error, ..
        }))) => {
            assert_eq!(error, "invalid_client")
        }
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("rejected credentials must fail the start"),
    }
}

trait UntilResult {
    async fn take_until_result(self) -> Vec<Event>;
}

impl UntilResult for das::session::Session {
    async fn take_until_result(self) -> Vec<Event> {
        let mut stream = self;
        let mut events = Vec::new();
        while let Some(event) = tokio::time::timeout(WAIT, stream.next())
            .await
            .expect("event in time")
        {
            let done = event.is_result();
            events.push(event);
            if done {
                break;
            }
        }
        events
    }
}

#[tokio::test]
async fn an_audiohook_call_id_that_is_not_a_uuid_is_refused_before_connecting() {
    let (peer, _tokens, provider) = service().await;
    let refused = RegisterSession::builder(peer.url(), provider)
        .call_id("call-1")
        .start()
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("needs a UUID"), "{refused}");
}

/// A start blocked on a token endpoint that takes the connection and never answers ends as
/// soon as it is cancelled, not when the token timeout runs out.
#[tokio::test]
async fn a_cancelled_start_ends_at_once_with_cancelled() {
    // Never accepted from: the kernel completes the handshake and the request waits.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let token_url = format!("http://{}/token", silent.local_addr().unwrap());
    let provider = TokenProvider::client_credentials(token_url, "id", "s3cret")
        .request_timeout(Duration::from_secs(8))
        .build()
        .unwrap();
    let cancel = StartCancel::new();
    let start = tokio::spawn({
        let cancel = cancel.clone();
        async move {
            let builder = RegisterSession::builder("http://127.0.0.1:1/socket.io", provider);
            let started = builder.start_cancellable(&cancel).await;
            (started, Instant::now())
        }
    });
    // Cancel once the token request is in flight (the listener has a connection pending).
    silent.set_nonblocking(true).unwrap();
    let _pending = tokio::time::timeout(WAIT, async {
        loop {
            match silent.accept() {
                Ok(pending) => return pending,
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            }
        }
    })
    .await
    .expect("the token request arrives");
    let cancelled_at = Instant::now();
    cancel.cancel();
    let (started, returned_at) = start.await.unwrap();
    assert!(
        matches!(started, Err(SessionError::Cancelled)),
        "{started:?}"
    );
    eprintln!(
        "start returned {:?} after the cancel",
        returned_at - cancelled_at
    );
    // Cancelled stays cancelled: a later start fails at once.
    let again = RegisterSession::builder(
        "http://127.0.0.1:1/socket.io",
        TokenProvider::static_header("Bearer t"),
    )
    .start_cancellable(&cancel)
    .await;
    assert!(matches!(again, Err(SessionError::Cancelled)), "{again:?}");
}

/// A token endpoint that takes the connection and never answers is named when the start runs
/// out of time: the message blamed the signalling ("connecting took longer than …").
#[tokio::test]
async fn a_silent_token_endpoint_is_named_when_the_start_times_out() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let token_url = format!("http://{}/token", silent.local_addr().unwrap());
    let provider = TokenProvider::client_credentials(token_url, "id", "s3cret")
        .request_timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let started = RegisterSession::builder("http://127.0.0.1:1/socket.io", provider)
        .connect_timeout(Duration::from_millis(500))
        .start()
        .await;
    match started {
        Err(error @ SessionError::Signalling(SocketIoError::Timeout(_))) => {
            let message = error.to_string();
            assert!(
                message.contains("getting a token from the token endpoint took longer"),
                "{message}"
            );
        }
        other => panic!("{:?}", other.err()),
    }
}

/// An AudioHook channel to the test server (or a relay to it) at `addr`.
fn audiohook_channel(addr: std::net::SocketAddr) -> AudioChannelConfig {
    use crate::audiohook_session::{secret, API_KEY};

    AudioChannelConfig::new(
        format!("ws://{addr}/audiohook/ws").parse().unwrap(),
        ProtocolConfig::AudioHook {
            organization_id: uuid::Uuid::new_v4(),
            api_key: API_KEY.into(),
            client_secret: secret(),
            media_offers: None,
        },
    )
}

#[tokio::test]
async fn closing_a_session_ends_its_streaming_audio_channel() {
    use crate::audiohook_session::{accept, next, secret, server, API_KEY};
    use das::audiohook::server::{ServerConfig, SessionEvent};

    let (peer, _tokens, provider) = service().await;
    let (addr, mut incoming) = server(ServerConfig::with_key(API_KEY, secret())).await;
    let channel = audiohook_channel(addr);
    let session = RegisterSession::builder(peer.url(), provider)
        .audio_channel(channel)
        .start()
        .await
        .unwrap();
    // A minute of audio, paced in real time: the channel outlives the test unless the close
    // ends it.
    session.push_audio(&vec![0xFF; 8000 * 60]).unwrap();
    let mut consumer = accept(&mut incoming).await;
    while !matches!(next(&mut consumer).await, SessionEvent::Audio(_)) {}
    session.close().await;
    let ended = tokio::time::timeout(WAIT, async {
        while !matches!(next(&mut consumer).await, SessionEvent::Ended(_)) {}
    })
    .await;
    assert!(
        ended.is_ok(),
        "the audio channel kept streaming after close"
    );
}

/// Accepts one connection on a port of its own and, `delay` later, relays it to `target`:
/// an audio channel that takes `delay` to open.
async fn slow_relay(target: std::net::SocketAddr, delay: Duration) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut client, _) = listener.accept().await.unwrap();
        tokio::time::sleep(delay).await;
        let mut server = tokio::net::TcpStream::connect(target).await.unwrap();
        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
    });
    addr
}

#[tokio::test]
async fn live_audio_pushed_while_the_channel_opens_is_not_held_back_behind_it() {
    use crate::audiohook_session::{accept, next, secret, server, API_KEY};
    use das::audiohook::server::{ServerConfig, SessionEvent};

    const FRAME: Duration = Duration::from_millis(200);
    const OPENING: Duration = Duration::from_millis(1500);
    let (peer, _tokens, provider) = service().await;
    let (addr, mut incoming) = server(ServerConfig::with_key(API_KEY, secret())).await;
    let relay = slow_relay(addr, OPENING).await;
    let channel = audiohook_channel(relay);
    let session = RegisterSession::builder(peer.url(), provider)
        .audio_channel(channel)
        .start()
        .await
        .unwrap();
    // A live call: a 200 ms frame every 200 ms for 3 s, from before the channel opened.
    let audio = session.audio();
    let live = tokio::spawn(async move {
        let start = tokio::time::Instant::now();
        for index in 0..15 {
            tokio::time::sleep_until(start + FRAME * index).await;
            audio.push(&[0xFF; 1600]).unwrap();
        }
        audio.end();
        Instant::now()
    });
    let mut consumer = accept(&mut incoming).await;
    let mut frames = 0;
    let mut last_frame_at = None;
    loop {
        match next(&mut consumer).await {
            SessionEvent::Audio(_) => {
                frames += 1;
                last_frame_at = Some(Instant::now());
            }
            SessionEvent::Ended(_) => break,
            _ => {}
        }
    }
    let last_pushed_at = live.await.unwrap();
    assert_eq!(frames, 15);
    // Paced from when the channel took its first frame, every frame would trail its push by
    // the 1.5 s the channel took to open.
    let lag = last_frame_at
        .unwrap()
        .saturating_duration_since(last_pushed_at);
    assert!(
        lag < OPENING / 2,
        "the last frame left {lag:?} after its push"
    );
    session.close().await;
}
