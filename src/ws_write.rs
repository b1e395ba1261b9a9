//! Bounded WebSocket writes for the audio senders: a consumer that takes no bytes for the
//! stall limit has stopped reading, and the stream fails instead of holding the application's
//! audio (and the session's tasks) forever.

use std::time::Duration;

use futures_util::{Sink, SinkExt};
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

/// Sends (and flushes) `message`, giving up after `limit` without progress.
pub(crate) async fn send_within<S>(
    sink: &mut S,
    message: Message,
    limit: Duration,
) -> Result<(), WriteFailure>
where
    S: Sink<Message, Error = WsError> + Unpin,
{
    match tokio::time::timeout(limit, sink.send(message)).await {
        Err(_) => Err(WriteFailure::Stalled(limit)),
        Ok(result) => result.map_err(WriteFailure::Ws),
    }
}
