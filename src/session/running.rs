use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;
use tokio::sync::mpsc;

use super::audio::{AudioBuffer, AudioError};
use super::{Event, SessionBuilder};
use crate::socketio::{self, Client, ConnectOptions, Incoming, Reconnection, SocketIoError};

/// Why a session could not start or an event wait ended.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("signalling: {0}")]
    Signalling(#[from] SocketIoError),
    #[error("no session event within {0:?}")]
    Timeout(Duration),
}

/// A running das-Peak Streaming session.
///
/// Events arrive in order on one bounded queue ([`next_event`](Self::next_event) or the
/// `Stream` impl). The queue ends after [`Event::Disconnected`]. Signalling is never
/// reconnected behind the caller's back: the server holds the session state.
#[derive(Debug)]
pub struct Session {
    client: Client,
    namespace: String,
    call_id: String,
    events: mpsc::Receiver<Event>,
    audio: Arc<AudioBuffer>,
}

impl Session {
    pub(crate) async fn start(builder: SessionBuilder) -> Result<Self, SessionError> {
        let payload = builder.payload();
        let call_id = builder.current_call_id().to_owned();
        let options = ConnectOptions::new(builder.url)
            .socketio_path(builder.socketio_path)
            .token_provider(builder.token)
            .namespace(builder.namespace.clone())
            .connect_timeout(builder.connect_timeout)
            .tls(builder.tls)
            .event_capacity(builder.event_capacity)
            .reconnection(Reconnection::disabled());
        let namespace = options.namespaces()[0].clone();
        let (client, incoming) = Client::connect(options).await?;
        let audio = Arc::new(AudioBuffer::new(builder.audio_buffer_limit));
        let (events_tx, events) = mpsc::channel(builder.event_capacity);
        tokio::spawn(pump(
            incoming,
            events_tx,
            namespace.clone(),
            call_id.clone(),
            audio.clone(),
        ));
        client.emit(&namespace, "initialize", vec![payload]).await?;
        tracing::info!(%call_id, %namespace, "session initialized");
        Ok(Self {
            client,
            namespace,
            call_id,
            events,
            audio,
        })
    }

    /// The `call_id` joining this session to its audio channel.
    pub fn call_id(&self) -> &str {
        &self.call_id
    }

    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The next event, waiting at most `timeout`: `Ok(None)` once the session ended,
    /// `Err(Timeout)` when nothing arrived in time (`Duration::ZERO` never waits).
    pub async fn next_event(&mut self, timeout: Duration) -> Result<Option<Event>, SessionError> {
        if timeout.is_zero() {
            return match self.events.try_recv() {
                Ok(event) => Ok(Some(event)),
                Err(mpsc::error::TryRecvError::Empty) => Err(SessionError::Timeout(timeout)),
                Err(mpsc::error::TryRecvError::Disconnected) => Ok(None),
            };
        }
        tokio::time::timeout(timeout, self.events.recv())
            .await
            .map_err(|_| SessionError::Timeout(timeout))
    }

    /// Queues call audio (copied) for the audio channel. Audio pushed before
    /// `info-consumer-ready` waits in a bounded buffer; `WouldBlock` when it is full.
    pub fn push_audio(&self, data: &[u8]) -> Result<(), AudioError> {
        self.audio.push(data)
    }

    /// No more audio will be pushed.
    pub fn end_audio(&self) {
        self.audio.end();
    }

    /// True once `info-consumer-ready` arrived.
    pub fn consumer_ready(&self) -> bool {
        self.audio.consumer_ready()
    }

    /// Takes the audio pushed so far and whether it was ended, for an audio transport run
    /// outside this session (keyed by [`call_id`](Self::call_id)).
    pub fn take_audio(&self) -> (Vec<Bytes>, bool) {
        self.audio.drain()
    }

    /// Disconnects the signalling (bounded wait) and ends the event queue.
    pub async fn close(self) {
        self.client.disconnect().await;
    }
}

impl futures_util::Stream for Session {
    type Item = Event;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        self.events.poll_recv(cx)
    }
}

/// Moves the namespace's server events onto the session queue, typed, until signalling ends.
async fn pump(
    mut incoming: socketio::Events,
    events: mpsc::Sender<Event>,
    namespace: String,
    call_id: String,
    audio: Arc<AudioBuffer>,
) {
    let mut result_seen = false;
    while let Some(item) = incoming.recv().await {
        let event = match item {
            Incoming::Event(mut raw) if raw.namespace == namespace => {
                // Like python-socketio's catch-all handler returning None: ack with no data.
                if let Some(ack) = raw.take_ack() {
                    let _ = ack.send(Vec::new()).await;
                }
                let data = match raw.args.len() {
                    0 => Value::Null,
                    1 => raw.args.remove(0),
                    _ => Value::Array(std::mem::take(&mut raw.args)),
                };
                Event::from_wire(&raw.name, data)
            }
            Incoming::Disconnected { reason } => {
                if !result_seen {
                    tracing::warn!(%call_id, %reason, "signalling lost before a result");
                }
                let _ = events
                    .send(Event::disconnected(reason.to_string(), !result_seen))
                    .await;
                return;
            }
            Incoming::Event(_) | Incoming::Connected { .. } | Incoming::Reconnecting { .. } => {
                continue
            }
        };
        if matches!(event, Event::ConsumerReady { .. }) {
            audio.on_consumer_ready(&call_id);
        }
        result_seen |= event.is_result();
        if events.send(event).await.is_err() {
            return;
        }
    }
}
