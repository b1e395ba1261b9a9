//! Polls a client WebSocket for messages only when one can be there. A writer task wakes for
//! every audio frame; polling the WebSocket each time walks tokio-tungstenite's and
//! tungstenite's read path (wakers, buffers, a `WouldBlock`) only to find nothing. Once a poll
//! came back empty every buffer is drained (tungstenite, and rustls for `wss://` or an `https://`
//! proxy, read until the
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
        MaybeTlsStream::Plain(tunnel) => Some(tunnel.tcp()),
        MaybeTlsStream::Rustls(tls) => Some(tls.get_ref().0.tcp()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use futures_util::SinkExt;
    use tokio::net::TcpListener;
    use tokio_tungstenite::tungstenite::Message;

    use super::*;

    const WAIT: Duration = Duration::from_secs(5);

    async fn next(gate: &mut ReadGate, ws: &mut ClientWs) -> Message {
        let polled = std::future::poll_fn(|cx| gate.poll_next(ws, cx));
        match tokio::time::timeout(WAIT, polled).await {
            Ok(Some(Ok(message))) => message,
            other => panic!("no message: {other:?}"),
        }
    }

    #[tokio::test]
    async fn buffered_messages_and_later_ones_are_all_read() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (later_tx, later_rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
            // Two messages in one write: the second waits in the client's buffer, and the
            // socket will not turn readable again for it.
            ws.feed(Message::text("one")).await.unwrap();
            ws.feed(Message::text("two")).await.unwrap();
            ws.flush().await.unwrap();
            later_rx.await.unwrap();
            ws.send(Message::text("three")).await.unwrap();
            ws
        });
        let tcp = TcpStream::connect(address).await.unwrap();
        let url = format!("ws://{address}/");
        let tunnel = crate::proxy::TunnelStream::Tcp(tcp);
        let (mut ws, _) = tokio_tungstenite::client_async(url, MaybeTlsStream::Plain(tunnel))
            .await
            .unwrap();
        let mut gate = ReadGate::default();
        assert_eq!(next(&mut gate, &mut ws).await, Message::text("one"));
        assert_eq!(next(&mut gate, &mut ws).await, Message::text("two"));
        // Drained: nothing until the socket turns readable again.
        let idle = std::future::poll_fn(|cx| gate.poll_next(&mut ws, cx));
        assert!(tokio::time::timeout(Duration::from_millis(50), idle)
            .await
            .is_err());
        later_tx.send(()).unwrap();
        assert_eq!(next(&mut gate, &mut ws).await, Message::text("three"));
        drop(server.await.unwrap());
    }
}
