//! The running client session: writes paced audio, answers server messages, pings, pauses
//! and runs the close transaction. It owns the socket, so every write is ordered.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{Instant, Sleep};
use tokio_tungstenite::tungstenite::{self, Message};
use uuid::Uuid;

use super::config::ClientConfig;
use super::connect::{message, Ws};
use super::error::{ClientEnd, ClientError};
use super::layout::Layout;
use super::rtt::RttLog;
use crate::audio::pacing::Pacing;
use crate::audio::pump::{PacedFrames, PumpItem};
use crate::audio::send_buffer::SendBuffer;
use crate::audiohook::duration::StreamDuration;
use crate::audiohook::messages::{
    ClientBody, CloseParameters, CloseReason, DisconnectReason, Empty, ErrorParameters,
    EventEntity, Gap, PingParameters, ServerBody, ServerMessage, UpdateParameters, MAX_TEXT_LEN,
    SAMPLE_RATE,
};
use crate::ws_read_gate::ReadGate;
use crate::ws_write::{closed_by_peer, send_within};

/// Application requests.
#[derive(Debug)]
pub(super) enum Command {
    Pause,
    Resume,
    Update(String),
    Error {
        code: u16,
        message: String,
    },
    /// No more audio will be pushed.
    Finish,
}

type Outcome = Result<ClientEnd, ClientError>;

/// What the driver woke for, in the order it looks.
enum Wake {
    Incoming(Option<Result<Message, tungstenite::Error>>),
    Command(Command),
    Audio(PumpItem),
    PingDue,
    CloseTimedOut,
}

pub(super) struct Driver {
    pub ws: Ws,
    pub id: Uuid,
    pub seq: u64,
    pub serverseq: u64,
    pub position: u64,
    pub layout: Option<Layout>,
    pub buffer: SendBuffer,
    pub pacing: Pacing,
    pub server_paused: bool,
    pub client_paused: bool,
    pub pause_start: u64,
    pub discard_until: u64,
    pub ping_outstanding: Option<(u64, Instant)>,
    pub rtt: Option<Duration>,
    pub rtts: RttLog,
    pub next_ping: Instant,
    pub ping_interval: Duration,
    pub close_timeout: Duration,
    pub write_stall_timeout: Duration,
    pub closing: Option<(Instant, Outcome)>,
    /// Set when the close transaction completed.
    pub done: Option<Outcome>,
    pub events: mpsc::Sender<Vec<EventEntity>>,
}

/// Unread `event` messages kept for the application; the reader never waits for room, so
/// a server flooding events cannot stall the audio or fill memory.
pub(super) const EVENT_QUEUE: usize = 64;

impl Driver {
    pub fn new(
        ws: Ws,
        config: &ClientConfig,
        buffer: SendBuffer,
        layout: Option<Layout>,
        events: mpsc::Sender<Vec<EventEntity>>,
    ) -> Driver {
        Driver {
            ws,
            id: config.session_id,
            seq: 1,
            serverseq: 1,
            position: 0,
            layout,
            buffer,
            pacing: config.pacing,
            server_paused: false,
            client_paused: false,
            pause_start: 0,
            discard_until: 0,
            ping_outstanding: None,
            rtt: None,
            rtts: RttLog::default(),
            next_ping: crate::deadline::deadline_in(config.ping_delay),
            ping_interval: config.ping_interval,
            close_timeout: config.close_timeout,
            write_stall_timeout: config.write_stall_timeout,
            closing: None,
            done: None,
            events,
        }
    }

    fn paused(&self) -> bool {
        self.server_paused || self.client_paused
    }

    /// Paced as fast as possible there is no clock to discard against: while paused, audio
    /// waits in the buffer.
    fn holding_audio(&self) -> bool {
        self.pacing == Pacing::AsFastAsPossible && self.paused()
    }

    fn position(&self) -> StreamDuration {
        StreamDuration::from_samples(self.position, SAMPLE_RATE)
    }

    /// Sends a message right after `opened` (`paused`, `discarded`).
    pub async fn send_initial(&mut self, body: ClientBody) -> Result<(), ClientError> {
        self.send(body).await
    }

    async fn send(&mut self, body: ClientBody) -> Result<(), ClientError> {
        self.seq += 1;
        let text = message(self.id, self.seq, self.serverseq, self.position(), body);
        self.write(text).await
    }

    /// Writes `message`. A write that fails because the server closed the socket (its Close
    /// stands behind the failure) is that close; nothing is written once the stream is done.
    async fn write(&mut self, message: Message) -> Result<(), ClientError> {
        if self.done.is_some() {
            return Ok(());
        }
        match send_within(&mut self.ws, message, self.write_stall_timeout).await {
            Ok(()) => Ok(()),
            Err(failure) if closed_by_peer(&mut self.ws, &failure, self.close_timeout).await => {
                self.on_socket_closed();
                Ok(())
            }
            Err(failure) => Err(failure.into()),
        }
    }

    /// Starts the close transaction; `outcome` is reported once `closed` arrives.
    async fn close(&mut self, reason: CloseReason, outcome: Outcome) -> Result<(), ClientError> {
        if let Some((_, current)) = &mut self.closing {
            // A failure reported while our close is under way (e.g. the server's
            // `disconnect{error}` crossing our `close`) still decides the outcome.
            if current.is_ok() && outcome.is_err() {
                *current = outcome;
            }
            return Ok(());
        }
        self.buffer.close();
        self.closing = Some((crate::deadline::deadline_in(self.close_timeout), outcome));
        self.send(ClientBody::Close(CloseParameters { reason }))
            .await
    }

    /// Reports a protocol problem with `error`, then closes with reason `error`.
    async fn fail(&mut self, code: u16, text: &str, error: ClientError) -> Result<(), ClientError> {
        tracing::warn!(code, text, %error, "AudioHook client error");
        if self.closing.is_some() {
            return Err(error);
        }
        self.send(ClientBody::Error(ErrorParameters {
            code,
            message: text.into(),
            retry_after: None,
        }))
        .await?;
        self.close(CloseReason::Error, Err(error)).await
    }

    /// Sends `paused`, entering the pause if this is its start.
    async fn enter_pause(&mut self, was_paused: bool) -> Result<(), ClientError> {
        if !was_paused {
            self.pause_start = self.position;
        }
        self.send(ClientBody::Paused(Empty {})).await
    }

    async fn leave_pause(&mut self, was_paused: bool) -> Result<(), ClientError> {
        if self.paused() {
            // Still paused by the other side: say so.
            return self.send(ClientBody::Paused(Empty {})).await;
        }
        let start = if was_paused {
            self.pause_start
        } else {
            self.position
        };
        let gap = Gap {
            start: StreamDuration::from_samples(start, SAMPLE_RATE),
            discarded: StreamDuration::from_samples(self.position - start, SAMPLE_RATE),
        };
        self.send(ClientBody::Resumed(gap)).await
    }

    /// Runs the session until it ends. Handlers of the rare messages are boxed, so the
    /// suspended state between frames (the task's size for its whole life) stays small.
    pub async fn run(
        &mut self,
        mut frames: PacedFrames,
        mut commands: mpsc::UnboundedReceiver<Command>,
    ) -> Outcome {
        // One timer for the pings, moved only when the next ping is due at another time: a
        // new timer per loop would be registered and cancelled again for every frame.
        let ping = tokio::time::sleep_until(self.next_ping);
        tokio::pin!(ping);
        let mut close_timer = None;
        let mut read_gate = ReadGate::default();
        loop {
            if ping.deadline() != self.next_ping {
                ping.as_mut().reset(self.next_ping);
            }
            if let (Some((deadline, _)), None) = (&self.closing, &close_timer) {
                close_timer = Some(Box::pin(tokio::time::sleep_until(*deadline)));
            }
            let open = self.closing.is_none();
            let audio = open && !self.holding_audio();
            // Every source is polled in place, not through a `select!` that would build and
            // drop a future (and its waker registration) for each of them at every frame. In
            // this order: application commands issued before `finish` go out before the close.
            let wake = std::future::poll_fn(|cx| {
                if let Poll::Ready(incoming) = read_gate.poll_next(&mut self.ws, cx) {
                    return Poll::Ready(Wake::Incoming(incoming));
                }
                if open {
                    if let Poll::Ready(Some(command)) = commands.poll_recv(cx) {
                        return Poll::Ready(Wake::Command(command));
                    }
                }
                if audio {
                    if let Poll::Ready(Some(item)) = frames.poll_next(cx) {
                        return Poll::Ready(Wake::Audio(item));
                    }
                }
                if open && ping.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Wake::PingDue);
                }
                let timed_out = close_timer
                    .as_mut()
                    .is_some_and(|timer: &mut Pin<Box<Sleep>>| timer.as_mut().poll(cx).is_ready());
                match timed_out {
                    true => Poll::Ready(Wake::CloseTimedOut),
                    false => Poll::Pending,
                }
            })
            .await;
            let step = match wake {
                Wake::Incoming(incoming) => match incoming {
                    Some(Ok(Message::Text(text))) => Box::pin(self.on_text(text.as_str())).await,
                    Some(Ok(Message::Binary(_))) => {
                        Box::pin(self.fail(
                            415,
                            "Unexpected binary message",
                            ClientError::Protocol("binary message from server".into()),
                        ))
                        .await
                    }
                    Some(Ok(Message::Close(_))) => {
                        self.on_socket_closed();
                        Ok(())
                    }
                    None => Err(ClientError::ConnectionLost(
                        "connection ended without a close handshake".into(),
                    )),
                    Some(Err(e)) => Err(ClientError::ConnectionLost(e.to_string())),
                    Some(Ok(_)) => Ok(()),
                },
                Wake::Command(command) => Box::pin(self.on_command(command)).await,
                Wake::Audio(item) => self.on_audio(item).await,
                Wake::PingDue => Box::pin(self.on_ping_tick()).await,
                Wake::CloseTimedOut => {
                    let body = ClientBody::Error(ErrorParameters {
                        code: 408,
                        message: "Close transaction timeout".into(),
                        retry_after: None,
                    });
                    let _ = Box::pin(self.send(body)).await;
                    Err(ClientError::CloseTimeout)
                }
            };
            let outcome = match step {
                Err(error) => Err(error),
                Ok(()) => match self.done.take() {
                    Some(outcome) => outcome,
                    None => continue,
                },
            };
            self.buffer.close();
            crate::ws_write::close_within(&mut self.ws, self.write_stall_timeout).await;
            return outcome;
        }
    }

    /// A clean WebSocket close from the server. During a close transaction it ends it; while
    /// streaming it is how a consumer that has enough audio may stop without `disconnect`
    /// (das-Peak documents closing the socket), so it is a consumer close, not a failure.
    fn on_socket_closed(&mut self) {
        self.buffer.close();
        self.done = Some(match self.closing.take() {
            Some((_, outcome)) => outcome,
            None => Ok(ClientEnd::ConsumerClosed {
                info: Some("server closed the WebSocket".into()),
            }),
        });
    }

    async fn on_audio(&mut self, item: PumpItem) -> Result<(), ClientError> {
        match item {
            PumpItem::Done => self.close(CloseReason::End, Ok(ClientEnd::Finished)).await,
            PumpItem::Frame { bytes, samples } => {
                let start = self.position;
                self.position += samples;
                if self.paused() || start < self.discard_until {
                    return Ok(());
                }
                match &self.layout {
                    Some(layout) => {
                        let wire = Message::binary(layout.convert(bytes));
                        self.write(wire).await
                    }
                    None => Ok(()),
                }
            }
        }
    }

    async fn on_command(&mut self, command: Command) -> Result<(), ClientError> {
        let was_paused = self.paused();
        match command {
            Command::Pause => {
                self.client_paused = true;
                self.enter_pause(was_paused).await
            }
            Command::Resume if self.client_paused => {
                self.client_paused = false;
                self.leave_pause(was_paused).await
            }
            Command::Resume => Ok(()),
            Command::Update(language) => {
                self.send(ClientBody::Update(UpdateParameters {
                    language: Some(language),
                }))
                .await
            }
            Command::Finish if self.paused() => {
                self.close(CloseReason::End, Ok(ClientEnd::Finished)).await
            }
            Command::Finish => Ok(()),
            Command::Error { code, message } => {
                self.send(ClientBody::Error(ErrorParameters {
                    code,
                    message,
                    retry_after: None,
                }))
                .await
            }
        }
    }

    async fn on_ping_tick(&mut self) -> Result<(), ClientError> {
        if self.ping_outstanding.is_some() {
            return self
                .fail(408, "Timeout waiting for pong", ClientError::PongTimeout)
                .await;
        }
        self.next_ping = crate::deadline::deadline_in(self.ping_interval);
        self.ping().await
    }

    async fn ping(&mut self) -> Result<(), ClientError> {
        let rtt = self.rtt.map(StreamDuration);
        self.send(ClientBody::Ping(PingParameters { rtt })).await?;
        self.ping_outstanding = Some((self.seq, Instant::now()));
        Ok(())
    }

    async fn on_text(&mut self, text: &str) -> Result<(), ClientError> {
        if text.len() > MAX_TEXT_LEN {
            return self
                .fail(
                    413,
                    "Message too large",
                    ClientError::Protocol("server message too large".into()),
                )
                .await;
        }
        let message = match ServerMessage::parse(text) {
            Ok(message) => message,
            Err(e) => {
                return self
                    .fail(400, "Message not an AudioHook server message", e.into())
                    .await
            }
        };
        if message.id != self.id {
            return self
                .fail(
                    400,
                    "Session identifier mismatch",
                    ClientError::Protocol("session id mismatch".into()),
                )
                .await;
        }
        if message.seq != self.serverseq + 1 {
            let detail = format!(
                "Current serverseq={} and incoming message has seq={}",
                self.serverseq, message.seq
            );
            return self
                .fail(500, "Internal client error", ClientError::Protocol(detail))
                .await;
        }
        self.serverseq = message.seq;
        let closing = self.closing.is_some();
        let was_paused = self.paused();
        match message.body {
            ServerBody::Closed(_) if closing => {
                self.done = self.closing.take().map(|(_, outcome)| outcome);
                Ok(())
            }
            ServerBody::Closed(_) | ServerBody::Opened(_) => {
                self.fail(
                    409,
                    "Unexpected message",
                    ClientError::Protocol("unexpected opened/closed".into()),
                )
                .await
            }
            ServerBody::Disconnect(disconnect) => {
                let info = disconnect.info;
                let outcome = match disconnect.reason {
                    DisconnectReason::Completed => Ok(ClientEnd::ConsumerClosed { info }),
                    DisconnectReason::Unauthorized => {
                        Err(ClientError::Unauthorized(info.unwrap_or_default()))
                    }
                    DisconnectReason::Error => {
                        Err(ClientError::ServerError(info.unwrap_or_default()))
                    }
                };
                self.close(CloseReason::Disconnect, outcome).await
            }
            ServerBody::Pause(_) if !closing => {
                self.server_paused = true;
                self.enter_pause(was_paused).await
            }
            ServerBody::Resume(_) if !closing => {
                self.server_paused = false;
                self.leave_pause(was_paused).await
            }
            ServerBody::Pong(_) => match self.ping_outstanding.take() {
                Some((seq, _)) if message.clientseq != seq => {
                    self.fail(
                        400,
                        "Pong does not answer the outstanding ping",
                        ClientError::Protocol("pong clientseq".into()),
                    )
                    .await
                }
                Some((_, sent)) => {
                    let first = self.rtt.is_none();
                    let rtt = sent.elapsed();
                    self.rtt = Some(rtt);
                    self.rtts.record(rtt);
                    if first && !closing {
                        self.ping().await?;
                    }
                    Ok(())
                }
                None => {
                    let body = ClientBody::Error(ErrorParameters {
                        code: 409,
                        message: "Unexpected pong".into(),
                        retry_after: None,
                    });
                    self.send(body).await
                }
            },
            ServerBody::Event(event) => {
                if let Err(mpsc::error::TrySendError::Full(_)) =
                    self.events.try_send(event.entities)
                {
                    tracing::warn!(session = %self.id, "AudioHook event dropped: {EVENT_QUEUE} unread events queued");
                }
                Ok(())
            }
            other => {
                tracing::debug!(?other, "AudioHook server message ignored");
                Ok(())
            }
        }
    }
}
