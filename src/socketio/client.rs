//! The application-facing handle: emits, acks, state queries and disconnect. All I/O happens in
//! the connection task (`connection.rs`); the handle encodes packets and queues frames.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use super::connection;
use super::events::{Ack, Events};
use super::packet::{check_placeholders, Packet};
use super::sink::IncomingSink;
use super::{ConnectOptions, SocketIoError};
use crate::sized_queue;

/// How long `disconnect()` waits for the connection task to close the WebSocket.
const DISCONNECT_WAIT: Duration = Duration::from_secs(5);

/// A Socket.IO v5 client connection (websocket transport). Cheap to clone; the connection closes
/// when [`disconnect`](Self::disconnect) is called or every clone is dropped.
#[derive(Clone, Debug)]
pub struct Client {
    cmd: mpsc::Sender<Command>,
    shared: Arc<Shared>,
}

/// Work queued for the connection task.
#[derive(Debug)]
pub(crate) enum Command {
    /// Boxed, like the events: the command queue preallocates a block of 32 slots.
    Send(Box<Frames>),
    Disconnect(oneshot::Sender<()>),
}

/// One encoded packet: the Engine.IO text frame and its binary attachments.
#[derive(Debug)]
pub(crate) struct Frames {
    pub text: String,
    pub binary: Vec<Bytes>,
}

impl Frames {
    /// Encodes `packet`, refusing anything the server's `maxPayload` would reject.
    pub(crate) fn encode(
        packet: &Packet,
        binary: Vec<Bytes>,
        max_payload: usize,
    ) -> Result<Self, SocketIoError> {
        if let Some(data) = &packet.data {
            check_placeholders(data, binary.len())?;
        }
        let text = format!("4{}", packet.encode());
        for size in std::iter::once(text.len()).chain(binary.iter().map(Bytes::len)) {
            if size > max_payload {
                return Err(SocketIoError::PayloadTooLarge {
                    size,
                    max: max_payload,
                });
            }
        }
        Ok(Self { text, binary })
    }
}

/// State shared between the handle and the connection task.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    pub state: Mutex<State>,
    next_ack: AtomicU64,
    pub acks: Mutex<HashMap<u64, PendingAck>>,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    /// Engine.IO session id.
    pub sid: Option<String>,
    /// Connected namespaces and their Socket.IO sids.
    pub namespaces: HashMap<String, String>,
    pub max_payload: usize,
}

#[derive(Debug)]
pub(crate) struct PendingAck {
    pub namespace: String,
    pub reply: oneshot::Sender<Ack>,
}

impl Shared {
    pub(crate) fn lock_state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn lock_acks(&self) -> std::sync::MutexGuard<'_, HashMap<u64, PendingAck>> {
        self.acks.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Forgets the connection: no namespaces, and every pending ack fails with `Closed`.
    pub(crate) fn reset(&self) {
        let mut state = self.lock_state();
        state.sid = None;
        state.namespaces.clear();
        self.lock_acks().clear();
    }
}

impl Client {
    /// Connects the WebSocket, completes the Engine.IO handshake and CONNECTs every namespace.
    /// Returns once the server accepted all of them, or the server's CONNECT_ERROR as
    /// [`SocketIoError::ConnectRefused`]. The initial connection is not retried.
    pub async fn connect(options: ConnectOptions) -> Result<(Client, Events), SocketIoError> {
        let (events_tx, rx) = sized_queue::channel(options.event_capacity, options.event_bytes);
        let client = Self::connect_with_sink(options, events_tx).await?;
        Ok((client, Events { rx }))
    }

    /// [`connect`](Self::connect), with what arrives delivered to `sink` by the task reading
    /// the socket instead of to an [`Events`] queue (`event_capacity` and `event_bytes` then
    /// do not apply). See [`IncomingSink`] for what the sink is promised; while it has no room
    /// the connection reads no more.
    pub async fn connect_with_sink(
        options: ConnectOptions,
        sink: impl IncomingSink,
    ) -> Result<Client, SocketIoError> {
        let (cmd, cmd_rx) = mpsc::channel(64);
        let shared = Arc::new(Shared::default());
        connection::start(
            options,
            shared.clone(),
            cmd.downgrade(),
            cmd_rx,
            Box::new(sink),
        )
        .await?;
        Ok(Client { cmd, shared })
    }

    /// Emits `event` with JSON arguments on `namespace`.
    pub async fn emit(
        &self,
        namespace: &str,
        event: &str,
        args: Vec<Value>,
    ) -> Result<(), SocketIoError> {
        self.emit_binary(namespace, event, args, Vec::new()).await
    }

    /// Emits a BINARY_EVENT: placeholders ([`placeholder`](super::placeholder)) in `args` refer
    /// to `attachments` by index.
    pub async fn emit_binary(
        &self,
        namespace: &str,
        event: &str,
        args: Vec<Value>,
        attachments: Vec<Bytes>,
    ) -> Result<(), SocketIoError> {
        let max = self.max_payload(namespace)?;
        let packet = Packet::event(namespace, event, args, None, attachments.len());
        self.queue(Frames::encode(&packet, attachments, max)?).await
    }

    /// Emits `event` requesting an ack and waits at most `timeout` for it.
    pub async fn emit_with_ack(
        &self,
        namespace: &str,
        event: &str,
        args: Vec<Value>,
        timeout: Duration,
    ) -> Result<Ack, SocketIoError> {
        self.emit_binary_with_ack(namespace, event, args, Vec::new(), timeout)
            .await
    }

    /// [`emit_with_ack`](Self::emit_with_ack) with binary attachments.
    pub async fn emit_binary_with_ack(
        &self,
        namespace: &str,
        event: &str,
        args: Vec<Value>,
        attachments: Vec<Bytes>,
        timeout: Duration,
    ) -> Result<Ack, SocketIoError> {
        let max = self.max_payload(namespace)?;
        let id = self.shared.next_ack.fetch_add(1, Ordering::Relaxed);
        let packet = Packet::event(namespace, event, args, Some(id), attachments.len());
        let frames = Frames::encode(&packet, attachments, max)?;
        let (reply, answer) = oneshot::channel();
        self.shared.lock_acks().insert(
            id,
            PendingAck {
                namespace: namespace.to_owned(),
                reply,
            },
        );
        let outcome = async {
            self.queue(frames).await?;
            answer.await.map_err(|_| SocketIoError::Closed)
        };
        let result = tokio::time::timeout(timeout, outcome).await;
        self.shared.lock_acks().remove(&id);
        result.map_err(|_| SocketIoError::AckTimeout(timeout))?
    }

    /// The Engine.IO session id, while connected.
    pub fn sid(&self) -> Option<String> {
        self.shared.lock_state().sid.clone()
    }

    /// The Socket.IO sid the server gave `namespace`, while connected.
    pub fn namespace_sid(&self, namespace: &str) -> Option<String> {
        self.shared.lock_state().namespaces.get(namespace).cloned()
    }

    /// True while at least one namespace is connected.
    pub fn connected(&self) -> bool {
        !self.shared.lock_state().namespaces.is_empty()
    }

    /// Sends DISCONNECT for every namespace, closes the WebSocket and stops reconnection.
    /// Waits at most 5 s for the connection task.
    pub async fn disconnect(&self) {
        let (done, finished) = oneshot::channel();
        if self.cmd.send(Command::Disconnect(done)).await.is_ok() {
            let _ = tokio::time::timeout(DISCONNECT_WAIT, finished).await;
        }
    }

    fn max_payload(&self, namespace: &str) -> Result<usize, SocketIoError> {
        let state = self.shared.lock_state();
        if !state.namespaces.contains_key(namespace) {
            return Err(SocketIoError::NotConnected(namespace.to_owned()));
        }
        Ok(state.max_payload)
    }

    async fn queue(&self, frames: Frames) -> Result<(), SocketIoError> {
        self.cmd
            .send(Command::Send(Box::new(frames)))
            .await
            .map_err(|_| SocketIoError::Closed)
    }
}
