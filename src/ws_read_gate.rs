//! Polls a client WebSocket for messages only when one can be there. A writer task wakes for
//! every audio frame; polling the WebSocket each time walks tokio-tungstenite's and
//! tungstenite's read path (wakers, buffers, a `WouldBlock`) only to find nothing. Once a poll
//! came back empty every buffer is drained (tungstenite, and rustls for `wss://`, read until the
//! socket would block), so until the socket turns readable nothing new can have arrived.
//!
//! A poll can also come back empty because a reply tungstenite owes (a pong) could not be
//! written; it then goes out with the next write or the next message.

use std::task::{Context, Poll};

use futures_util::StreamExt;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{Error, Message};
use tokio_tungstenite::MaybeTlsStream;

use crate::ws_connect::ClientWs;

#[derive(Debug, Default)]
pub(crate) struct ReadGate {
    /// The last poll came back empty: wait for the socket before polling again.
    drained: bool,
}

impl ReadGate {
    /// `ws.poll_next`, skipped while the drained socket is not readable (the task is then
    /// woken when it is).
    pub fn poll_next(
        &mut self,
        ws: &mut ClientWs,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Message, Error>>> {
        if self.drained {
            if let Some(tcp) = tcp(ws) {
                if tcp.poll_read_ready(cx).is_pending() {
                    return Poll::Pending;
                }
            }
        }
        let polled = ws.poll_next_unpin(cx);
        self.drained = polled.is_pending();
        polled
    }
}

fn tcp(ws: &ClientWs) -> Option<&TcpStream> {
    match ws.get_ref() {
        MaybeTlsStream::Plain(tcp) => Some(tcp),
        MaybeTlsStream::Rustls(tls) => Some(tls.get_ref().0),
        _ => None,
    }
}
