//! The SOCKS5 side of a tunnel (RFC 1928, with RFC 1929's user name and password): greeting,
//! authentication, then `CONNECT` to the target. Exactly the proxy's answers are read, so the
//! tunnel's own first bytes stay in the stream.

use std::io;
use std::net::IpAddr;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::{ProxyError, ProxyScheme, ProxyUrl};

const VERSION: u8 = 5;
const NO_AUTHENTICATION: u8 = 0;
const USER_PASSWORD: u8 = 2;
const NO_ACCEPTABLE_METHOD: u8 = 0xff;
const USER_PASSWORD_VERSION: u8 = 1;
const CONNECT: u8 = 1;
const IPV4: u8 = 1;
const DOMAIN: u8 = 3;
const IPV6: u8 = 4;

/// Opens the tunnel to `host:port` on `stream`, a connection to the SOCKS5 `proxy`. A
/// `socks5://` proxy is given the address `host` resolves to here; a `socks5h://` one is
/// given the name. `target` is `host:port` as the errors show it.
pub(super) async fn connect<S>(
    stream: &mut S,
    proxy: &ProxyUrl,
    host: &str,
    port: u16,
    target: &str,
) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let address = target_address(proxy.scheme(), host, port).await?;
    let talk = Talk { proxy, target };
    talk.authenticate(stream).await?;
    let mut request = vec![VERSION, CONNECT, 0];
    request.extend_from_slice(&address);
    request.extend_from_slice(&port.to_be_bytes());
    stream.write_all(&request).await?;
    stream.flush().await?;
    let mut head = [0u8; 4];
    talk.read_exact(stream, &mut head).await?;
    let [version, reply, _, kind] = head;
    if version != VERSION {
        return Err(talk.broken(format!("the CONNECT reply has version {version}, not 5")));
    }
    if reply != 0 {
        return Err(talk.refused(Some(reply), reply_meaning(reply)));
    }
    // The address the proxy bound for the tunnel, then its port: read, not used.
    let bound = match kind {
        IPV4 => 4,
        IPV6 => 16,
        DOMAIN => {
            let mut len = [0u8; 1];
            talk.read_exact(stream, &mut len).await?;
            usize::from(len[0])
        }
        other => return Err(talk.broken(format!("the CONNECT reply has address type {other}"))),
    };
    let mut rest = vec![0u8; bound + 2];
    talk.read_exact(stream, &mut rest).await
}

/// The request's address field: the IP address, or the name for the proxy to resolve.
async fn target_address(scheme: ProxyScheme, host: &str, port: u16) -> io::Result<Vec<u8>> {
    let ip = match host.parse::<IpAddr>() {
        Ok(ip) => ip,
        Err(_) if scheme == ProxyScheme::Socks5h => {
            let name = host.as_bytes();
            let len = u8::try_from(name.len()).map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "host name longer than 255 bytes",
                )
            })?;
            return Ok([&[DOMAIN, len][..], name].concat());
        }
        // socks5://: resolved here, as a direct connection would be.
        Err(_) => tokio::net::lookup_host((host, port))
            .await?
            .next()
            .map(|address| address.ip())
            .ok_or_else(|| {
                io::Error::new(io::ErrorKind::NotFound, format!("{host} has no address"))
            })?,
    };
    Ok(match ip {
        IpAddr::V4(v4) => [&[IPV4][..], &v4.octets()].concat(),
        IpAddr::V6(v6) => [&[IPV6][..], &v6.octets()].concat(),
    })
}

fn reply_meaning(reply: u8) -> String {
    let meaning = match reply {
        1 => "general SOCKS server failure",
        2 => "connection not allowed by its rules",
        3 => "network unreachable",
        4 => "host unreachable",
        5 => "connection refused",
        6 => "TTL expired",
        7 => "command not supported",
        8 => "address type not supported",
        _ => "unknown failure",
    };
    format!("{meaning} (SOCKS5 reply {reply})")
}

/// One handshake's proxy and target, for its errors.
struct Talk<'a> {
    proxy: &'a ProxyUrl,
    target: &'a str,
}

impl Talk<'_> {
    /// Offers no authentication, and user name and password when the URL has them.
    async fn authenticate<S>(&self, stream: &mut S) -> io::Result<()>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let credentials = self.proxy.credentials();
        let greeting: &[u8] = match credentials {
            Some(_) => &[VERSION, 2, NO_AUTHENTICATION, USER_PASSWORD],
            None => &[VERSION, 1, NO_AUTHENTICATION],
        };
        stream.write_all(greeting).await?;
        stream.flush().await?;
        let mut choice = [0u8; 2];
        self.read_exact(stream, &mut choice).await?;
        match (choice, credentials) {
            ([VERSION, NO_AUTHENTICATION], _) => Ok(()),
            ([VERSION, USER_PASSWORD], Some((user, password))) => {
                // Both at most 255 bytes: `ProxyUrl::parse` refuses longer ones.
                let mut request = vec![USER_PASSWORD_VERSION, user.len() as u8];
                request.extend_from_slice(user.as_bytes());
                request.push(password.len() as u8);
                request.extend_from_slice(password.as_bytes());
                stream.write_all(&request).await?;
                stream.flush().await?;
                let mut status = [0u8; 2];
                self.read_exact(stream, &mut status).await?;
                match status {
                    [_, 0] => Ok(()),
                    _ => Err(self.refused(None, "user name or password refused".to_owned())),
                }
            }
            ([VERSION, NO_ACCEPTABLE_METHOD], _) => Err(self.refused(
                None,
                match credentials {
                    Some(_) => "it accepts neither no authentication nor user name and password",
                    None => "it requires authentication (give user:password@ in the proxy URL)",
                }
                .to_owned(),
            )),
            ([VERSION, method], _) => Err(self.broken(format!(
                "it chose authentication method {method}, which was not offered"
            ))),
            ([version, _], _) => Err(self.broken(format!(
                "not a SOCKS5 proxy (its answer has version {version})"
            ))),
        }
    }

    /// Reads exactly `into`; a proxy closing early broke the handshake.
    async fn read_exact<S>(&self, stream: &mut S, into: &mut [u8]) -> io::Result<()>
    where
        S: AsyncRead + Unpin,
    {
        match stream.read_exact(into).await {
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                Err(self.broken("connection closed before the answer".to_owned()))
            }
            other => other.map(drop),
        }
    }

    fn refused(&self, reply: Option<u8>, reason: String) -> io::Error {
        ProxyError::SocksRefused {
            proxy: self.proxy.to_string(),
            target: self.target.to_owned(),
            reply,
            reason,
        }
        .into_io()
    }

    fn broken(&self, message: String) -> io::Error {
        ProxyError::Protocol {
            proxy: self.proxy.to_string(),
            target: self.target.to_owned(),
            message,
        }
        .into_io()
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{duplex, DuplexStream};

    use super::*;

    /// What the client must send, and the proxy's answer, step by step.
    type Script = Vec<(Vec<u8>, Vec<u8>)>;

    /// A scripted proxy: for each step, reads exactly what the client must send, then writes
    /// the answer; then closes.
    fn proxy_script(steps: Script) -> (DuplexStream, tokio::task::JoinHandle<()>) {
        let (client, mut server) = duplex(1024);
        let script = tokio::spawn(async move {
            for (expected, answer) in steps {
                let mut got = vec![0u8; expected.len()];
                server.read_exact(&mut got).await.unwrap();
                assert_eq!(got, expected);
                server.write_all(&answer).await.unwrap();
            }
        });
        (client, script)
    }

    async fn connect_via(url: &str, host: &str, steps: Script) -> (io::Result<()>, DuplexStream) {
        let proxy = ProxyUrl::parse(url).unwrap();
        let (mut stream, script) = proxy_script(steps);
        let outcome = connect(&mut stream, &proxy, host, 443, &format!("{host}:443")).await;
        if outcome.is_ok() {
            script.await.unwrap();
        }
        (outcome, stream)
    }

    fn refusal(outcome: io::Result<()>) -> ProxyError {
        ProxyError::find_in(&outcome.unwrap_err()).expect("a proxy error")
    }

    #[tokio::test]
    async fn socks5h_authenticates_sends_the_name_and_leaves_the_tunnels_bytes() {
        let mut connect = vec![5, 1, 0, 3, 8];
        connect.extend_from_slice(b"das.test");
        connect.extend_from_slice(&443u16.to_be_bytes());
        // The bound address as a name, then the target's first bytes right behind it.
        let mut reply = vec![5, 0, 0, 3, 4];
        reply.extend_from_slice(b"bind\x01\xbbhello");
        let (outcome, mut stream) = connect_via(
            "socks5h://agent:pw@proxy",
            "das.test",
            vec![
                (vec![5, 2, 0, 2], vec![5, 2]),
                ([&[1, 5][..], b"agent", &[2], b"pw"].concat(), vec![1, 0]),
                (connect, reply),
            ],
        )
        .await;
        outcome.unwrap();
        let mut first = String::new();
        stream.read_to_string(&mut first).await.unwrap();
        assert_eq!(first, "hello");
    }

    #[tokio::test]
    async fn socks5_sends_addresses_resolved_here() {
        let bound_ipv4 = vec![5, 0, 0, 1, 127, 0, 0, 1, 1, 187];
        let (outcome, _) = connect_via(
            "socks5://proxy",
            "127.0.0.1",
            vec![
                (vec![5, 1, 0], vec![5, 0]),
                (vec![5, 1, 0, 1, 127, 0, 0, 1, 1, 187], bound_ipv4.clone()),
            ],
        )
        .await;
        outcome.unwrap();
        let mut ipv6 = vec![5, 1, 0, 4];
        ipv6.extend_from_slice(&"::1".parse::<std::net::Ipv6Addr>().unwrap().octets());
        ipv6.extend_from_slice(&443u16.to_be_bytes());
        let (outcome, _) = connect_via(
            "socks5://proxy",
            "::1",
            vec![(vec![5, 1, 0], vec![5, 0]), (ipv6, bound_ipv4)],
        )
        .await;
        outcome.unwrap();
        // A name that does not resolve here never reaches the proxy.
        let proxy = ProxyUrl::parse("socks5://proxy").unwrap();
        let (mut stream, _script) = proxy_script(vec![]);
        let unresolved = connect(&mut stream, &proxy, "nowhere.invalid", 443, "t").await;
        assert!(ProxyError::find_in(&unresolved.unwrap_err()).is_none());
    }

    #[tokio::test]
    async fn refusals_say_which_step_refused() {
        let (outcome, _) =
            connect_via("socks5h://proxy", "h", vec![(vec![5, 1, 0], vec![5, 0xff])]).await;
        let error = refusal(outcome);
        assert!(
            error.to_string().contains("requires authentication"),
            "{error}"
        );
        assert!(matches!(
            error,
            ProxyError::SocksRefused { reply: None, .. }
        ));

        let (outcome, _) = connect_via(
            "socks5h://agent:wrong@proxy",
            "h",
            vec![
                (vec![5, 2, 0, 2], vec![5, 2]),
                ([&[1, 5][..], b"agent", &[5], b"wrong"].concat(), vec![1, 1]),
            ],
        )
        .await;
        let error = refusal(outcome);
        assert_eq!(
            error.to_string(),
            "proxy socks5h://***@proxy:1080 refused the tunnel to h:443: user name or password refused"
        );

        let (outcome, _) = connect_via(
            "socks5h://proxy",
            "h",
            vec![
                (vec![5, 1, 0], vec![5, 0]),
                (
                    vec![5, 1, 0, 3, 1, b'h', 1, 187],
                    vec![5, 5, 0, 1, 0, 0, 0, 0, 0, 0],
                ),
            ],
        )
        .await;
        let error = refusal(outcome);
        assert!(matches!(
            error,
            ProxyError::SocksRefused { reply: Some(5), .. }
        ));
        assert!(
            error
                .to_string()
                .ends_with("connection refused (SOCKS5 reply 5)"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn answers_that_are_not_socks5_are_protocol_errors() {
        let cases: [(&str, Script, &str); 4] = [
            (
                "socks5h://p",
                vec![(vec![5, 1, 0], b"HTTP/1.1 400".to_vec())],
                "not a SOCKS5 proxy",
            ),
            (
                "socks5h://p",
                vec![(vec![5, 1, 0], vec![5, 2])],
                "which was not offered",
            ),
            (
                "socks5h://p",
                vec![(vec![5, 1, 0], vec![5])],
                "closed before the answer",
            ),
            (
                "socks5h://p",
                vec![
                    (vec![5, 1, 0], vec![5, 0]),
                    (vec![5, 1, 0, 3, 1, b'h', 1, 187], vec![5, 0, 0, 9]),
                ],
                "address type 9",
            ),
        ];
        for (url, steps, expected) in cases {
            let (outcome, _) = connect_via(url, "h", steps).await;
            let error = refusal(outcome);
            assert!(matches!(error, ProxyError::Protocol { .. }), "{error}");
            assert!(error.to_string().contains(expected), "{error}");
        }
    }
}
