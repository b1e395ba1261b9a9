//! Helpers of the reliability suite: sessions against the emulator with every wait bounded,
//! and the leak checks every scenario ends with (emulator registry empty, tasks ended).

use std::future::Future;
use std::time::Duration;

use das::audio::pacing::Pacing;
use das::audiohook::secret::ClientSecret;
use das::auth::TokenProvider;
use das::channel::{AudioChannelConfig, ProtocolConfig};
use das::session::{Event, RegisterSession, Session, SessionBuilder};
use das::twilio::TwilioMode;
use das_emulator::{EmulatorConfig, EmulatorHandle};

/// Bound on any single wait of a scenario.
pub const WAIT: Duration = Duration::from_secs(20);

/// Awaits `future` at most [`WAIT`]; a hang fails the test naming what was awaited.
pub async fn bounded<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(WAIT, future)
        .await
        .unwrap_or_else(|_| panic!("hang: {what} did not finish within {WAIT:?}"))
}

/// A client-credentials provider for the emulator's demo client.
pub fn provider(emulator: &EmulatorHandle) -> TokenProvider {
    TokenProvider::client_credentials(
        emulator.token_url(),
        emulator.client_id(),
        emulator.client_secret(),
    )
    .max_attempts(1)
    .build()
    .expect("token provider")
}

/// The emulator's AudioHook consumer, streaming as fast as it reads.
pub fn audiohook(emulator: &EmulatorHandle) -> AudioChannelConfig {
    let mut config = AudioChannelConfig::new(
        emulator.audiohook_url().parse().expect("audiohook url"),
        ProtocolConfig::AudioHook {
            organization_id: uuid::Uuid::new_v4(),
            api_key: emulator.audiohook_api_key().into(),
            client_secret: ClientSecret::from_base64(emulator.audiohook_client_secret())
                .expect("demo secret"),
            media_offers: None,
        },
    );
    config.pacing = Pacing::AsFastAsPossible;
    config
}

/// The emulator's Twilio consumer (das-Peak subset), streaming as fast as it reads.
pub fn twilio(emulator: &EmulatorHandle) -> AudioChannelConfig {
    let mut config = AudioChannelConfig::new(
        emulator.twilio_url().parse().expect("twilio url"),
        ProtocolConfig::Twilio {
            mode: TwilioMode::Subset,
        },
    );
    config.pacing = Pacing::AsFastAsPossible;
    config
}

/// A register session builder for `channel` (Twilio sessions announce `audio_protocol`).
pub fn register(emulator: &EmulatorHandle, channel: AudioChannelConfig) -> SessionBuilder {
    let protocol = match channel.protocol {
        ProtocolConfig::AudioHook { .. } => "audiohook",
        ProtocolConfig::Twilio { .. } => "twilio",
    };
    RegisterSession::builder(emulator.socketio_url(), provider(emulator))
        .audio_protocol(protocol)
        .audio_channel(channel)
}

/// Starts `builder` within [`WAIT`].
pub async fn start(builder: SessionBuilder) -> Session {
    bounded("session start", builder.start())
        .await
        .expect("session starts")
}

/// Pushes a sample in a task (ending the audio after it) and returns the task.
pub fn stream_sample(session: &Session, name: &str) -> tokio::task::JoinHandle<()> {
    let audio = session.audio();
    let path = super::sample(name);
    tokio::spawn(async move {
        // The channel may end first (consumer closed, fault): then the push fails, by design.
        let _ = audio.push_wav(path).await;
        audio.end();
    })
}

/// Streams a sample over and over, like a live call, until the session refuses audio
/// (`AudioError::Ended`: the channel or the session ended); returns the whole rounds pushed.
pub fn live_call(session: &Session, name: &str) -> tokio::task::JoinHandle<u64> {
    let audio = session.audio();
    let path = super::sample(name);
    tokio::spawn(async move {
        let mut rounds = 0u64;
        loop {
            match audio.push_wav(&path).await {
                Ok(()) => rounds += 1,
                Err(das::session::AudioError::Ended) => return rounds,
                Err(other) => panic!("live call push: {other}"),
            }
        }
    })
}

/// Every event until the queue ends or `last` says the interesting part is over.
pub async fn events_until(session: &mut Session, last: impl Fn(&[Event]) -> bool) -> Vec<Event> {
    let mut events = Vec::new();
    loop {
        let next = session
            .next_event(WAIT)
            .await
            .unwrap_or_else(|e| panic!("hang: {e}; events so far: {events:#?}"));
        let Some(event) = next else { return events };
        events.push(event);
        if last(&events) {
            return events;
        }
    }
}

/// Every event until the queue ends.
pub async fn all_events(session: &mut Session) -> Vec<Event> {
    events_until(session, |_| false).await
}

/// Ended once a result and the local `audio-ended` both arrived.
pub fn result_and_audio_end(events: &[Event]) -> bool {
    events.iter().any(Event::is_result)
        && events.iter().any(|e| matches!(e, Event::AudioEnded { .. }))
}

/// Event names, for assertions and failure messages.
pub fn names(events: &[Event]) -> Vec<&str> {
    events.iter().map(Event::name).collect()
}

/// The emulator forgets every session (bounded wait).
pub async fn registry_drains(emulator: &EmulatorHandle) {
    let registry = emulator.registry();
    let drained = async {
        while !registry.is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    if tokio::time::timeout(WAIT, drained).await.is_err() {
        panic!("leak: {} emulator sessions still live", registry.len());
    }
}

/// An emulator on its own runtime, so the test's runtime holds only the client's tasks and
/// [`tasks_end`] checks libdas alone (the emulator's leaks show in its registry).
pub struct Isolated {
    runtime: Option<tokio::runtime::Runtime>,
    handle: Option<EmulatorHandle>,
}

impl Isolated {
    /// Starts an emulator with `config` on a fresh two-worker runtime.
    pub async fn start(config: EmulatorConfig) -> Isolated {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("emulator runtime");
        let started = runtime.spawn(das_emulator::Emulator::start(config));
        let handle = bounded("emulator start", started)
            .await
            .expect("emulator task")
            .expect("emulator starts");
        Isolated {
            runtime: Some(runtime),
            handle: Some(handle),
        }
    }

    /// Stops the emulator (bounded) after checking its registry drained.
    pub async fn shutdown(self) {
        registry_drains(&self).await;
        self.stop().await;
    }

    /// Stops the emulator (bounded) whatever its sessions are doing, as a crash would.
    pub async fn stop(mut self) {
        let (Some(runtime), Some(handle)) = (&self.runtime, self.handle.take()) else {
            return;
        };
        bounded("emulator shutdown", runtime.spawn(handle.shutdown()))
            .await
            .expect("shutdown task");
    }
}

impl std::ops::Deref for Isolated {
    type Target = EmulatorHandle;

    fn deref(&self) -> &EmulatorHandle {
        self.handle.as_ref().expect("emulator running")
    }
}

impl Drop for Isolated {
    fn drop(&mut self) {
        drop(self.handle.take());
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Shuts the emulator down (its registry drained) and checks that no task of the test's
/// runtime survives: every session, channel and connection task of the client ended.
pub async fn shutdown_without_leaks(emulator: Isolated) {
    emulator.shutdown().await;
    tasks_end().await;
}

/// Waits until the runtime has no live task left besides the test itself.
pub async fn tasks_end() {
    let metrics = tokio::runtime::Handle::current().metrics();
    let ended = async {
        while metrics.num_alive_tasks() > 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    if tokio::time::timeout(WAIT, ended).await.is_err() {
        panic!("leak: {} tasks still alive", metrics.num_alive_tasks());
    }
}

/// Fails with the event names unless the session reached `result-success`.
pub fn assert_result_success(events: &[Event]) {
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::ResultSuccess { .. })),
        "no result-success: {:?}",
        names(events)
    );
}

/// A WebSocket consumer that accepts every connection and then never reads nor closes: the
/// client's writes stall once the socket buffers are full. It runs on its own thread and
/// runtime, so its tasks are not counted as the client's. Returns its `ws://` URL.
pub fn deaf_consumer() -> url::Url {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    listener.set_nonblocking(true).expect("non-blocking");
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("consumer runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            let mut held = Vec::new();
            while let Ok((tcp, _)) = listener.accept().await {
                if let Ok(ws) = tokio_tungstenite::accept_async(tcp).await {
                    held.push(ws);
                }
            }
        });
    });
    format!("ws://{addr}/media").parse().expect("url")
}
