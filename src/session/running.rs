use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use super::audio::{AudioError, AudioSender};
use super::route::{Route, RouteState};
use super::settings::{SessionSettings, TimeoutKind};
use super::sink::SinkHold;
use super::{Event, EventSink, SessionError};
use crate::audio::codec::Codec;
use crate::audio::send_buffer::SendBuffer;
use crate::auth::TokenProvider;
use crate::lazy_deadline::LazyDeadline;
use crate::sized_queue;
use crate::socketio::{Client, ConnectOptions, Reconnection, SocketIoError};

/// A running das-Peak Streaming session.
///
/// Events arrive in order on one queue bounded by count and bytes
/// ([`next_event`](Self::next_event) or the `Stream` impl); while it is full the session
/// stops reading signalling, so a slow reader holds the server back instead of filling
/// memory. The queue ends after [`Event::Disconnected`] (and the
/// [`Event::AudioEnded`] of a channel that was open: losing signalling ends the audio, and
/// further pushes fail with `AudioError::Ended`). Signalling is never reconnected behind the
/// caller's back: the server holds the session state.
///
/// A session started with a sink of the caller's
/// ([`SessionBuilder::start_with_sink`](super::SessionBuilder::start_with_sink)) delivers its
/// events there instead; its `next_event` and `Stream` then end at once.
#[derive(Debug)]
pub struct Session {
    client: Client,
    namespace: String,
    call_id: String,
    /// The session's own queue; `None` when the events go to the caller's sink.
    events: Option<sized_queue::Receiver<Box<Event>>>,
    /// `next_event`'s timeout, kept between calls: a reader polling in a loop moves it only
    /// when it fires early, instead of registering and cancelling a timer for every event.
    deadline: LazyDeadline,
    audio: AudioSender,
    route: Arc<Route>,
}

impl Session {
    /// Starts from settings that passed [`SessionSettings::validate`], delivering events to
    /// `sink`, or to the session's own queue when there is none.
    pub(crate) async fn start(
        settings: Box<SessionSettings>,
        sink: Option<Box<dyn EventSink>>,
    ) -> Result<Self, SessionError> {
        let payload = settings.initialize_payload()?;
        let call_id = settings.call_id().unwrap_or_default().to_owned();
        let token = settings.token_provider()?;
        let url = settings
            .endpoint_url
            .as_ref()
            .map_or("", |url| url.as_str());
        let mut options = ConnectOptions::new(url)
            .socketio_path(settings.socketio_path.clone())
            .token_provider(token.clone())
            .connect_timeout(settings.timeout(TimeoutKind::Connect))
            .tls(settings.tls.clone())
            .proxy(settings.proxy.clone())
            .event_capacity(settings.event_capacity)
            .event_bytes(settings.event_queue_bytes)
            .max_incoming_message(settings.max_event_bytes)
            .reconnection(Reconnection::disabled());
        if let Some(namespace) = settings.namespace() {
            options = options.namespace(namespace);
        }
        let namespace = options.namespaces()[0].clone();
        let channel = settings.audio_channel();
        let buffer = channel
            .as_ref()
            .map(|_| SendBuffer::new(settings.audio_buffer_bytes));
        let (codec, channels) = channel
            .as_ref()
            .map_or((Codec::Mulaw, 1), |c| (c.codec, c.channels));
        let audio = AudioSender::new(buffer.clone(), codec, channels);
        let (sink, events) = match sink {
            Some(sink) => (sink, None),
            None => {
                let (sender, receiver) =
                    sized_queue::channel(settings.event_capacity, settings.event_queue_bytes);
                (Box::new(sender) as Box<dyn EventSink>, Some(receiver))
            }
        };
        let route = Arc::new(Route {
            namespace: namespace.clone(),
            call_id: call_id.clone(),
            consumer_ready: AtomicBool::new(false),
            score_threshold: settings.score_threshold(),
            audio: buffer,
            state: Mutex::new(RouteState::new(SinkHold::new(sink), channel)),
        });
        let client = connect_with_fresh_token(options, &token, &route).await?;
        client.emit(&namespace, "initialize", vec![payload]).await?;
        tracing::info!(%call_id, %namespace, "session initialized");
        Ok(Self {
            client,
            namespace,
            call_id,
            events,
            deadline: LazyDeadline::default(),
            audio,
            route,
        })
    }

    /// The `call_id` joining this session to its audio channel.
    pub fn call_id(&self) -> &str {
        &self.call_id
    }

    /// The Socket.IO namespace the session joined.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The next event, waiting at most `timeout`: `Ok(None)` once the session ended,
    /// `Err(Timeout)` when nothing arrived in time (`Duration::ZERO` never waits). The timer
    /// outlives the call (a loop of calls registers it once), so a task that stops calling may
    /// be woken once more, when the last call's time would have run out.
    pub async fn next_event(&mut self, timeout: Duration) -> Result<Option<Event>, SessionError> {
        let Some(events) = &mut self.events else {
            return Ok(None);
        };
        if timeout.is_zero() {
            return match events.try_recv() {
                Ok(event) => Ok(Some(*event)),
                Err(mpsc::error::TryRecvError::Empty) => Err(SessionError::Timeout(timeout)),
                Err(mpsc::error::TryRecvError::Disconnected) => Ok(None),
            };
        }
        // No deadline (a timeout too large to add) waits for the next event or the end.
        let deadline = Instant::now().checked_add(timeout);
        let timer = &mut self.deadline;
        std::future::poll_fn(|cx| {
            if let Poll::Ready(event) = events.poll_recv(cx) {
                return Poll::Ready(Ok(event.map(|event| *event)));
            }
            match deadline {
                Some(deadline) => timer
                    .poll_until(deadline, cx)
                    .map(|()| Err(SessionError::Timeout(timeout))),
                None => Poll::Pending,
            }
        })
        .await
    }

    /// Queues call audio (copied, in the channel's wire codec) without waiting. Audio pushed
    /// before `info-consumer-ready` waits in the bounded buffer; `WouldBlock` when it is full.
    pub fn push_audio(&self, data: &[u8]) -> Result<(), AudioError> {
        self.audio.push(data)
    }

    /// A cloneable handle for pushing audio from another task (`push_wait`, `push_wav`).
    pub fn audio(&self) -> AudioSender {
        self.audio.clone()
    }

    /// No more audio will be pushed: the channel sends what is queued, then closes.
    pub fn end_audio(&self) {
        self.audio.end();
    }

    /// True once `info-consumer-ready` arrived.
    pub fn consumer_ready(&self) -> bool {
        self.route.consumer_ready.load(Ordering::Acquire)
    }

    /// Disconnects the signalling (bounded wait) and ends the event queue and the audio.
    pub async fn close(self) {
        self.audio.abandon();
        self.client.disconnect().await;
        self.route.abort_audio();
    }
}

impl futures_util::Stream for Session {
    type Item = Event;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        match &mut self.events {
            Some(events) => events.poll_recv(cx).map(|event| event.map(|event| *event)),
            None => Poll::Ready(None),
        }
    }
}

/// Connects; a refusal with a client-credentials token is retried once, with the token that
/// replaced the refused one (see [`SessionBuilder::start`]).
async fn connect_with_fresh_token(
    options: ConnectOptions,
    token: &TokenProvider,
    route: &Arc<Route>,
) -> Result<Client, SocketIoError> {
    match Client::connect_with_sink(options.clone(), route.clone()).await {
        Err(refused) if refused.is_refusal() && token.refreshable() => {
            tracing::info!(error = %refused, "connection refused; retrying once with a fresh token");
            Client::connect_with_sink(options, route.clone()).await
        }
        other => other,
    }
}
