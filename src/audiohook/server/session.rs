//! One server-side session: validates every client message (seq, serverseq, id, size,
//! state), answers the transactions, and forwards audio and state changes to the application.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{close_code, CloseFrame, Message, WebSocket};
use bytes::Bytes;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::auth::Upgrade;
use super::config::ServerConfig;
use super::events::{AudioFrame, Command, ServerSession, SessionControl, SessionEnd, SessionEvent};
use super::live::{LiveClaim, LiveSessions};
use super::MAX_WS_MESSAGE;
use crate::audiohook::duration::StreamDuration;
use crate::audiohook::messages::{
    ClientBody, ClientMessage, DisconnectParameters, DisconnectReason, Empty, EventParameters,
    MediaParameter, OpenParameters, OpenedParameters, ServerBody, ServerMessage, MAX_TEXT_LEN,
    SAMPLE_RATE, VERSION,
};
use crate::sized_queue;

/// How long a refused peer may take to answer `disconnect{unauthorized}` with `close`:
/// Genesys answers at once, and a peer that does not should not hold a connection place for
/// the whole `idle_timeout` (refused peers reconnecting would otherwise fill the server).
const UNAUTHORIZED_LINGER: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Preparing,
    Active,
    Paused,
    /// The application sent `disconnect`; waiting for the client's close transaction.
    Disconnecting,
    Closed,
    SignaledError,
    Unauthorized,
}

struct Session {
    socket: WebSocket,
    upgrade: Upgrade,
    config: Arc<ServerConfig>,
    state: State,
    seq: u64,
    clientseq: u64,
    samples: u64,
    media: Option<MediaParameter>,
    events: Option<sized_queue::Sender<SessionEvent>>,
    ended: bool,
    deadline: Option<Instant>,
    live: Arc<LiveSessions>,
    /// This session's id, held from `opened` to the end.
    claim: Option<LiveClaim>,
    /// When `opened` was sent: audio may not run further ahead of the clock than the limit.
    opened_at: Option<Instant>,
}

/// Runs a session to its end.
pub(super) async fn run(
    socket: WebSocket,
    upgrade: Upgrade,
    config: Arc<ServerConfig>,
    sessions: mpsc::Sender<ServerSession>,
    live: Arc<LiveSessions>,
) {
    let idle = crate::deadline::deadline_in(config.open_timeout);
    let mut session = Session {
        socket,
        upgrade,
        config,
        state: State::Preparing,
        seq: 0,
        clientseq: 0,
        samples: 0,
        media: None,
        events: None,
        ended: false,
        deadline: Some(idle),
        live,
        claim: None,
        opened_at: None,
    };
    let (commands_tx, mut commands) = mpsc::unbounded_channel();
    let mut pending = Some((sessions, commands_tx));
    let mut goodbye = None;
    let mut heard = Instant::now();
    // One timer for the whole session, moved on only when it fires: a timer set again for
    // every message would cost a registration per audio frame.
    let quiet_timer = tokio::time::sleep_until(Instant::now());
    tokio::pin!(quiet_timer);
    loop {
        let deadline = session.deadline;
        let quiet_limit = session.quiet_limit();
        let step = tokio::select! {
            message = session.socket.recv() => {
                let step = match message {
                    Some(Ok(Message::Text(text))) => session.on_text(text.as_str(), &mut pending).await,
                    Some(Ok(Message::Binary(data))) => session.on_binary(data).await,
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => Ok(()),
                    Some(Err(error)) if is_too_large(&error) => {
                        goodbye = Some(CloseFrame {
                            code: close_code::SIZE,
                            reason: format!("message larger than {MAX_WS_MESSAGE} bytes").into(),
                        });
                        Err(())
                    }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => Err(()),
                };
                // Counted from the end of the handling: while the application's queue is
                // full the socket is not read, and that wait is not the client's silence.
                heard = Instant::now();
                step
            }
            Some(command) = commands.recv() => session.on_command(command).await,
            _ = tokio::time::sleep_until(deadline.unwrap_or_else(Instant::now)), if deadline.is_some() => Err(()),
            () = &mut quiet_timer, if quiet_limit.is_some() => {
                // `None`: a limit past what the clock holds; looked at again a day later.
                let due = quiet_limit.and_then(|limit| heard.checked_add(limit));
                match due {
                    Some(due) if due <= Instant::now() => {
                        let silence = heard.elapsed().as_secs();
                        session.fail(format!("Client sent nothing for {silence} s")).await
                    }
                    _ => {
                        let later = || Instant::now() + Duration::from_secs(86_400);
                        quiet_timer.as_mut().reset(due.unwrap_or_else(later));
                        Ok(())
                    }
                }
            }
        };
        if step.is_err() {
            break;
        }
    }
    session.end(SessionEnd::ConnectionLost).await;
    crate::serve::close_websocket(&mut session.socket, goodbye).await;
}

/// A message over the WebSocket size limit; the peer is told with close code 1009.
fn is_too_large(error: &axum::Error) -> bool {
    // axum wraps the WebSocket library's capacity error; its text is all it exposes.
    error.to_string().contains("too long")
}

type Pending = Option<(mpsc::Sender<ServerSession>, mpsc::UnboundedSender<Command>)>;

impl Session {
    async fn send(&mut self, body: ServerBody) -> Result<(), ()> {
        self.seq += 1;
        let message = ServerMessage {
            version: VERSION.into(),
            id: self.upgrade.session_id,
            seq: self.seq,
            clientseq: self.clientseq,
            body,
        };
        self.socket
            .send(Message::Text(message.to_text().into()))
            .await
            .map_err(|_| ())
    }

    async fn emit(&mut self, event: SessionEvent) {
        if let Some(events) = &self.events {
            let weight = match &event {
                SessionEvent::Audio(frame) => frame.bytes(),
                _ => 0,
            };
            // An application that dropped its session no longer wants events.
            let _ = events.send(event, weight).await;
        }
    }

    /// Emits the terminal event once.
    async fn end(&mut self, how: SessionEnd) {
        if !self.ended {
            self.ended = true;
            self.emit(SessionEvent::Ended(how)).await;
        }
    }

    /// How long the session may stay quiet: `None` before `opened`, once it ends, or when the
    /// configuration sets no limit.
    fn quiet_limit(&self) -> Option<Duration> {
        let opened = matches!(self.state, State::Active | State::Paused);
        self.config.quiet_timeout.filter(|_| opened)
    }

    fn linger(&mut self) {
        self.deadline = Some(crate::deadline::deadline_in(self.config.idle_timeout));
    }

    /// Signals a protocol error with `disconnect{error}` (unless errors are suppressed).
    async fn fail(&mut self, info: String) -> Result<(), ()> {
        if matches!(
            self.state,
            State::Closed | State::SignaledError | State::Unauthorized
        ) {
            return Err(());
        }
        tracing::info!(session = %self.upgrade.session_id, %info, "AudioHook protocol error");
        self.state = State::SignaledError;
        self.linger();
        let sent = self
            .send(ServerBody::Disconnect(DisconnectParameters {
                reason: DisconnectReason::Error,
                info: Some(info.clone()),
            }))
            .await;
        self.end(SessionEnd::ProtocolError(info)).await;
        sent
    }

    async fn on_text(&mut self, text: &str, pending: &mut Pending) -> Result<(), ()> {
        if text.len() > MAX_TEXT_LEN {
            return self.fail("Text message too large (>64K)".into()).await;
        }
        let message = match ClientMessage::parse(text) {
            Ok(message) => message,
            Err(e) => return self.fail(format!("Client Error: {e}")).await,
        };
        if message.id != self.upgrade.session_id {
            return self.fail("Session identifier mismatch".into()).await;
        }
        if message.seq != self.clientseq + 1 {
            return self
                .fail("Client Error: Invalid seq value (not monotonically increasing)".into())
                .await;
        }
        if message.serverseq > self.seq {
            return self
                .fail("Client Error: Invalid serverseq value".into())
                .await;
        }
        self.clientseq = message.seq;
        if self.state == State::Preparing && !matches!(message.body, ClientBody::Open(_)) {
            // Nothing is answered to a peer that failed authentication, `open` or not.
            if let Err(e) = &self.upgrade.auth {
                return self.refuse_unauthorized(e.to_string()).await;
            }
        }
        match message.body {
            ClientBody::Open(open) => self.on_open(*open, pending).await,
            ClientBody::Close(close) => {
                self.send(ServerBody::Closed(Empty {})).await?;
                self.state = State::Closed;
                self.linger();
                self.end(SessionEnd::Closed(close.reason)).await;
                Ok(())
            }
            ClientBody::Ping(_) => self.send(ServerBody::Pong(Empty {})).await,
            ClientBody::Paused(_) => {
                if self.state == State::Active {
                    self.state = State::Paused;
                    self.emit(SessionEvent::Paused {
                        position: message.position,
                    })
                    .await;
                }
                Ok(())
            }
            ClientBody::Resumed(gap) => {
                if self.state == State::Paused {
                    self.state = State::Active;
                    self.emit(SessionEvent::Resumed(gap)).await;
                }
                Ok(())
            }
            ClientBody::Discarded(gap) => {
                self.emit(SessionEvent::Discarded(gap)).await;
                Ok(())
            }
            ClientBody::Update(update) => {
                self.send(ServerBody::Updated(Empty {})).await?;
                self.emit(SessionEvent::Update(update)).await;
                Ok(())
            }
            ClientBody::Error(error) => {
                tracing::info!(session = %self.upgrade.session_id, code = error.code, message = %error.message, "AudioHook client error");
                self.emit(SessionEvent::ClientError(error)).await;
                Ok(())
            }
        }
    }

    async fn on_open(&mut self, open: OpenParameters, pending: &mut Pending) -> Result<(), ()> {
        if self.state != State::Preparing {
            return self
                .fail(format!(
                    "Client Error: Unexpected open in state {:?}",
                    self.state
                ))
                .await;
        }
        let unauthorized = match &self.upgrade.auth {
            Err(e) => Some(format!("{e}")),
            Ok(()) if open.organization_id != self.upgrade.organization_id => Some(
                "Mismatch between \"organizationId\" open parameter and \"audiohook-organization-id\" header field".into(),
            ),
            Ok(()) => None,
        };
        if let Some(info) = unauthorized {
            return self.refuse_unauthorized(info).await;
        }
        let Some(claim) = self.live.claim(self.upgrade.session_id) else {
            return self
                .fail(format!(
                    "Session {} is already open",
                    self.upgrade.session_id
                ))
                .await;
        };
        self.claim = Some(claim);
        // The selector's choice must be exactly one of the offers; anything else selects nothing.
        let selected =
            (self.config.select_media)(&open).filter(|choice| open.media.contains(choice));
        self.media = selected.clone();
        let opened = OpenedParameters {
            media: selected.clone().into_iter().collect(),
            start_paused: Some(self.config.start_paused),
            ..OpenedParameters::default()
        };
        self.send(ServerBody::Opened(opened)).await?;
        self.state = State::Active;
        self.deadline = None;
        self.opened_at = Some(Instant::now());
        let (events_tx, events) = sized_queue::channel(1024, self.config.event_queue_bytes);
        self.events = Some(events_tx);
        if let Some((sessions, commands)) = pending.take() {
            let session = ServerSession {
                session_id: self.upgrade.session_id,
                correlation_id: self.upgrade.correlation_id,
                open,
                media: selected,
                events,
                control: SessionControl { commands },
            };
            if sessions.send(session).await.is_err() {
                return self.fail("Server is not accepting sessions".into()).await;
            }
        }
        Ok(())
    }

    /// Answers a peer that failed authentication with `disconnect{unauthorized}`, no sooner
    /// than the configured delay after its upgrade request.
    async fn refuse_unauthorized(&mut self, info: String) -> Result<(), ()> {
        tokio::time::sleep_until(crate::deadline::deadline_after(
            self.upgrade.received,
            self.config.auth_failure_delay,
        ))
        .await;
        self.state = State::Unauthorized;
        let linger = self.config.idle_timeout.min(UNAUTHORIZED_LINGER);
        self.deadline = Some(crate::deadline::deadline_in(linger));
        let body = ServerBody::Disconnect(DisconnectParameters {
            reason: DisconnectReason::Unauthorized,
            info: Some(info),
        });
        self.send(body).await
    }

    /// Ends a session whose audio runs further ahead of the clock than the limit allows:
    /// real-time audio never does, and a flood would otherwise be read as fast as it comes.
    async fn check_audio_lead(&mut self) -> Result<(), ()> {
        let (Some(limit), Some(opened_at)) = (self.config.max_audio_lead, self.opened_at) else {
            return Ok(());
        };
        let audio = StreamDuration::from_samples(self.samples, SAMPLE_RATE).0;
        let lead = audio.saturating_sub(opened_at.elapsed());
        if lead <= limit {
            return Ok(());
        }
        let info = format!(
            "audio arrives faster than real time: {:.1} s of audio in {:.1} s (at most {} s ahead)",
            audio.as_secs_f64(),
            opened_at.elapsed().as_secs_f64(),
            limit.as_secs()
        );
        tracing::info!(session = %self.upgrade.session_id, %info, "AudioHook session over its audio rate");
        self.state = State::Disconnecting;
        self.linger();
        self.send(ServerBody::Disconnect(DisconnectParameters {
            reason: DisconnectReason::Error,
            info: Some(info.clone()),
        }))
        .await?;
        self.end(SessionEnd::RateExceeded(info)).await;
        Ok(())
    }

    async fn on_binary(&mut self, data: Bytes) -> Result<(), ()> {
        if self.state == State::Disconnecting {
            // Frames already in flight when the application disconnected.
            return Ok(());
        }
        if data.is_empty() && matches!(self.state, State::Active | State::Paused) {
            // No audio: Genesys' connection probe sends one empty frame before `close`.
            return Ok(());
        }
        if self.state != State::Active {
            return self
                .fail(format!("Received audio in state {:?}", self.state))
                .await;
        }
        let Some(media) = self.media.clone() else {
            return self
                .fail("Received audio but no media was selected".into())
                .await;
        };
        let frame = media.frame_bytes();
        if !data.len().is_multiple_of(frame) {
            return self
                .fail(format!(
                    "Audio frame of {} bytes is not a whole number of samples",
                    data.len()
                ))
                .await;
        }
        let linear = media.format.codec().decode(&data);
        let count = media.channels.len();
        let samples = (0..count)
            .map(|c| linear.iter().skip(c).step_by(count).copied().collect())
            .collect();
        let position = StreamDuration::from_samples(self.samples, SAMPLE_RATE);
        self.samples += (data.len() / frame) as u64;
        self.emit(SessionEvent::Audio(AudioFrame {
            position,
            raw: data,
            channels: media.channels,
            samples,
        }))
        .await;
        self.check_audio_lead().await
    }

    async fn on_command(&mut self, command: Command) -> Result<(), ()> {
        let live = matches!(self.state, State::Active | State::Paused);
        match command {
            Command::Pause if live => self.send(ServerBody::Pause(Empty {})).await,
            Command::Resume if live => self.send(ServerBody::Resume(Empty {})).await,
            Command::Event(entities) if live || self.state == State::Disconnecting => {
                self.send(ServerBody::Event(EventParameters { entities }))
                    .await
            }
            Command::Disconnect(reason, info) if live => {
                self.state = State::Disconnecting;
                self.linger();
                self.send(ServerBody::Disconnect(DisconnectParameters {
                    reason,
                    info,
                }))
                .await
            }
            command => {
                tracing::debug!(?command, state = ?self.state, "AudioHook command ignored in this state");
                Ok(())
            }
        }
    }
}
