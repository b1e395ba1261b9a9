//! The start of a client session: the signed WebSocket upgrade and the open transaction.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use http::HeaderValue;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use uuid::Uuid;

use super::config::ClientConfig;
use super::error::ClientError;
use crate::audiohook::duration::StreamDuration;
use crate::audiohook::messages::{
    ClientBody, ClientMessage, CloseParameters, CloseReason, DisconnectReason, ErrorParameters,
    OpenParameters, OpenedParameters, ServerBody, ServerMessage, VERSION,
};
use crate::audiohook::signature::{authority_of, new_nonce, request_target_of, SignedRequest};
use crate::ws_write::send_within;

pub(super) type Ws = crate::ws_connect::ClientWs;

/// Builds a client message with the session's envelope.
pub(super) fn message(
    id: Uuid,
    seq: u64,
    serverseq: u64,
    position: StreamDuration,
    body: ClientBody,
) -> Message {
    let message = ClientMessage {
        version: VERSION.into(),
        id,
        seq,
        serverseq,
        position,
        body,
    };
    Message::text(message.to_text())
}

/// Opens the WebSocket with the AudioHook headers, signed when a secret is configured.
pub(super) async fn upgrade(config: &ClientConfig) -> Result<Ws, ClientError> {
    let url = &config.url;
    if !matches!(url.scheme(), "ws" | "wss") {
        return Err(ClientError::Config(format!(
            "URL scheme must be ws or wss, not {:?}",
            url.scheme()
        )));
    }
    let mut request = url
        .as_str()
        .into_client_request()
        .map_err(|e| ClientError::Config(e.to_string()))?;
    let organization = config.organization_id.to_string();
    let session = config.session_id.to_string();
    let correlation = config.correlation_id.to_string();
    let header = |value: &str| {
        HeaderValue::from_str(value)
            .map_err(|_| ClientError::Config("header value is not valid text".into()))
    };
    let headers = request.headers_mut();
    headers.insert("audiohook-organization-id", header(&organization)?);
    headers.insert("audiohook-session-id", header(&session)?);
    headers.insert("audiohook-correlation-id", header(&correlation)?);
    headers.insert("x-api-key", header(&config.api_key)?);
    headers.insert(
        "user-agent",
        HeaderValue::from_static("libdas-AudioHook-Client"),
    );
    if !config.client_secret.is_empty() {
        let authority =
            authority_of(url).ok_or_else(|| ClientError::Config("URL has no host".into()))?;
        let target = request_target_of(url);
        let nonce = new_nonce();
        let created = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let signed = SignedRequest {
            request_target: &target,
            authority: &authority,
            organization_id: &organization,
            session_id: &session,
            correlation_id: &correlation,
            api_key: &config.api_key,
            nonce: &nonce,
            created,
            expires: created + 30,
        }
        .sign(&config.client_secret);
        headers.insert("signature-input", header(&signed.signature_input)?);
        headers.insert("signature", header(&signed.signature)?);
    }
    // Servers send small text messages only; tungstenite's default 128 KiB read buffer
    // would be most of a stream's memory (benches/RESULTS.md, audiohook_streams).
    let ws_config = WebSocketConfig::default()
        .read_buffer_size(crate::ws_connect::READ_BUFFER_BYTES)
        .max_message_size(Some(crate::ws_connect::MAX_SERVER_MESSAGE))
        .max_frame_size(Some(crate::ws_connect::MAX_SERVER_MESSAGE));
    let tls = config.tls.client_config()?;
    let deadline = crate::deadline::deadline_in(config.connect_timeout);
    let connect = crate::ws_connect::connect(request, ws_config, tls, &config.proxy, deadline);
    match tokio::time::timeout_at(deadline, connect).await {
        Err(_) => Err(ClientError::Connect(format!(
            "timed out after {:?}",
            config.connect_timeout
        ))),
        Ok(Err(WsError::Http(response))) => Err(ClientError::Rejected(response.status().as_u16())),
        Ok(Err(e)) => Err(
            match (
                crate::tls::TlsError::find_in(&e),
                crate::proxy::ProxyError::find_in(&e),
            ) {
                (Some(refused), _) => ClientError::Tls(refused),
                (None, Some(proxy)) => ClientError::Proxy(proxy),
                (None, None) => ClientError::Connect(e.to_string()),
            },
        ),
        Ok(Ok((ws, _))) => Ok(ws),
    }
}

/// Sends `open` and waits for a valid `opened`. On failure the close transaction is
/// attempted (best effort) before the error is returned.
pub(super) async fn open(
    ws: &mut Ws,
    config: &ClientConfig,
    conversation_id: Uuid,
) -> Result<OpenedParameters, ClientError> {
    let id = config.session_id;
    let open = OpenParameters {
        organization_id: config.organization_id,
        conversation_id,
        participant: config.participant.clone(),
        media: config.media_offers.clone(),
        language: config.language.clone(),
        supported_languages: None,
        continued_sessions: None,
        custom_config: config.custom_config.clone(),
    };
    send(
        ws,
        message(
            id,
            1,
            0,
            StreamDuration::ZERO,
            ClientBody::Open(Box::new(open)),
        ),
        config.write_stall_timeout,
    )
    .await?;
    let deadline = crate::deadline::deadline_in(config.open_timeout);
    let mut serverseq = 0;
    let outcome = loop {
        let next = match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => break Err((408, "Open transaction timeout", ClientError::OpenTimeout)),
            Ok(next) => next,
        };
        let text = match next {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Binary(_))) => {
                break Err((
                    415,
                    "Unexpected binary message",
                    ClientError::Protocol("binary message from server".into()),
                ))
            }
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(ClientError::ConnectionLost(e.to_string())),
            None => return Err(ClientError::ConnectionLost("closed during open".into())),
        };
        let reply = match ServerMessage::parse(text.as_str()) {
            Ok(reply) => reply,
            Err(e) => break Err((400, "Message not an AudioHook server message", e.into())),
        };
        if reply.seq != 1 || reply.id != id {
            break Err((
                500,
                "Internal client error",
                ClientError::Protocol(format!(
                    "first server message has seq={} id={}",
                    reply.seq, reply.id
                )),
            ));
        }
        serverseq = 1;
        match reply.body {
            ServerBody::Opened(opened) => break check_selection(config, opened),
            ServerBody::Disconnect(disconnect) => {
                let info = disconnect.info.unwrap_or_default();
                let error = match disconnect.reason {
                    DisconnectReason::Unauthorized => ClientError::Unauthorized(info),
                    _ => ClientError::ServerError(info),
                };
                close_quietly(ws, config, 2, 1, CloseReason::Disconnect).await;
                return Err(error);
            }
            other => {
                break Err((
                    409,
                    "Unexpected message before opened",
                    ClientError::Protocol(format!("{other:?} before opened")),
                ))
            }
        }
    };
    match outcome {
        Ok(opened) => Ok(opened),
        Err((code, text, error)) => {
            let body = ClientBody::Error(ErrorParameters {
                code,
                message: text.into(),
                retry_after: None,
            });
            let opening_error = message(id, 2, serverseq, StreamDuration::ZERO, body);
            let _ = send(ws, opening_error, config.write_stall_timeout).await;
            close_quietly(ws, config, 3, serverseq, CloseReason::Error).await;
            Err(error)
        }
    }
}

fn check_selection(
    config: &ClientConfig,
    opened: OpenedParameters,
) -> Result<OpenedParameters, (u16, &'static str, ClientError)> {
    if opened.media.len() > 1 {
        return Err((
            400,
            "More than one media selected",
            ClientError::Protocol("more than one media selected".into()),
        ));
    }
    if let Some(selected) = opened.media.first() {
        if !config.media_offers.contains(selected) {
            return Err((
                400,
                "Selected media not one of the offered",
                ClientError::Protocol("selected media not offered".into()),
            ));
        }
    }
    Ok(opened)
}

/// A close transaction when the session never became usable: send `close`, wait briefly
/// for anything, drop the socket.
async fn close_quietly(
    ws: &mut Ws,
    config: &ClientConfig,
    seq: u64,
    serverseq: u64,
    reason: CloseReason,
) {
    let body = ClientBody::Close(CloseParameters { reason });
    if send(
        ws,
        message(
            config.session_id,
            seq,
            serverseq,
            StreamDuration::ZERO,
            body,
        ),
        config.write_stall_timeout,
    )
    .await
    .is_ok()
    {
        let _ = tokio::time::timeout(config.close_timeout, ws.next()).await;
    }
    let _ = tokio::time::timeout(config.write_stall_timeout, ws.close(None)).await;
}

pub(super) async fn send(
    ws: &mut Ws,
    message: Message,
    limit: Duration,
) -> Result<(), ClientError> {
    Ok(send_within(ws, message, limit).await?)
}
