//! Socket.IO namespace handlers: authenticate on connect, start a session on
//! `initialize`, cancel it when the socket goes away.

use std::sync::Arc;
use std::time::Duration;

use axum::http::header::AUTHORIZATION;
use serde_json::Value;
use socketioxide::extract::{SocketRef, State, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::SocketIo;
use tokio::task::AbortHandle;

use super::initialize::parse_initialize;
use super::sink::EventSink;
use crate::auth::TokenRejection;
use crate::session::{run_session, Event, RunSettings, SessionKind};
use crate::state::AppState;

/// Namespace of registration sessions (as in the documented example).
pub const REGISTER_NAMESPACE: &str = "/socket.io/register";
/// Namespace of verification sessions (emulator convention, by analogy).
pub const VERIFY_NAMESPACE: &str = "/socket.io/verify";

/// The session a socket started, kept in the socket's extensions.
#[derive(Clone)]
struct ActiveCall {
    call_id: String,
    task: AbortHandle,
}

pub(crate) fn register_namespaces(io: &SocketIo) {
    io.ns(REGISTER_NAMESPACE, on_connect.with(authenticate));
    io.ns(VERIFY_NAMESPACE, on_connect.with(authenticate));
}

/// Connect middleware: refuses the namespace (CONNECT_ERROR `{"message": …}`) unless
/// the handshake carried a live `Authorization: Bearer` token. Event handlers are set
/// here, before the CONNECT ack goes out: socketioxide runs the connect handler in a task
/// spawned after the ack, so an `initialize` sent right after the ack could otherwise
/// arrive before its handler exists and be dropped.
async fn authenticate(
    socket: SocketRef,
    State(state): State<Arc<AppState>>,
) -> Result<(), TokenRejection> {
    let header = socket
        .req_parts()
        .headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    let checked = state.tokens.check_header(header);
    match checked {
        Ok(()) => {
            socket.on("initialize", on_initialize);
            socket.on_disconnect(on_disconnect);
        }
        Err(rejection) => {
            tracing::info!(ns = socket.ns(), %rejection, "signalling connection refused");
        }
    }
    checked
}

async fn on_connect(socket: SocketRef) {
    tracing::debug!(ns = socket.ns(), sid = %socket.id, "signalling connected");
}

async fn on_initialize(
    socket: SocketRef,
    TryData(payload): TryData<Value>,
    State(state): State<Arc<AppState>>,
) {
    let faults = state.faults();
    let sink = EventSink::new(
        socket.clone(),
        state.config.payload_encoding,
        faults.drop_signalling_after_events,
    );
    sink.ready().await;
    let error = |code: &'static str, content: String, field: Option<String>| {
        sink.emit(&Event::Error {
            code,
            content,
            field,
        })
    };
    if let Some(active) = socket.extensions.get::<ActiveCall>() {
        if !active.task.is_finished() {
            let message = format!("this connection already runs session {:?}", active.call_id);
            return error("session_active", message, None);
        }
    }
    let payload = match payload {
        // The payload may itself be JSON text, as the service's own events are.
        Ok(Value::String(text)) => serde_json::from_str(&text).unwrap_or(Value::String(text)),
        Ok(value) => value,
        Err(e) => {
            return error("invalid_request", format!("unreadable payload: {e}"), None);
        }
    };
    let kind = if socket.ns() == VERIFY_NAMESPACE {
        SessionKind::Verify
    } else {
        SessionKind::Register
    };
    let spec = match parse_initialize(kind, &payload, state.config.verify.default_score_threshold) {
        Ok(spec) => spec,
        Err(e) => return error("invalid_request", e.to_string(), Some(e.field)),
    };
    let channels = match state
        .registry
        .register(&spec.call_id, spec.protocol, spec.format)
    {
        Ok(channels) => channels,
        Err(e) => {
            let field = Some("metadata.call_id".to_owned());
            return error("duplicate_call_id", e.to_string(), field);
        }
    };
    tracing::info!(call_id = %spec.call_id, ?kind, protocol = %spec.protocol, "session created");
    let settings = RunSettings {
        audio_timeout: Duration::from_millis(state.config.audio_timeout_ms),
        vad: state.config.vad.clone(),
        consumer_ready_delay: faults.delay_consumer_ready_ms.map(Duration::from_millis),
        malformed_event: faults.malformed_event,
        oversized_event: faults.oversized_event_bytes,
        send_collected_audio: state.config.send_collected_audio,
        collected_audio_in_payload: state.config.collected_audio_in_payload,
    };
    let registry = state.registry.clone();
    let call_id = spec.call_id.clone();
    let sink = sink.timed(state.timing.clone(), &call_id);
    let task = tokio::spawn(run_session(spec, channels, registry, sink, settings));
    socket.extensions.insert(ActiveCall {
        call_id,
        task: task.abort_handle(),
    });
}

async fn on_disconnect(socket: SocketRef, State(state): State<Arc<AppState>>) {
    if let Some(active) = socket.extensions.get::<ActiveCall>() {
        if !active.task.is_finished() {
            state.registry.cancel(&active.call_id);
        }
    }
}
