//! Bounded WebSocket writes for the audio senders: a consumer that takes no bytes for the
//! stall limit has stopped reading, and the stream fails instead of holding the application's
//! audio (and the session's tasks) forever.

use std::task::Poll;
use std::time::Duration;

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// Default stall limit of the AudioHook and Twilio senders.
pub const DEFAULT_WRITE_STALL: Duration = Duration::from_secs(10);

/// Why a bounded write failed.
#[derive(Debug)]
pub(crate) enum WriteFailure {
    /// Nothing could be written for this long: the peer stopped reading.
    Stalled(Duration),
    /// The WebSocket failed.
    Ws(WsError),
}

/// Whether a write failed because the peer closed the connection, which for an audio
/// consumer that has enough audio is a normal end, rather than because it broke. A peer that
/// closes while our write is pending (behind a proxy, or with our bytes unread) resets the
/// connection, so the write fails before its Close is read; the Close is then still in the
/// socket, and is looked for (other messages skipped) for at most `limit`.
pub(crate) async fn closed_by_peer<S>(
    stream: &mut S,
    failure: &WriteFailure,
    limit: Duration,
) -> bool
where
    S: Stream<Item = Result<Message, WsError>> + Unpin,
{
    match failure {
        WriteFailure::Ws(WsError::ConnectionClosed | WsError::AlreadyClosed) => return true,
        WriteFailure::Ws(WsError::Io(_)) => {}
        _ => return false,
    }
    let find_close = async {
        loop {
            match stream.next().await {
                Some(Ok(Message::Close(_))) => return true,
                Some(Ok(_)) => {}
                None | Some(Err(_)) => return false,
            }
        }
    };
    tokio::time::timeout(limit, find_close)
        .await
        .unwrap_or(false)
}

/// Ends a client WebSocket with code 1000 or, when the server closed first, with the reply
/// RFC 6455 §5.5.1 requires. The library queues that reply (echoing the server's code) when it
/// reads the server's Close and then refuses any Close of ours (`SendAfterClosing`, which
/// `WebSocketStream::close` returns): only a flush puts the reply on the wire, else the server
/// sees 1006. Gives up after `limit`.
pub(crate) async fn close_within<S>(sink: &mut S, limit: Duration)
where
    S: Sink<Message, Error = WsError> + Unpin,
{
    let normal = CloseFrame {
        code: CloseCode::Normal,
        reason: "".into(),
    };
    let closing = async {
        if sink.send(Message::Close(Some(normal))).await.is_err() {
            let _ = sink.flush().await;
        }
    };
    let _ = tokio::time::timeout(limit, closing).await;
}

/// Sends (and flushes) `message`, giving up after `limit` without progress.
pub(crate) async fn send_within<S>(
    sink: &mut S,
    message: Message,
    limit: Duration,
) -> Result<(), WriteFailure>
where
    S: Sink<Message, Error = WsError> + Unpin,
{
    let mut send = sink.send(message);
    // Almost every write completes at once (the socket has room): only one that has to wait
    // arms the stall timer, instead of every audio frame registering and cancelling one.
    if let Poll::Ready(result) = futures_util::poll!(&mut send) {
        return result.map_err(WriteFailure::Ws);
    }
    match tokio::time::timeout(limit, send).await {
        Err(_) => Err(WriteFailure::Stalled(limit)),
        Ok(result) => result.map_err(WriteFailure::Ws),
    }
}
