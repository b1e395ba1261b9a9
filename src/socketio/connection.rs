//! The connection task: one tokio task per client owning the WebSocket. It answers pings,
//! watches the heartbeat deadline, routes packets to the event queue or pending acks, writes
//! queued frames, and reconnects after transport loss.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use http::{HeaderName, HeaderValue};
use rustls::ClientConfig;
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};

use super::client::{Command, Frames, Shared};
use super::decoder::{Decoder, Inbound};
use super::engine::{EnginePacket, Handshake};
use super::events::{Ack, AckHandle, Event, Incoming};
use super::packet::{Packet, PacketKind};
use super::sink::{EndingSink, IncomingSink};
use super::url::engine_url;
use super::{ConnectOptions, DisconnectReason, ProtocolError, SocketIoError};
use crate::lazy_deadline::LazyDeadline;
use crate::proxy::ProxyError;
use crate::tls::TlsError;

type Ws = crate::ws_connect::ClientWs;

/// Bound on the goodbye (DISCONNECT packets and WebSocket close) sent when a connection ends.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

struct Ctx {
    options: ConnectOptions,
    tls: Arc<ClientConfig>,
    shared: Arc<Shared>,
    cmd: mpsc::WeakSender<Command>,
    cmd_rx: mpsc::Receiver<Command>,
    events: EndingSink,
    disconnect_waiters: Vec<oneshot::Sender<()>>,
}

/// An established connection: every namespace accepted.
struct Live {
    ws: Ws,
    /// `pingInterval + pingTimeout`: silence longer than this means the peer is gone.
    heartbeat: Duration,
    decoder: Decoder,
}

/// Establishes the first connection, then spawns the connection task.
pub(crate) async fn start(
    options: ConnectOptions,
    shared: Arc<Shared>,
    cmd: mpsc::WeakSender<Command>,
    cmd_rx: mpsc::Receiver<Command>,
    sink: Box<dyn IncomingSink>,
) -> Result<(), SocketIoError> {
    // Ends the sink when the task stops, or here when the first connection fails.
    let events = EndingSink::new(sink);
    let tls = options.tls.client_config()?;
    let ctx = Ctx {
        options,
        tls,
        shared,
        cmd,
        cmd_rx,
        events,
        disconnect_waiters: Vec::new(),
    };
    let (live, early) = establish(&ctx).await?;
    // Boxed: the task's future would otherwise hold both as arguments and again as locals.
    tokio::spawn(run(Box::new(ctx), Box::new(live), early));
    Ok(())
}

async fn run(mut ctx: Box<Ctx>, mut live: Box<Live>, mut early: Vec<Incoming>) {
    loop {
        for item in early.drain(..) {
            ctx.emit(item).await;
        }
        // Boxed so the idle task holds only the serving state, not the (large) reconnect one.
        let reason = Box::pin(serve(&mut ctx, &mut live)).await;
        close_ws(&mut live.ws).await;
        ctx.shared.reset();
        ctx.release_disconnect_waiters();
        let Some(reason) = reason else { return };
        let retry = reason.is_reconnectable() && ctx.options.reconnection.enabled;
        tracing::info!(%reason, retry, "socket.io connection ended");
        ctx.emit(Incoming::Disconnected { reason }).await;
        if !retry {
            return;
        }
        // The new connection goes straight into its box; holding the whole result across
        // the `emit` below would add its size to the task's.
        let reconnected = Box::pin(reconnect(&mut ctx))
            .await
            .map(|(next, next_early)| {
                *live = next;
                next_early
            });
        match reconnected {
            Ok(next_early) => early = next_early,
            Err(reason) => {
                ctx.release_disconnect_waiters();
                ctx.emit(Incoming::Disconnected { reason }).await;
                return;
            }
        }
    }
}

/// Serves one established connection until it ends. `None` = ended and already reported.
async fn serve(ctx: &mut Ctx, live: &mut Live) -> Option<DisconnectReason> {
    let write_timeout = live.heartbeat;
    // Renewed by every message, moved only when it fires early.
    let mut silence = LazyDeadline::default();
    let mut last_heard = Instant::now();
    loop {
        let quiet_until = last_heard + live.heartbeat;
        tokio::select! {
            message = live.ws.next() => {
                last_heard = Instant::now();
                let message = match message {
                    None => return Some(DisconnectReason::TransportClose),
                    Some(Err(e)) => return Some(DisconnectReason::TransportError(e.to_string())),
                    Some(Ok(m)) => m,
                };
                match live.decoder.on_message(message) {
                    Err(e) => return Some(DisconnectReason::Protocol(e.message().to_owned())),
                    Ok(Inbound::Nothing) => {}
                    Ok(Inbound::Close) => {
                        crate::ws_write::close_within(&mut live.ws, write_timeout).await;
                        return Some(DisconnectReason::TransportClose);
                    }
                    Ok(Inbound::Ping) => {
                        if let Err(reason) = send(&mut live.ws, Message::text("3"), write_timeout).await {
                            return Some(reason);
                        }
                    }
                    Ok(Inbound::Packet(packet, attachments)) => {
                        let bytes = live.decoder.take_received();
                        if let Some(end) = ctx.dispatch(packet, attachments, bytes).await {
                            return end;
                        }
                    }
                }
            }
            command = ctx.cmd_rx.recv() => match command {
                Some(Command::Send(frames)) => {
                    if let Err(reason) = send_frames(&mut live.ws, *frames, write_timeout).await {
                        return Some(reason);
                    }
                }
                Some(Command::Disconnect(done)) => {
                    ctx.disconnect_waiters.push(done);
                    say_goodbye(ctx, live).await;
                    return Some(DisconnectReason::ClientDisconnect);
                }
                None => {
                    say_goodbye(ctx, live).await;
                    return Some(DisconnectReason::ClientDisconnect);
                }
            },
            () = std::future::poll_fn(|cx| silence.poll_until(quiet_until, cx)) => {
                return Some(DisconnectReason::PingTimeout);
            }
        }
    }
}

impl Ctx {
    async fn emit(&self, item: Incoming) {
        self.events.deliver(item).await;
    }

    fn release_disconnect_waiters(&mut self) {
        for done in self.disconnect_waiters.drain(..) {
            let _ = done.send(());
        }
    }

    /// Routes one packet of an established connection. `Some(end)` ends the connection.
    async fn dispatch(
        &mut self,
        packet: Packet,
        attachments: Vec<Bytes>,
        bytes: usize,
    ) -> Option<Option<DisconnectReason>> {
        match packet.kind {
            PacketKind::Event | PacketKind::BinaryEvent => {
                let event = self.event(packet, attachments, bytes);
                self.emit(event).await;
            }
            PacketKind::Ack | PacketKind::BinaryAck => {
                resolve_ack(&self.shared, packet, attachments)
            }
            PacketKind::Disconnect => {
                let namespace = packet.namespace;
                let remaining = {
                    let mut state = self.shared.lock_state();
                    state.namespaces.remove(&namespace);
                    state.namespaces.len()
                };
                self.emit(Incoming::Disconnected {
                    reason: DisconnectReason::ServerDisconnect { namespace },
                })
                .await;
                if remaining == 0 {
                    return Some(None);
                }
            }
            PacketKind::Connect | PacketKind::ConnectError => {
                tracing::warn!(namespace = %packet.namespace, kind = ?packet.kind, "ignoring unsolicited namespace reply");
            }
        }
        None
    }

    fn event(&self, mut packet: Packet, attachments: Vec<Bytes>, bytes: usize) -> Incoming {
        let ack = packet.id.map(|id| AckHandle {
            namespace: packet.namespace.clone(),
            id,
            cmd: self.cmd.clone(),
            max_payload: self.shared.lock_state().max_payload,
        });
        let namespace = std::mem::take(&mut packet.namespace);
        // `decode` validated that events carry `[name, ...]`.
        let (name, args) = packet.into_event().unwrap_or_default();
        Incoming::Event(Box::new(Event::new(
            namespace,
            name,
            args,
            attachments,
            ack,
            bytes,
        )))
    }
}

fn resolve_ack(shared: &Shared, packet: Packet, attachments: Vec<Bytes>) {
    let Some(id) = packet.id else { return };
    let mut acks = shared.lock_acks();
    match acks.remove(&id) {
        Some(pending) if pending.namespace == packet.namespace => {
            drop(acks);
            let _ = pending.reply.send(Ack {
                args: packet.into_args(),
                attachments,
            });
        }
        Some(pending) => {
            tracing::warn!(id, namespace = %packet.namespace, "ack for a different namespace ignored");
            acks.insert(id, pending);
        }
        None => tracing::debug!(id, "ack with no pending request (timed out?) ignored"),
    }
}

/// Connects with backoff; `Err` is the final reason to report.
async fn reconnect(ctx: &mut Ctx) -> Result<(Live, Vec<Incoming>), DisconnectReason> {
    let policy = ctx.options.reconnection.clone();
    let mut last_error = String::new();
    let mut attempt = 0;
    loop {
        attempt += 1;
        if policy.max_attempts > 0 && attempt > policy.max_attempts {
            return Err(DisconnectReason::ReconnectFailed {
                attempts: policy.max_attempts,
                last_error,
            });
        }
        let delay = policy.delay_for(attempt);
        ctx.emit(Incoming::Reconnecting { attempt, delay }).await;
        if !pause(ctx, delay).await {
            return Err(DisconnectReason::ClientDisconnect);
        }
        match establish(ctx).await {
            Ok(established) => {
                tracing::info!(attempt, "socket.io reconnected");
                return Ok(established);
            }
            Err(e) => {
                tracing::warn!(attempt, error = %e, "socket.io reconnection attempt failed");
                last_error = e.to_string();
            }
        }
    }
}

/// Sleeps `delay` unless the application disconnects meanwhile (then `false`). Emits queued
/// while disconnected are dropped: their callers already got `NotConnected` or will time out.
async fn pause(ctx: &mut Ctx, delay: Duration) -> bool {
    let wake = tokio::time::sleep(delay);
    tokio::pin!(wake);
    loop {
        tokio::select! {
            () = &mut wake => return true,
            command = ctx.cmd_rx.recv() => match command {
                Some(Command::Send(_)) => tracing::debug!("dropping a frame queued while disconnected"),
                Some(Command::Disconnect(done)) => {
                    ctx.disconnect_waiters.push(done);
                    return false;
                }
                None => return false,
            },
        }
    }
}

/// WebSocket + Engine.IO open + every namespace CONNECT, within `connect_timeout`. A
/// refusal may mean the token was revoked: the provider then forgets it, so the next attempt
/// (this client's or another session's) fetches a new one.
async fn establish(ctx: &Ctx) -> Result<(Live, Vec<Incoming>), SocketIoError> {
    let limit = ctx.options.connect_timeout;
    let mut sent_authorization = None;
    let deadline = crate::deadline::deadline_in(limit);
    // What the attempt was doing when its time ran out: a silent token endpoint is not a
    // silent signalling server.
    let fetching_token = AtomicBool::new(false);
    let attempt = handshake(ctx, deadline, &mut sent_authorization, &fetching_token);
    let established = tokio::time::timeout_at(deadline, attempt)
        .await
        .map_err(|_| {
            let step = if fetching_token.load(Ordering::Relaxed) {
                "getting a token from the token endpoint"
            } else {
                "connecting"
            };
            SocketIoError::Timeout(format!("{step} took longer than {limit:?}"))
        })?;
    if let (Err(e), Some(provider), Some(sent)) =
        (&established, &ctx.options.token, &sent_authorization)
    {
        if e.is_refusal() {
            provider.refused(sent).await;
        }
    }
    established
}

/// Connects; `sent_authorization` is set to the `Authorization` header sent, if any.
async fn handshake(
    ctx: &Ctx,
    deadline: Instant,
    sent_authorization: &mut Option<String>,
    fetching_token: &AtomicBool,
) -> Result<(Live, Vec<Incoming>), SocketIoError> {
    let options = &ctx.options;
    let url = engine_url(&options.url, &options.socketio_path)?;
    let mut request = url
        .as_str()
        .into_client_request()
        .map_err(|e| SocketIoError::InvalidUrl(e.to_string()))?;
    let headers = request.headers_mut();
    for (name, value) in &options.headers {
        insert_header(headers, name, value)?;
    }
    if let Some(provider) = &options.token {
        fetching_token.store(true, Ordering::Relaxed);
        let value = sent_authorization.insert(provider.authorization().await?);
        insert_header(headers, "authorization", value)?;
        fetching_token.store(false, Ordering::Relaxed);
    }
    let config = WebSocketConfig::default()
        .read_buffer_size(crate::ws_connect::READ_BUFFER_BYTES)
        .write_buffer_size(0)
        .max_message_size(Some(options.max_incoming_message))
        .max_frame_size(Some(options.max_incoming_message));
    let (mut ws, _) =
        crate::ws_connect::connect(request, config, ctx.tls.clone(), &options.proxy, deadline)
            .await
            .map_err(upgrade_error)?;

    let open = match read_open(&mut ws).await {
        Ok(open) => open,
        Err(e) => {
            close_ws(&mut ws).await;
            return Err(e);
        }
    };
    let max_payload = usize::try_from(open.max_payload).unwrap_or(usize::MAX);
    // Ack handles of events arriving before the CONNECT reply need the limit already.
    ctx.shared.lock_state().max_payload = max_payload;
    let (namespaces, early) = match join_namespaces(ctx, &mut ws, &open).await {
        Ok(joined) => joined,
        Err(e) => {
            close_ws(&mut ws).await;
            return Err(e);
        }
    };
    let mut state = ctx.shared.lock_state();
    state.sid = Some(open.sid.clone());
    state.namespaces = namespaces;
    drop(state);
    tracing::debug!(sid = %open.sid, ping_interval = open.ping_interval, ping_timeout = open.ping_timeout, "engine.io open");
    Ok((
        Live {
            ws,
            heartbeat: open.heartbeat_deadline(),
            decoder: Decoder::default(),
        },
        early,
    ))
}

async fn read_open(ws: &mut Ws) -> Result<Handshake, SocketIoError> {
    loop {
        match ws.next().await {
            None => {
                return Err(SocketIoError::Disconnected(
                    DisconnectReason::TransportClose,
                ))
            }
            Some(Err(e)) => return Err(SocketIoError::Transport(e.to_string())),
            Some(Ok(Message::Text(text))) => {
                return match EnginePacket::parse(text.as_str())? {
                    EnginePacket::Open(handshake) => Ok(handshake),
                    other => Err(ProtocolError::new(format!(
                        "expected the Engine.IO open packet, got {other:?}"
                    ))
                    .into()),
                };
            }
            Some(Ok(Message::Close(_))) => {
                return Err(SocketIoError::Disconnected(
                    DisconnectReason::TransportClose,
                ))
            }
            Some(Ok(Message::Binary(_))) => {
                return Err(
                    ProtocolError::new("binary frame before the Engine.IO open packet").into(),
                )
            }
            Some(Ok(_)) => {}
        }
    }
}

/// Sends every namespace CONNECT and waits for all replies. Events that arrive before the
/// replies (python-socketio emits from its connect handler first) are kept in order.
async fn join_namespaces(
    ctx: &Ctx,
    ws: &mut Ws,
    open: &Handshake,
) -> Result<(HashMap<String, String>, Vec<Incoming>), SocketIoError> {
    let write_timeout = open.heartbeat_deadline();
    let mut waiting = ctx.options.namespaces();
    for namespace in &waiting {
        let packet = Packet::connect(namespace, ctx.options.auth.clone());
        send(
            ws,
            Message::text(format!("4{}", packet.encode())),
            write_timeout,
        )
        .await
        .map_err(SocketIoError::Disconnected)?;
    }
    let mut accepted = HashMap::new();
    let mut early = Vec::new();
    let mut decoder = Decoder::default();
    while !waiting.is_empty() {
        let message = match ws.next().await {
            None => {
                return Err(SocketIoError::Disconnected(
                    DisconnectReason::TransportClose,
                ))
            }
            Some(Err(e)) => return Err(SocketIoError::Transport(e.to_string())),
            Some(Ok(m)) => m,
        };
        match decoder.on_message(message)? {
            Inbound::Nothing => {}
            Inbound::Close => {
                return Err(SocketIoError::Disconnected(
                    DisconnectReason::TransportClose,
                ))
            }
            Inbound::Ping => send(ws, Message::text("3"), write_timeout)
                .await
                .map_err(SocketIoError::Disconnected)?,
            Inbound::Packet(packet, attachments) => match packet.kind {
                PacketKind::Connect => {
                    let Some(pos) = waiting.iter().position(|ns| *ns == packet.namespace) else {
                        continue;
                    };
                    let sid = packet
                        .data
                        .as_ref()
                        .and_then(|d| d.get("sid"))
                        .and_then(Value::as_str)
                        .ok_or_else(|| ProtocolError::new("CONNECT reply without a sid"))?
                        .to_owned();
                    let namespace = waiting.remove(pos);
                    accepted.insert(namespace.clone(), sid.clone());
                    early.push(Incoming::Connected { namespace, sid });
                }
                PacketKind::ConnectError => {
                    let (message, data) = refusal(packet.data.clone());
                    return Err(SocketIoError::ConnectRefused {
                        namespace: packet.namespace,
                        message,
                        data: data.map(Box::new),
                        payload: packet.data.map(Box::new),
                    });
                }
                PacketKind::Disconnect => {
                    return Err(SocketIoError::Disconnected(
                        DisconnectReason::ServerDisconnect {
                            namespace: packet.namespace,
                        },
                    ))
                }
                PacketKind::Event | PacketKind::BinaryEvent => {
                    early.push(ctx.event(packet, attachments, decoder.take_received()))
                }
                PacketKind::Ack | PacketKind::BinaryAck => {
                    resolve_ack(&ctx.shared, packet, attachments)
                }
            },
        }
    }
    Ok((accepted, early))
}

/// CONNECT_ERROR payloads: `{"message":…,"data":…}` (spec) or a bare string (python-socketio).
fn refusal(data: Option<Value>) -> (String, Option<Value>) {
    match data {
        Some(Value::String(message)) => (message, None),
        Some(Value::Object(mut map)) => {
            let message = match map.remove("message") {
                Some(Value::String(m)) => m,
                Some(other) => other.to_string(),
                None => "connection refused".to_owned(),
            };
            (message, map.remove("data"))
        }
        Some(other) => (other.to_string(), None),
        None => ("connection refused".to_owned(), None),
    }
}

fn insert_header(
    headers: &mut http::HeaderMap,
    name: &str,
    value: &str,
) -> Result<(), SocketIoError> {
    let header = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| SocketIoError::InvalidHeader(format!("bad header name {name:?}")))?;
    // Never echo the value: it usually is a credential.
    let value = HeaderValue::from_str(value)
        .map_err(|_| SocketIoError::InvalidHeader(format!("bad value for header {name:?}")))?;
    headers.insert(header, value);
    Ok(())
}

fn upgrade_error(error: tungstenite::Error) -> SocketIoError {
    match error {
        tungstenite::Error::Http(response) => SocketIoError::HttpStatus {
            status: response.status().as_u16(),
        },
        other => match (TlsError::find_in(&other), ProxyError::find_in(&other)) {
            (Some(refused), _) => SocketIoError::Tls(refused),
            (None, Some(proxy)) => SocketIoError::Proxy(proxy),
            (None, None) => SocketIoError::Transport(other.to_string()),
        },
    }
}

async fn send(ws: &mut Ws, message: Message, limit: Duration) -> Result<(), DisconnectReason> {
    match tokio::time::timeout(limit, ws.send(message)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(DisconnectReason::TransportError(e.to_string())),
        Err(_) => Err(DisconnectReason::TransportError(format!(
            "write stalled for {limit:?}"
        ))),
    }
}

async fn send_frames(ws: &mut Ws, frames: Frames, limit: Duration) -> Result<(), DisconnectReason> {
    send(ws, Message::text(frames.text), limit).await?;
    for attachment in frames.binary {
        send(ws, Message::binary(attachment), limit).await?;
    }
    Ok(())
}

/// DISCONNECT for every connected namespace; errors are moot, the socket closes next.
async fn say_goodbye(ctx: &Ctx, live: &mut Live) {
    let namespaces: Vec<String> = ctx.shared.lock_state().namespaces.keys().cloned().collect();
    for namespace in namespaces {
        let text = format!("4{}", Packet::disconnect(&namespace).encode());
        if send(&mut live.ws, Message::text(text), CLOSE_WAIT)
            .await
            .is_err()
        {
            return;
        }
    }
}

async fn close_ws(ws: &mut Ws) {
    let _ = tokio::time::timeout(CLOSE_WAIT, ws.close(None)).await;
}
