//! `/twilio/ws`: Twilio Media Streams, full frames or the das-Peak "other platforms"
//! subset (`start` with `callSid`, then `media` payloads). The server closes the socket
//! once the session has its result, as the documentation describes.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{
    close_code, CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade,
};
use axum::extract::State;
use axum::response::Response;
use das::twilio::Message;
use tokio::time::timeout;

use crate::session::{AudioFeed, AudioProtocol};
use crate::state::AppState;

pub(crate) async fn twilio_ws(
    ws: WebSocketUpgrade,
    State(state): State<Arc<AppState>>,
) -> Response {
    let limit = state.config.max_audio_message_bytes;
    ws.max_message_size(limit)
        .max_frame_size(limit)
        .on_upgrade(move |socket| serve(socket, state))
}

/// Why the consumer closes the socket; becomes the close frame.
struct Close(u16, String);

impl Close {
    fn policy(reason: impl Into<String>) -> Self {
        Close(close_code::POLICY, reason.into())
    }
}

async fn serve(mut socket: WebSocket, state: Arc<AppState>) {
    let wait = Duration::from_millis(state.config.audio_timeout_ms);
    let close = match timeout(wait, attach(&mut socket, &state)).await {
        Err(_) => Close::policy("no start message in time"),
        Ok(Err(close)) => close,
        // The peer left before `start`: answer its Close, if it sent one.
        Ok(Ok(None)) => Close(close_code::NORMAL, "stream ended".into()),
        Ok(Ok(Some(feed))) => stream(&mut socket, feed, &state).await,
    };
    tracing::debug!(code = close.0, reason = %close.1, "closing twilio socket");
    let frame = CloseFrame {
        code: close.0,
        reason: close.1.into(),
    };
    das::serve::close_websocket(&mut socket, Some(frame)).await;
}

/// Reads until `start` and attaches to its session. `Ok(None)`: the peer left first.
async fn attach(socket: &mut WebSocket, state: &AppState) -> Result<Option<AudioFeed>, Close> {
    loop {
        let Some(text) = next_text(socket).await? else {
            return Ok(None);
        };
        match parse(&text)? {
            Message::Connected(_) | Message::Mark { .. } | Message::Dtmf { .. } => {}
            Message::Start { start, .. } => {
                return match state
                    .registry
                    .attach(&start.call_sid, AudioProtocol::Twilio)
                {
                    Ok(feed) => Ok(Some(feed)),
                    Err(e) => {
                        tracing::info!(%e, "twilio stream refused");
                        Err(Close::policy(e.to_string()))
                    }
                };
            }
            Message::Media { .. } => return Err(Close::policy("media before start")),
            Message::Stop { .. } => return Ok(None),
        }
    }
}

/// Feeds media to the session until the stream, the session or a fault ends it.
async fn stream(socket: &mut WebSocket, feed: AudioFeed, state: &AppState) -> Close {
    let faults = state.faults();
    let (close_after, stall_after) = (
        faults.close_audio_after_messages,
        faults.stall_audio_after_messages,
    );
    let mut media_messages = 0u32;
    loop {
        let text = tokio::select! {
            _ = feed.closed() => return Close(close_code::NORMAL, "enough audio captured".into()),
            text = next_text(socket) => text,
        };
        let message = match text.and_then(|text| text.map(|t| parse(&t)).transpose()) {
            Ok(Some(message)) => message,
            Ok(None) => {
                feed.end().await;
                return Close(close_code::NORMAL, "stream ended".into());
            }
            Err(close) => {
                feed.end().await;
                return close;
            }
        };
        match message {
            Message::Media { media, .. } => {
                let Ok(audio) = media.audio() else {
                    feed.end().await;
                    return Close(close_code::INVALID, "media payload is not base64".into());
                };
                if feed.push_encoded(&audio).await.is_err() {
                    return Close(close_code::NORMAL, "enough audio captured".into());
                }
                media_messages += 1;
                if super::stall::stall_when_due(stall_after, media_messages, &feed).await {
                    return Close(close_code::NORMAL, "session ended".into());
                }
                if close_after.is_some_and(|limit| media_messages >= limit) {
                    feed.end().await;
                    return Close(close_code::AWAY, "fault: audio socket closed early".into());
                }
            }
            Message::Stop { .. } => {
                feed.end().await;
                return Close(close_code::NORMAL, "stream stopped".into());
            }
            Message::Start { .. } => {
                feed.end().await;
                return Close::policy("duplicate start");
            }
            Message::Connected(_) | Message::Mark { .. } | Message::Dtmf { .. } => {}
        }
    }
}

/// The next text frame; `Ok(None)` when the peer closed or vanished.
async fn next_text(socket: &mut WebSocket) -> Result<Option<String>, Close> {
    loop {
        match socket.recv().await {
            None | Some(Ok(WsMessage::Close(_))) => return Ok(None),
            Some(Err(e)) => {
                tracing::debug!(%e, "twilio socket error");
                return Ok(None);
            }
            Some(Ok(WsMessage::Text(text))) => return Ok(Some(text.to_string())),
            Some(Ok(WsMessage::Binary(_))) => {
                return Err(Close(
                    close_code::UNSUPPORTED,
                    "binary frames are not accepted".into(),
                ))
            }
            Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => {}
        }
    }
}

fn parse(text: &str) -> Result<Message, Close> {
    serde_json::from_str(text)
        .map_err(|e| Close(close_code::INVALID, format!("malformed message: {e}")))
}
