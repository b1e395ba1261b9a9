//! What the connection task hands to the application: events (with ack handles) and
//! connection-state notifications, in wire order, over a queue bounded by count and bytes.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;
use tokio::sync::mpsc;

use super::client::{Command, Frames};
use super::packet::{placeholder_num, Packet};
use super::{DisconnectReason, SocketIoError};
use crate::sized_queue;

/// One item from [`Events`].
#[derive(Debug)]
pub enum Incoming {
    /// A server event. Names are data: `error`, `message`, `connect`… are ordinary events.
    /// Boxed to keep queue slots small (each idle connection preallocates a block of them).
    Event(Box<Event>),
    /// A namespace was accepted (on connect and again after each reconnection).
    Connected {
        /// The accepted namespace.
        namespace: String,
        /// The Socket.IO session id in that namespace.
        sid: String,
    },
    /// The connection (or, for [`DisconnectReason::ServerDisconnect`], one namespace) ended.
    Disconnected {
        /// Why it ended.
        reason: DisconnectReason,
    },
    /// A reconnection attempt will start after `delay`.
    Reconnecting {
        /// The attempt number, from 1.
        attempt: u32,
        /// The backoff before it.
        delay: Duration,
    },
}

/// A server event: `namespace`, `name`, JSON `args`, and binary `attachments`.
///
/// Binary arguments stay in `args` as placeholders `{"_placeholder":true,"num":n}` (at any
/// depth); attachment `n` is `attachments[n]`. [`Event::binary`] resolves one.
#[derive(Debug)]
pub struct Event {
    /// The namespace it arrived on.
    pub namespace: String,
    /// The event name (the packet's first array element).
    pub name: String,
    /// The remaining array elements.
    pub args: Vec<Value>,
    /// Binary attachments, in placeholder order.
    pub attachments: Vec<Bytes>,
    ack: Option<AckHandle>,
    wire_bytes: usize,
}

impl Event {
    pub(crate) fn new(
        namespace: String,
        name: String,
        args: Vec<Value>,
        attachments: Vec<Bytes>,
        ack: Option<AckHandle>,
        wire_bytes: usize,
    ) -> Self {
        Self {
            namespace,
            name,
            args,
            attachments,
            ack,
            wire_bytes,
        }
    }

    /// Bytes the event took on the wire (its packet and attachments): what it weighs in the
    /// byte-bounded event queues.
    pub fn wire_bytes(&self) -> usize {
        self.wire_bytes
    }

    /// True when the server asked for an acknowledgement (`sio.call` / emit with callback).
    pub fn wants_ack(&self) -> bool {
        self.ack.is_some()
    }

    /// Takes the handle that answers the server's ack request.
    pub fn take_ack(&mut self) -> Option<AckHandle> {
        self.ack.take()
    }

    /// The attachment a placeholder value stands for.
    pub fn binary(&self, value: &Value) -> Option<&Bytes> {
        placeholder_num(value).and_then(|n| self.attachments.get(n))
    }
}

/// Answers one server ack request. Dropping it sends nothing.
#[derive(Debug)]
pub struct AckHandle {
    pub(crate) namespace: String,
    pub(crate) id: u64,
    pub(crate) cmd: mpsc::WeakSender<Command>,
    pub(crate) max_payload: usize,
}

impl AckHandle {
    /// The ack id the server chose.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Sends `43<nsp>,<id>[args…]`.
    pub async fn send(self, args: Vec<Value>) -> Result<(), SocketIoError> {
        self.send_binary(args, Vec::new()).await
    }

    /// Sends a BINARY_ACK; placeholders in `args` refer to `attachments`.
    pub async fn send_binary(
        self,
        args: Vec<Value>,
        attachments: Vec<Bytes>,
    ) -> Result<(), SocketIoError> {
        let packet = Packet::ack(&self.namespace, self.id, args, attachments.len());
        let frames = Frames::encode(&packet, attachments, self.max_payload)?;
        let cmd = self.cmd.upgrade().ok_or(SocketIoError::Closed)?;
        cmd.send(Command::Send(Box::new(frames)))
            .await
            .map_err(|_| SocketIoError::Closed)
    }
}

/// The reply to [`Client::emit_with_ack`](super::Client::emit_with_ack).
#[derive(Clone, Debug, PartialEq)]
pub struct Ack {
    /// The ack's arguments (binary ones as placeholders).
    pub args: Vec<Value>,
    /// Binary attachments, in placeholder order.
    pub attachments: Vec<Bytes>,
}

/// The ordered, bounded stream of [`Incoming`] items of one connection. Ends (`None`) after
/// the final `Disconnected`.
#[derive(Debug)]
pub struct Events {
    /// Boxed slots: the queue preallocates a block of 32, kept for the connection's life.
    pub(crate) rx: sized_queue::Receiver<Box<Incoming>>,
}

impl Events {
    /// The next item; `None` after the final `Disconnected`.
    pub async fn recv(&mut self) -> Option<Incoming> {
        self.rx.recv().await.map(|item| *item)
    }

    /// Waits at most `timeout`; `Err(Timeout)` when nothing arrived, `Ok(None)` when closed.
    pub async fn recv_timeout(
        &mut self,
        timeout: Duration,
    ) -> Result<Option<Incoming>, SocketIoError> {
        match tokio::time::timeout(timeout, self.rx.recv()).await {
            Ok(item) => Ok(item.map(|item| *item)),
            Err(_) => Err(SocketIoError::Timeout(format!(
                "no event within {timeout:?}"
            ))),
        }
    }
}

impl futures_util::Stream for Events {
    type Item = Incoming;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Incoming>> {
        self.rx.poll_recv(cx).map(|item| item.map(|item| *item))
    }
}
