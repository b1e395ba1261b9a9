//! What a full server tells a newcomer, and how often it says so in the log.

use std::time::{Duration, Instant};

use axum::response::{IntoResponse, Response};
use hyper::header::{HeaderValue, CONNECTION, RETRY_AFTER};
use hyper::StatusCode;
use tokio::net::TcpStream;

/// Answered on plain-HTTP listeners before closing; a TLS listener can only close.
const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
Content-Type: text/plain\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: 40\r\n\r\n\
server is at its connection limit, retry";

/// Answers 503 without waiting (a fresh socket's send buffer takes the whole answer) and
/// closes the connection.
pub(super) fn refuse(stream: TcpStream, plain: bool) {
    if plain {
        // Best effort: a peer that is already gone needs no answer.
        let _ = stream.try_write(BUSY);
    }
}

/// The answer to an upgrade that came on a connection just told to close to make room.
pub(super) fn making_room() -> Response {
    let mut response = (
        StatusCode::SERVICE_UNAVAILABLE,
        "server is making room, retry",
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(RETRY_AFTER, HeaderValue::from_static("1"));
    headers.insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

/// A warning at most once per interval, with how many times it happened in between.
pub(super) struct Throttled {
    what: &'static str,
    interval: Duration,
    last: Option<Instant>,
    since: u64,
}

impl Throttled {
    pub(super) fn new(what: &'static str) -> Self {
        Throttled {
            what,
            interval: Duration::from_secs(10),
            last: None,
            since: 0,
        }
    }

    pub(super) fn hit(&mut self, detail: &dyn std::fmt::Display) {
        self.since += 1;
        if self.last.is_some_and(|last| last.elapsed() < self.interval) {
            return;
        }
        tracing::warn!(times = self.since, "{}: {detail}", self.what);
        self.last = Some(Instant::now());
        self.since = 0;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_busy_answer_declares_its_body_length() {
        let text = std::str::from_utf8(super::BUSY).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("Content-Length: {}", body.len())));
    }
}
