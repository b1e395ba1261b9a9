//! The stream of a client connection: straight to the target, or a tunnel through the proxy
//! the setting picks for it, an HTTP `CONNECT` (over TLS to an `https://` proxy) or a SOCKS5
//! `CONNECT` (TLS to the target, if any, then runs inside the tunnel).

use std::io;
use std::sync::Arc;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

use super::stream::TunnelStream;
use super::{socks, ProxyError, ProxyScheme, ProxySetting, ProxyUrl};

/// The most a CONNECT answer's status line and headers may take.
const MAX_ANSWER_HEAD: usize = 8 << 10;
const MAX_HEADERS: usize = 64;

/// Opens a stream to `host:port` for a `scheme` URL, through the proxy `setting` picks for it
/// (an `https://` proxy is spoken to over TLS with `tls`, the connection's own trust). An
/// unreachable proxy is the I/O error of that connection; a refusing, silent (past
/// `deadline`) or broken proxy is a [`ProxyError`] inside the I/O error.
pub(crate) async fn open_stream(
    setting: &ProxySetting,
    scheme: &str,
    host: &str,
    port: u16,
    deadline: Instant,
    tls: &Arc<rustls::ClientConfig>,
) -> io::Result<TunnelStream> {
    let Some(proxy) = setting.for_target(scheme, host, port) else {
        return TcpStream::connect((host, port))
            .await
            .map(TunnelStream::Tcp);
    };
    let tcp = TcpStream::connect((proxy.host(), proxy.port())).await?;
    let target = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let asked = Instant::now();
    let tunnel = async {
        let mut stream = match proxy.scheme() {
            ProxyScheme::Https => TunnelStream::Tls(Box::new(tls_to(&proxy, tcp, tls).await?)),
            _ => TunnelStream::Tcp(tcp),
        };
        match proxy.scheme() {
            ProxyScheme::Http | ProxyScheme::Https => {
                handshake(&mut stream, &proxy, &target).await?
            }
            ProxyScheme::Socks5 | ProxyScheme::Socks5h => {
                socks::connect(&mut stream, &proxy, host, port, &target).await?
            }
        }
        Ok(stream)
    };
    match tokio::time::timeout_at(deadline, tunnel).await {
        Ok(result) => result,
        Err(_) => Err(ProxyError::Timeout {
            proxy: proxy.to_string(),
            target,
            seconds: asked.elapsed().as_secs_f64(),
        }
        .into_io()),
    }
}

/// TLS to the proxy itself, which must present a certificate for its host that `tls` trusts.
async fn tls_to(
    proxy: &ProxyUrl,
    tcp: TcpStream,
    tls: &Arc<rustls::ClientConfig>,
) -> io::Result<tokio_rustls::client::TlsStream<TcpStream>> {
    let name = ServerName::try_from(proxy.host().to_owned())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    tokio_rustls::TlsConnector::from(Arc::clone(tls))
        .connect(name, tcp)
        .await
}

async fn handshake<S>(tcp: &mut S, proxy: &ProxyUrl, target: &str) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut request = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
    if let Some(authorization) = proxy.authorization() {
        request.push_str(&format!("Proxy-Authorization: {authorization}\r\n"));
    }
    request.push_str("\r\n");
    tcp.write_all(request.as_bytes()).await?;
    tcp.flush().await?;
    let broken = |message: String| {
        ProxyError::Protocol {
            proxy: proxy.to_string(),
            target: target.to_owned(),
            message,
        }
        .into_io()
    };
    // Read byte by byte up to the blank line: nothing of the tunnel's own traffic may be
    // consumed here (a server that speaks first would lose its first bytes).
    let mut head = Vec::with_capacity(256);
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if tcp.read(&mut byte).await? == 0 {
            return Err(broken("connection closed before the answer".to_owned()));
        }
        head.push(byte[0]);
        if head.len() > MAX_ANSWER_HEAD {
            return Err(broken("answer head too long".to_owned()));
        }
    }
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut answer = httparse::Response::new(&mut headers);
    answer
        .parse(&head)
        .map_err(|e| broken(format!("not an HTTP answer: {e}")))?;
    let status = answer.code.unwrap_or(0);
    if (200..300).contains(&status) {
        return Ok(());
    }
    Err(ProxyError::Refused {
        proxy: proxy.to_string(),
        target: target.to_owned(),
        status,
        reason: answer.reason.unwrap_or("").to_owned(),
    }
    .into_io())
}
