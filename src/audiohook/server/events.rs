//! What the application sees of one server-side session: the accepted `open`, an ordered
//! event stream (audio with positions, pause/resume, close) bounded by count and bytes, and a
//! control handle.

use bytes::Bytes;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::audiohook::duration::StreamDuration;
use crate::audiohook::messages::{
    CloseReason, DisconnectReason, ErrorParameters, EventEntity, Gap, MediaChannel, MediaParameter,
    OpenParameters, UpdateParameters,
};
use crate::sized_queue;

/// One binary frame, decoded per channel.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioFrame {
    /// Position of the frame's first sample: samples received so far on this session.
    pub position: StreamDuration,
    /// The frame as received (interleaved in `channels` order).
    pub raw: Bytes,
    /// The channel order of the selected media.
    pub channels: Vec<MediaChannel>,
    /// Linear samples per channel, in `channels` order.
    pub samples: Vec<Vec<i16>>,
}

impl AudioFrame {
    /// Memory the frame holds: the raw bytes and the decoded samples.
    pub fn bytes(&self) -> usize {
        let samples: usize = self.samples.iter().map(Vec::len).sum();
        self.raw.len() + samples * std::mem::size_of::<i16>()
    }

    /// The samples of `channel`, if the selected media carries it.
    pub fn channel(&self, channel: MediaChannel) -> Option<&[i16]> {
        let index = self.channels.iter().position(|&c| c == channel)?;
        self.samples.get(index).map(Vec::as_slice)
    }
}

/// How a session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEnd {
    /// The client ran the close transaction and the server answered `closed`.
    Closed(CloseReason),
    /// A protocol violation; the server sent `disconnect{reason:"error"}` with this info.
    ProtocolError(String),
    /// The client failed authentication; `disconnect{reason:"unauthorized"}` was sent.
    Unauthorized(String),
    /// Audio arrived further ahead of real time than
    /// [`max_audio_lead`](super::ServerConfig::max_audio_lead) allows;
    /// `disconnect{reason:"error"}` was sent with this info.
    RateExceeded(String),
    /// The connection dropped without a close transaction.
    ConnectionLost,
}

/// One event of a session, in wire order.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionEvent {
    /// A binary frame of audio.
    Audio(AudioFrame),
    /// The client paused at this position.
    Paused {
        /// The client's stream position when it paused.
        position: StreamDuration,
    },
    /// The client resumed; audio from `start` lasting `discarded` was not sent.
    Resumed(Gap),
    /// The client skipped audio.
    Discarded(Gap),
    /// The client sent `update` (already answered with `updated`).
    Update(UpdateParameters),
    /// The client reported an error.
    ClientError(ErrorParameters),
    /// Last event: the session is over.
    Ended(SessionEnd),
}

#[derive(Debug)]
pub(super) enum Command {
    Pause,
    Resume,
    Event(Vec<EventEntity>),
    Disconnect(DisconnectReason, Option<String>),
}

/// The session is gone; the command was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("AudioHook session has ended")]
pub struct SessionGone;

/// Sends server-initiated messages on a session. Cloneable.
#[derive(Debug, Clone)]
pub struct SessionControl {
    pub(super) commands: mpsc::UnboundedSender<Command>,
}

impl SessionControl {
    fn send(&self, command: Command) -> Result<(), SessionGone> {
        self.commands.send(command).map_err(|_| SessionGone)
    }

    /// Sends `pause`; the client answers `paused`.
    pub fn pause(&self) -> Result<(), SessionGone> {
        self.send(Command::Pause)
    }

    /// Sends `resume`; the client answers `resumed` (or `paused` if it paused itself).
    pub fn resume(&self) -> Result<(), SessionGone> {
        self.send(Command::Resume)
    }

    /// Sends an `event` with `entities` (only while open, paused or closing).
    pub fn send_event(&self, entities: Vec<EventEntity>) -> Result<(), SessionGone> {
        self.send(Command::Event(entities))
    }

    /// Sends `disconnect`; the client then runs its close transaction. Use
    /// [`DisconnectReason::Completed`] when enough audio was received.
    pub fn disconnect(
        &self,
        reason: DisconnectReason,
        info: Option<String>,
    ) -> Result<(), SessionGone> {
        self.send(Command::Disconnect(reason, info))
    }
}

/// One accepted AudioHook session.
#[derive(Debug)]
pub struct ServerSession {
    /// `Audiohook-Session-Id`, the `id` of every message.
    pub session_id: Uuid,
    /// `Audiohook-Correlation-Id`.
    pub correlation_id: Uuid,
    /// The client's `open` parameters (`conversationId` carries the das-Peak `call_id`).
    pub open: OpenParameters,
    /// The selected media, `None` when nothing was selected.
    pub media: Option<MediaParameter>,
    pub(super) events: sized_queue::Receiver<SessionEvent>,
    pub(super) control: SessionControl,
}

impl ServerSession {
    /// True for a Genesys connection probe (nil conversation or participant id).
    pub fn is_probe(&self) -> bool {
        self.open.is_probe()
    }

    /// The next event; `None` after [`SessionEvent::Ended`].
    pub async fn next_event(&mut self) -> Option<SessionEvent> {
        self.events.recv().await
    }

    /// A handle for server-initiated messages.
    pub fn control(&self) -> SessionControl {
        self.control.clone()
    }
}
