//! The last frame of a server-side WebSocket, answering the peer's Close when it came first.

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::SinkExt;

/// Ends `socket` with `frame`, or, when the peer closed first, with the reply RFC 6455
/// §5.5.1 requires. The WebSocket library queues that reply (echoing the peer's code) when it
/// reads the peer's Close and refuses a Close of ours after it (`SendAfterClosing`); only a
/// flush puts the reply on the wire, else the peer sees 1006 instead of its own code.
pub async fn close_websocket(socket: &mut WebSocket, frame: Option<CloseFrame>) {
    if socket.send(Message::Close(frame)).await.is_err() {
        // The peer may be gone already; nothing is lost then.
        let _ = socket.flush().await;
    }
}
