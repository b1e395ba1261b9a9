//! WebSocket client connections (`ws://` and `wss://`) with our own HTTP upgrade.
//!
//! tungstenite's client handshake reads the upgrade response into a 4 KiB buffer and keeps
//! that buffer as the connection's read buffer for good, whatever `read_buffer_size` says.
//! das streams mostly write, and read only small server messages, so here the read buffer is
//! the configured size (and grows for larger messages). The rest of the protocol is
//! tungstenite's own.

use std::sync::Arc;

use crate::proxy::TunnelStream;
use http::{header, HeaderMap, StatusCode};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::error::{Error, ProtocolError, UrlError};
use tokio_tungstenite::tungstenite::handshake::client::{Request, Response};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A client WebSocket over TCP, with or without TLS.
pub(crate) type ClientWs = WebSocketStream<MaybeTlsStream<TunnelStream>>;

/// Initial read buffer of a client connection: the server messages das reads (events,
/// pongs) are a few hundred bytes; the buffer grows for a larger one.
pub(crate) const READ_BUFFER_BYTES: usize = 1024;

/// Largest message the audio-channel clients (AudioHook, Twilio) read from a server: their
/// servers send small text messages (AudioHook text is at most 64 KiB), and a larger one is
/// refused instead of buffered whole.
pub(crate) const MAX_SERVER_MESSAGE: usize = 1 << 20;

/// The most an upgrade response's status line and headers may take.
const MAX_RESPONSE_HEAD: usize = 16 << 10;
const MAX_HEADERS: usize = 64;

/// Connects to the request's `ws://` or `wss://` URI (through the proxy `proxy` picks for it;
/// TLS with `tls`, inside the tunnel), upgrades, and returns the WebSocket and the server's
/// response. A refused upgrade is [`Error::Http`] with the response, as from tungstenite.
/// Bound the call with `timeout_at(deadline, …)`: a proxy silent past `deadline` is a
/// [`crate::proxy::ProxyError::Timeout`] inside [`Error::Io`], which that outer timeout lets
/// through (it polls this future first).
pub(crate) async fn connect(
    request: Request,
    config: WebSocketConfig,
    tls: Arc<rustls::ClientConfig>,
    proxy: &crate::proxy::ProxySetting,
    deadline: tokio::time::Instant,
) -> Result<(ClientWs, Response), Error> {
    let uri = request.uri();
    let secure = match uri.scheme_str() {
        Some("ws") => false,
        Some("wss") => true,
        _ => return Err(Error::Url(UrlError::UnsupportedUrlScheme)),
    };
    let host = uri.host().ok_or(Error::Url(UrlError::NoHostName))?;
    // `[::1]` in a URI is `::1` to resolve and to name in TLS.
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
    let scheme = if secure { "wss" } else { "ws" };
    let tunnel = crate::proxy::open_stream(proxy, scheme, &host, port, deadline, &tls).await?;
    // Audio frames and events are small and latency-bound: never wait to coalesce them.
    tunnel.tcp().set_nodelay(true)?;
    let mut stream = if secure {
        let name = ServerName::try_from(host).map_err(|_| Error::Url(UrlError::NoHostName))?;
        let tls = tokio_rustls::TlsConnector::from(tls)
            .connect(name, tunnel)
            .await?;
        MaybeTlsStream::Rustls(tls)
    } else {
        MaybeTlsStream::Plain(tunnel)
    };
    let key = request
        .headers()
        .get(header::SEC_WEBSOCKET_KEY)
        .ok_or(Error::Protocol(ProtocolError::MissingSecWebSocketKey))?
        .as_bytes()
        .to_vec();
    stream.write_all(&request_head(&request)).await?;
    stream.flush().await?;
    let (response, tail) = read_response(&mut stream).await?;
    if response.status() != StatusCode::SWITCHING_PROTOCOLS {
        return Err(Error::Http(response.map(|_| None).into()));
    }
    check_upgrade(response.headers(), &key)?;
    // Boxed: this future is ready at once but 3.6 KB, and inline it would set the size of
    // every connecting client's state.
    let ws = Box::pin(WebSocketStream::from_partially_read(
        stream,
        tail,
        Role::Client,
        Some(config),
    ))
    .await;
    Ok((ws, response))
}

/// `GET <target> HTTP/1.1` and the request's headers (tungstenite's `IntoClientRequest`
/// already added `Host`, `Upgrade`, `Connection`, the version and the key).
fn request_head(request: &Request) -> Vec<u8> {
    let target = request
        .uri()
        .path_and_query()
        .map_or("/", |target| target.as_str());
    let mut head = format!("GET {target} HTTP/1.1\r\n").into_bytes();
    for (name, value) in request.headers() {
        head.extend_from_slice(name.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    head
}

/// Reads the response head; returns it and whatever the server sent after it.
async fn read_response(
    stream: &mut MaybeTlsStream<TunnelStream>,
) -> Result<(Response, Vec<u8>), Error> {
    let mut received = Vec::with_capacity(512);
    let mut chunk = [0u8; 512];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(Error::Protocol(ProtocolError::HandshakeIncomplete));
        }
        received.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut parsed = httparse::Response::new(&mut headers);
        match parsed
            .parse(&received)
            .map_err(|e| Error::Protocol(ProtocolError::HttparseError(e)))?
        {
            httparse::Status::Complete(head_len) => {
                let response = to_response(&parsed)?;
                return Ok((response, received.split_off(head_len)));
            }
            httparse::Status::Partial if received.len() > MAX_RESPONSE_HEAD => {
                return Err(Error::Protocol(ProtocolError::HandshakeIncomplete));
            }
            httparse::Status::Partial => {}
        }
    }
}

fn to_response(parsed: &httparse::Response<'_, '_>) -> Result<Response, Error> {
    if parsed.version != Some(1) {
        return Err(Error::Protocol(ProtocolError::WrongHttpVersion));
    }
    let mut response = Response::new(None);
    *response.status_mut() =
        StatusCode::from_u16(parsed.code.unwrap_or(0)).map_err(|e| Error::HttpFormat(e.into()))?;
    let headers = response.headers_mut();
    for parsed in parsed.headers.iter() {
        let name = header::HeaderName::from_bytes(parsed.name.as_bytes())
            .map_err(|e| Error::HttpFormat(e.into()))?;
        let value = header::HeaderValue::from_bytes(parsed.value)
            .map_err(|e| Error::HttpFormat(e.into()))?;
        headers.append(name, value);
    }
    Ok(response)
}

/// RFC 6455 §4.1: `Upgrade: websocket`, `Connection: upgrade` and the accept key.
fn check_upgrade(headers: &HeaderMap, key: &[u8]) -> Result<(), Error> {
    let has_token = |name, token: &str| {
        headers.get_all(name).iter().any(|value| {
            value
                .to_str()
                .unwrap_or("")
                .split(',')
                .any(|part| part.trim().eq_ignore_ascii_case(token))
        })
    };
    if !has_token(header::UPGRADE, "websocket") {
        return Err(Error::Protocol(
            ProtocolError::MissingUpgradeWebSocketHeader,
        ));
    }
    if !has_token(header::CONNECTION, "upgrade") {
        return Err(Error::Protocol(
            ProtocolError::MissingConnectionUpgradeHeader,
        ));
    }
    let accepted = headers
        .get(header::SEC_WEBSOCKET_ACCEPT)
        .map(|v| v.as_bytes());
    if accepted != Some(derive_accept_key(key).as_bytes()) {
        return Err(Error::Protocol(
            ProtocolError::SecWebSocketAcceptKeyMismatch,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_head_carries_every_header() {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = "ws://example.com:8080/socket.io/?EIO=4&transport=websocket"
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("authorization", "Bearer t".parse().unwrap());
        let head = String::from_utf8(request_head(&request)).unwrap();
        assert!(head.starts_with("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"));
        assert!(head.contains("\r\nhost: example.com:8080\r\n"));
        assert!(head.contains("\r\nauthorization: Bearer t\r\n"));
        assert!(head.contains("\r\nsec-websocket-key: "));
        assert!(head.ends_with("\r\n\r\n"));
    }

    #[test]
    fn upgrades_need_the_headers_and_the_accept_key() {
        let key = b"dGhlIHNhbXBsZSBub25jZQ==";
        let mut headers = HeaderMap::new();
        headers.insert(header::UPGRADE, "WebSocket".parse().unwrap());
        headers.insert(header::CONNECTION, "keep-alive, Upgrade".parse().unwrap());
        assert!(matches!(
            check_upgrade(&headers, key),
            Err(Error::Protocol(
                ProtocolError::SecWebSocketAcceptKeyMismatch
            ))
        ));
        // The RFC 6455 example key and answer.
        headers.insert(
            header::SEC_WEBSOCKET_ACCEPT,
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".parse().unwrap(),
        );
        assert!(check_upgrade(&headers, key).is_ok());
        headers.remove(header::UPGRADE);
        assert!(matches!(
            check_upgrade(&headers, key),
            Err(Error::Protocol(
                ProtocolError::MissingUpgradeWebSocketHeader
            ))
        ));
    }
}
