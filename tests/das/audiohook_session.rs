//! Our AudioHook client against our AudioHook server on loopback: media selection (normal
//! and inverted offers), audio positions, pause/resume both ways, disconnect, probe, update.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use das::audio::pacing::Pacing;
use das::audiohook::client::{ClientConfig, ClientEnd, ClientError, ClientSession};
use das::audiohook::messages::{
    CloseReason, DisconnectReason, MediaChannel, MediaFormat, MediaParameter, OpenParameters,
};
use das::audiohook::secret::ClientSecret;
use das::audiohook::server::{
    AudioHookServer, Incoming, ServerConfig, ServerSession, SessionEnd, SessionEvent,
};
use uuid::Uuid;

use MediaChannel::{External, Internal};

pub(crate) const API_KEY: &str = "SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh";
const SECRET: &str = "TXlTdXBlclNlY3JldEtleVRlbGxOby0xITJAMyM0JDU=";
const WAIT: Duration = Duration::from_secs(10);

pub(crate) fn secret() -> ClientSecret {
    ClientSecret::from_base64(SECRET).unwrap()
}

pub(crate) async fn server(config: ServerConfig) -> (SocketAddr, Incoming) {
    let (addr, incoming, _task) =
        AudioHookServer::bind(config, "127.0.0.1:0".parse().unwrap(), "/audiohook/ws")
            .await
            .unwrap();
    (addr, incoming)
}

fn client(addr: SocketAddr) -> ClientConfig {
    let url = format!("ws://{addr}/audiohook/ws?tenant=test")
        .parse()
        .unwrap();
    let mut config = ClientConfig::new(url, Uuid::new_v4(), API_KEY, secret());
    config.pacing = Pacing::AsFastAsPossible;
    config
}

pub(crate) async fn accept(incoming: &mut Incoming) -> ServerSession {
    tokio::time::timeout(WAIT, incoming.next())
        .await
        .expect("no session")
        .expect("server gone")
}

pub(crate) async fn next(session: &mut ServerSession) -> SessionEvent {
    tokio::time::timeout(WAIT, session.next_event())
        .await
        .expect("no event")
        .expect("events ended")
}

/// Collects audio per channel until the session ends.
async fn drain(
    session: &mut ServerSession,
) -> (Vec<(MediaChannel, Vec<i16>)>, Vec<SessionEvent>, SessionEnd) {
    let mut audio: Vec<(MediaChannel, Vec<i16>)> = Vec::new();
    let mut others = Vec::new();
    let mut expected_position = 0u64;
    loop {
        match next(session).await {
            SessionEvent::Audio(frame) => {
                assert_eq!(
                    frame.position.samples(8000),
                    expected_position,
                    "positions count received samples"
                );
                expected_position += frame.samples[0].len() as u64;
                for (i, channel) in frame.channels.iter().enumerate() {
                    match audio.iter_mut().find(|(c, _)| c == channel) {
                        Some((_, samples)) => samples.extend(&frame.samples[i]),
                        None => audio.push((*channel, frame.samples[i].clone())),
                    }
                }
            }
            SessionEvent::Ended(end) => return (audio, others, end),
            other => others.push(other),
        }
    }
}

/// One second of stereo µ-law: external a ramp of codes, internal constant.
fn stereo_call() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let external: Vec<u8> = (0..8000u32).map(|n| (n % 200) as u8).collect();
    let internal = vec![0x13u8; 8000];
    let both = das::audio::channels::interleave(&external, &internal);
    (both, external, internal)
}

fn decoded(codes: &[u8]) -> Vec<i16> {
    das::audio::codec::Codec::Mulaw.decode(codes)
}

#[tokio::test]
async fn stereo_offer_streams_and_closes() {
    let (addr, mut incoming) = server(ServerConfig::with_key(API_KEY, secret())).await;
    let config = client(addr);
    let conversation = Uuid::new_v4();
    let session = ClientSession::open(config.clone(), conversation)
        .await
        .unwrap();
    assert_eq!(
        session.selected_media().unwrap().channels,
        vec![External, Internal]
    );
    let mut server_side = accept(&mut incoming).await;
    assert_eq!(server_side.open.conversation_id, conversation);
    assert_eq!(server_side.open.organization_id, config.organization_id);
    assert_eq!(server_side.session_id, config.session_id);
    assert!(!server_side.is_probe());

    let (call, external, internal) = stereo_call();
    session.push_wait(&call).await.unwrap();
    assert_eq!(session.finish().await.unwrap(), ClientEnd::Finished);

    let (audio, _, end) = drain(&mut server_side).await;
    assert_eq!(end, SessionEnd::Closed(CloseReason::End));
    assert_eq!(
        audio,
        vec![
            (External, decoded(&external)),
            (Internal, decoded(&internal))
        ]
    );
}

#[tokio::test]
async fn inverted_offer_is_reordered_on_the_wire() {
    let (addr, mut incoming) = server(ServerConfig::with_key(API_KEY, secret())).await;
    let mut config = client(addr);
    config.media_offers = vec![
        MediaParameter::audio(MediaFormat::Pcmu, vec![Internal, External]),
        MediaParameter::audio(MediaFormat::Pcmu, vec![Internal]),
        MediaParameter::audio(MediaFormat::Pcmu, vec![External]),
    ];
    let session = ClientSession::open(config, Uuid::new_v4()).await.unwrap();
    assert_eq!(
        session.selected_media().unwrap().channels,
        vec![Internal, External]
    );
    let mut server_side = accept(&mut incoming).await;
    let (call, external, internal) = stereo_call();
    session.push_wait(&call).await.unwrap();
    session.finish().await.unwrap();
    let (audio, _, _) = drain(&mut server_side).await;
    assert_eq!(
        audio,
        vec![
            (Internal, decoded(&internal)),
            (External, decoded(&external))
        ]
    );
}

#[tokio::test]
async fn single_channel_offers_select_that_channel() {
    for (offer, picked) in [
        (vec![External, Internal], None),
        (vec![External], Some(External)),
        (vec![Internal], Some(Internal)),
    ] {
        let (addr, mut incoming) = server(ServerConfig::with_key(API_KEY, secret())).await;
        let mut config = client(addr);
        config.media_offers = vec![MediaParameter::audio(MediaFormat::Pcmu, offer.clone())];
        let session = ClientSession::open(config, Uuid::new_v4()).await.unwrap();
        let mut server_side = accept(&mut incoming).await;
        assert_eq!(server_side.media.as_ref().unwrap().channels, offer);
        let (call, external, internal) = stereo_call();
        session.push_wait(&call).await.unwrap();
        session.finish().await.unwrap();
        let (audio, _, _) = drain(&mut server_side).await;
        match picked {
            Some(External) => assert_eq!(audio, vec![(External, decoded(&external))]),
            Some(Internal) => assert_eq!(audio, vec![(Internal, decoded(&internal))]),
            None => assert_eq!(audio.len(), 2),
        }
    }
}

#[tokio::test]
async fn a_custom_selector_that_selects_nothing_fails_open() {
    let mut config = ServerConfig::with_key(API_KEY, secret());
    config.select_media = Arc::new(|_: &OpenParameters| None);
    let (addr, _incoming) = server(config).await;
    let result = ClientSession::open(client(addr), Uuid::new_v4()).await;
    assert!(
        matches!(result, Err(ClientError::NoMediaSelected)),
        "{result:?}"
    );
}

#[tokio::test]
async fn consumer_disconnect_is_a_normal_end() {
    let (addr, mut incoming) = server(ServerConfig::with_key(API_KEY, secret())).await;
    let mut config = client(addr);
    config.pacing = Pacing::RealTime;
    let session = ClientSession::open(config, Uuid::new_v4()).await.unwrap();
    let mut server_side = accept(&mut incoming).await;
    session.push(&vec![0xFF; 3200 * 5]).unwrap();
    // The consumer has enough after the first frame.
    assert!(matches!(
        next(&mut server_side).await,
        SessionEvent::Audio(_)
    ));
    server_side
        .control()
        .disconnect(DisconnectReason::Completed, Some("enough audio".into()))
        .unwrap();
    let end = tokio::time::timeout(WAIT, session.finish())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        end,
        ClientEnd::ConsumerClosed {
            info: Some("enough audio".into())
        }
    );
    let (_, _, end) = drain(&mut server_side).await;
    assert_eq!(end, SessionEnd::Closed(CloseReason::Disconnect));
}

#[tokio::test]
async fn server_pause_and_resume_report_the_gap() {
    let (addr, mut incoming) = server(ServerConfig::with_key(API_KEY, secret())).await;
    let mut config = client(addr);
    config.pacing = Pacing::RealTime;
    config.frame_duration = Duration::from_millis(20);
    let session = ClientSession::open(config, Uuid::new_v4()).await.unwrap();
    let mut server_side = accept(&mut incoming).await;
    let control = server_side.control();
    let feeder = tokio::spawn({
        async move {
            // 2 s of audio, pushed live.
            for _ in 0..100 {
                session.push_wait(&[0xFF; 320]).await.unwrap();
            }
            session.finish().await
        }
    });
    assert!(matches!(
        next(&mut server_side).await,
        SessionEvent::Audio(_)
    ));
    control.pause().unwrap();
    let mut paused_at = None;
    let mut resumed = None;
    let mut audio_after_resume = 0;
    loop {
        match next(&mut server_side).await {
            SessionEvent::Paused { position } => {
                paused_at = Some(position);
                tokio::time::sleep(Duration::from_millis(200)).await;
                control.resume().unwrap();
            }
            SessionEvent::Resumed(gap) => resumed = Some(gap),
            SessionEvent::Audio(_) if resumed.is_some() => audio_after_resume += 1,
            SessionEvent::Audio(_) => assert!(paused_at.is_none(), "audio while paused"),
            SessionEvent::Ended(end) => {
                assert_eq!(end, SessionEnd::Closed(CloseReason::End));
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    let gap = resumed.expect("resumed");
    assert_eq!(Some(gap.start), paused_at);
    assert!(gap.discarded.0 > Duration::ZERO, "time passed while paused");
    assert!(audio_after_resume > 0);
    assert_eq!(feeder.await.unwrap().unwrap(), ClientEnd::Finished);
}

#[tokio::test]
async fn client_pause_update_and_error_reach_the_server() {
    let (addr, mut incoming) = server(ServerConfig::with_key(API_KEY, secret())).await;
    let session = ClientSession::open(client(addr), Uuid::new_v4())
        .await
        .unwrap();
    let mut server_side = accept(&mut incoming).await;
    session.pause();
    session.update_language("es-ES");
    session.report_error(400, "tough stuff");
    session.resume();
    let end = session.finish().await.unwrap();
    assert_eq!(end, ClientEnd::Finished);
    let (_, events, end) = drain(&mut server_side).await;
    assert_eq!(end, SessionEnd::Closed(CloseReason::End));
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| match e {
            SessionEvent::Paused { .. } => "paused",
            SessionEvent::Update(u) if u.language.as_deref() == Some("es-ES") => "update",
            SessionEvent::ClientError(e) if e.code == 400 && e.message == "tough stuff" => "error",
            SessionEvent::Resumed(_) => "resumed",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["paused", "update", "error", "resumed"]);
}

#[tokio::test]
async fn connection_probe_opens_and_closes() {
    let (addr, mut incoming) = server(ServerConfig::with_key(API_KEY, secret())).await;
    ClientSession::probe(client(addr)).await.unwrap();
    let mut server_side = accept(&mut incoming).await;
    assert!(server_side.is_probe());
    assert!(server_side.open.participant.id.is_nil());
    let (audio, _, end) = drain(&mut server_side).await;
    assert!(audio.is_empty());
    assert_eq!(end, SessionEnd::Closed(CloseReason::End));
}

#[tokio::test]
async fn wrong_secret_and_wrong_org_are_unauthorized() {
    let (addr, _incoming) = server(ServerConfig::with_key(API_KEY, secret())).await;
    let mut config = client(addr);
    config.client_secret = ClientSecret::from_bytes(*b"not the secret");
    let result = ClientSession::open(config, Uuid::new_v4()).await;
    assert!(
        matches!(&result, Err(ClientError::Unauthorized(info)) if info.contains("do not match")),
        "{result:?}"
    );

    let (addr, _incoming) = server(ServerConfig::with_key(API_KEY, ClientSecret::default())).await;
    let mut config = client(addr);
    config.client_secret = ClientSecret::default();
    assert!(
        ClientSession::open(config.clone(), Uuid::new_v4())
            .await
            .is_ok(),
        "unsigned with an empty secret"
    );
    config.api_key = "unknown".into();
    let result = ClientSession::open(config, Uuid::new_v4()).await;
    assert!(
        matches!(result, Err(ClientError::Unauthorized(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn the_server_mounts_in_a_larger_router() {
    let (server, mut incoming) = AudioHookServer::new(ServerConfig::with_key(API_KEY, secret()));
    let app = axum::Router::new()
        .merge(server.router("/audiohook/ws"))
        .route("/health", axum::routing::get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    ClientSession::probe(client(addr)).await.unwrap();
    assert!(accept(&mut incoming).await.is_probe());
}

#[tokio::test]
async fn timeouts_without_limit_are_accepted() {
    let mut server_config = ServerConfig::with_key(API_KEY, secret());
    server_config.open_timeout = Duration::MAX;
    server_config.idle_timeout = Duration::MAX;
    server_config.auth_failure_delay = Duration::MAX;
    let (addr, mut incoming) = server(server_config).await;
    let mut config = client(addr);
    // `Duration::MAX` is how a Rust caller says "no limit": no deadline may overflow.
    config.connect_timeout = Duration::MAX;
    config.open_timeout = Duration::MAX;
    config.close_timeout = Duration::MAX;
    config.ping_delay = Duration::MAX;
    config.ping_interval = Duration::MAX;
    config.write_stall_timeout = Duration::MAX;
    let session = ClientSession::open(config, Uuid::new_v4()).await.unwrap();
    let mut server_side = accept(&mut incoming).await;
    let (call, _, _) = stereo_call();
    session.push_wait(&call).await.unwrap();
    assert_eq!(session.finish().await.unwrap(), ClientEnd::Finished);
    let (_, _, end) = drain(&mut server_side).await;
    assert_eq!(end, SessionEnd::Closed(CloseReason::End));
}
