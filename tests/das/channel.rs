//! The `AudioChannel` facade end to end: WAV files streamed over AudioHook to our server
//! and over the Twilio subset to a WebSocket consumer, `call_id` correlation, consumer
//! close as a normal end, backpressure.

use std::time::Duration;

use axum::extract::ws::{Message, WebSocketUpgrade};
use axum::routing::get;
use das::audio::codec::Codec;
use das::audio::pacing::Pacing;
use das::audio::send_buffer::PushError;
use das::audio::wav::Wav;
use das::audiohook::messages::{DisconnectReason, MediaChannel};
use das::audiohook::secret::ClientSecret;
use das::audiohook::server::{AudioHookServer, Incoming, ServerConfig, SessionEvent};
use das::channel::{AudioChannel, AudioChannelConfig, ChannelEnd, ChannelError, ProtocolConfig};
use das::twilio::TwilioMode;
use uuid::Uuid;

const API_KEY: &str = "channel-test-key";
const WAIT: Duration = Duration::from_secs(10);

fn sample(name: &str) -> Wav {
    Wav::read(format!("{}/samples/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

async fn audiohook() -> (AudioChannelConfig, Incoming) {
    let secret = ClientSecret::from_bytes(*b"channel secret");
    let (addr, incoming, _) = AudioHookServer::bind(
        ServerConfig::with_key(API_KEY, secret.clone()),
        "127.0.0.1:0".parse().unwrap(),
        "/audiohook/ws",
    )
    .await
    .unwrap();
    let protocol = ProtocolConfig::AudioHook {
        organization_id: Uuid::new_v4(),
        api_key: API_KEY.into(),
        client_secret: secret,
        media_offers: None,
    };
    let mut config = AudioChannelConfig::new(
        format!("ws://{addr}/audiohook/ws").parse().unwrap(),
        protocol,
    );
    config.pacing = Pacing::AsFastAsPossible;
    (config, incoming)
}

/// Receives one session's audio per channel until it ends.
async fn received(incoming: &mut Incoming) -> (String, Vec<Vec<i16>>) {
    let mut session = tokio::time::timeout(WAIT, incoming.next())
        .await
        .unwrap()
        .unwrap();
    let conversation = session.open.conversation_id.to_string();
    let mut channels: Vec<Vec<i16>> = Vec::new();
    loop {
        match tokio::time::timeout(WAIT, session.next_event())
            .await
            .unwrap()
            .unwrap()
        {
            SessionEvent::Audio(frame) => {
                channels.resize(frame.samples.len(), Vec::new());
                for (all, part) in channels.iter_mut().zip(frame.samples) {
                    all.extend(part);
                }
            }
            SessionEvent::Ended(_) => return (conversation, channels),
            _ => {}
        }
    }
}

#[tokio::test]
async fn a_mulaw_wav_travels_over_audiohook_with_call_id_as_conversation_id() {
    let (config, mut incoming) = audiohook().await;
    let wav = sample("speaker-a.wav");
    let call_id = Uuid::new_v4().to_string();
    let channel = AudioChannel::open(&config, &call_id).await.unwrap();
    channel
        .push_wait(&wav.to_wire(Codec::Mulaw).unwrap())
        .await
        .unwrap();
    let counters = channel.counters();
    assert_eq!(channel.finish().await.unwrap(), ChannelEnd::Finished);
    let (conversation, audio) = received(&mut incoming).await;
    assert_eq!(conversation, call_id);
    assert_eq!(audio, vec![wav.samples.clone()]);
    assert_eq!(counters.dropped, 0);
}

#[tokio::test]
async fn a_stereo_pcm_wav_arrives_as_external_and_internal() {
    let (mut config, mut incoming) = audiohook().await;
    config.channels = 2;
    let wav = sample("call-stereo.wav");
    let wire = wav.to_wire(Codec::Mulaw).unwrap();
    let channel = AudioChannel::open(&config, &Uuid::new_v4().to_string())
        .await
        .unwrap();
    channel.push_wait(&wire).await.unwrap();
    channel.finish().await.unwrap();
    let (_, audio) = received(&mut incoming).await;
    let (external, internal) = das::audio::channels::split(&Codec::Mulaw.decode(&wire));
    assert_eq!(audio, vec![external, internal]);
}

#[tokio::test]
async fn audiohook_consumer_disconnect_is_consumer_closed() {
    let (mut config, mut incoming) = audiohook().await;
    config.pacing = Pacing::RealTime;
    let channel = AudioChannel::open(&config, &Uuid::new_v4().to_string())
        .await
        .unwrap();
    channel
        .push(&sample("speaker-b.wav").to_wire(Codec::Mulaw).unwrap()[..40_000])
        .unwrap();
    let mut session = tokio::time::timeout(WAIT, incoming.next())
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(session.next_event().await, Some(SessionEvent::Audio(frame)) if frame.channel(MediaChannel::External).is_some())
    );
    session
        .control()
        .disconnect(DisconnectReason::Completed, None)
        .unwrap();
    let end = tokio::time::timeout(WAIT, channel.finish())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(end, ChannelEnd::ConsumerClosed { info: None });
}

#[tokio::test]
async fn audiohook_configuration_errors_are_typed() {
    let (mut config, _incoming) = audiohook().await;
    let result = AudioChannel::open(&config, "call-42").await;
    assert!(matches!(result, Err(ChannelError::Config(text)) if text.contains("conversationId")));
    config.codec = Codec::Alaw;
    assert!(matches!(
        AudioChannel::open(&config, &Uuid::new_v4().to_string()).await,
        Err(ChannelError::Config(_))
    ));
    config.codec = Codec::Mulaw;
    config.sample_rate = 16000;
    assert!(matches!(
        AudioChannel::open(&config, &Uuid::new_v4().to_string()).await,
        Err(ChannelError::Config(_))
    ));
    let debug = format!("{config:?}");
    assert!(
        !debug.contains(API_KEY) && !debug.contains("channel secret"),
        "{debug}"
    );
}

#[tokio::test]
async fn pushes_beyond_the_bound_would_block() {
    let (mut config, _incoming) = audiohook().await;
    config.buffer_bytes = 100;
    let channel = AudioChannel::open(&config, &Uuid::new_v4().to_string())
        .await
        .unwrap();
    // The runtime is single-threaded: nothing drains between these two pushes.
    channel.push(&[0xFF; 100]).unwrap();
    assert_eq!(
        channel.push(&[0xFF; 1]),
        Err(PushError::WouldBlock {
            queued: 100,
            capacity: 100
        })
    );
    assert_eq!(channel.counters().dropped, 1);
    channel.push_wait(&[0xFF; 250]).await.unwrap();
    assert_eq!(channel.finish().await.unwrap(), ChannelEnd::Finished);
}

#[tokio::test]
async fn twilio_subset_carries_call_id_as_call_sid_and_consumer_close_is_normal() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<serde_json::Value>();
    let app = axum::Router::new().route(
        "/media",
        get(move |ws: WebSocketUpgrade| {
            let tx = tx.clone();
            async move {
                ws.on_upgrade(move |mut socket| async move {
                    // Like das-Peak: read the start and some audio, then close.
                    for _ in 0..5 {
                        if let Some(Ok(Message::Text(text))) = socket.recv().await {
                            let _ = tx.send(serde_json::from_str(text.as_str()).unwrap());
                        }
                    }
                    let _ = socket.send(Message::Close(None)).await;
                })
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/media", listener.local_addr().unwrap())
        .parse()
        .unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let mut config = AudioChannelConfig::new(
        url,
        ProtocolConfig::Twilio {
            mode: TwilioMode::Subset,
        },
    );
    config.pacing = Pacing::RealTime;
    let channel = AudioChannel::open(&config, "call-42").await.unwrap();
    channel
        .push(
            &sample("speaker-a-verify.wav")
                .to_wire(Codec::Mulaw)
                .unwrap()[..16_000],
        )
        .unwrap();
    let end = tokio::time::timeout(WAIT, channel.finish())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(end, ChannelEnd::ConsumerClosed { info: None });
    let start = rx.recv().await.unwrap();
    assert_eq!(
        start,
        serde_json::json!({"event": "start", "start": {"callSid": "call-42"}})
    );
    assert_eq!(rx.recv().await.unwrap()["event"], "media");
}
