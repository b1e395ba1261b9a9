//! The proxy setting of a client, and a proxy's address with its credentials.

use std::fmt;

use base64::Engine as _;

use super::env::ProxyEnv;
use super::ProxyError;

/// Whether client connections go through a proxy (HTTP or SOCKS5).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ProxySetting {
    /// As the environment says (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`, read as
    /// curl does; see [`ProxyEnv`]). The default.
    #[default]
    FromEnvironment,
    /// Never a proxy, whatever the environment says.
    Direct,
    /// Through this proxy for every target, except those `NO_PROXY` names.
    Proxy(ProxyUrl),
    /// As this snapshot of the variables says (tests; applications that read their own).
    Environment(ProxyEnv),
}

impl ProxySetting {
    /// Parses a user's setting: `""` means [`Direct`](Self::Direct), anything else a proxy URL
    /// (`http://`, `socks5://` or `socks5h://`, then `[user:password@]host[:port]`).
    pub fn parse(text: &str) -> Result<Self, ProxyError> {
        if text.trim().is_empty() {
            return Ok(Self::Direct);
        }
        Ok(Self::Proxy(ProxyUrl::parse(text)?))
    }

    /// The proxy for a connection to `host:port` made for a `scheme` URL (`http`, `https`,
    /// `ws`, `wss`), or `None` to connect directly.
    pub fn for_target(&self, scheme: &str, host: &str, port: u16) -> Option<ProxyUrl> {
        match self {
            Self::Direct => None,
            Self::FromEnvironment => ProxyEnv::from_process().for_target(scheme, host, port),
            Self::Environment(env) => env.for_target(scheme, host, port),
            Self::Proxy(proxy) => {
                let bypass = ProxyEnv::from_process().bypasses(host, port);
                (!bypass).then(|| proxy.clone())
            }
        }
    }

    /// A short description without credentials, for logs and `describe` output.
    pub fn describe(&self) -> String {
        match self {
            Self::FromEnvironment => "environment".to_owned(),
            Self::Direct => "none".to_owned(),
            Self::Proxy(proxy) => proxy.to_string(),
            Self::Environment(_) => "environment (given)".to_owned(),
        }
    }
}

/// How a proxy is spoken to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProxyScheme {
    /// An HTTP proxy: `CONNECT` tunnels, and `http://` requests sent in absolute form.
    Http,
    /// An HTTP proxy spoken to over TLS (trusting the connection's roots), as [`Http`](Self::Http)
    /// inside.
    Https,
    /// A SOCKS5 proxy given the target's address: the client resolves host names itself.
    Socks5,
    /// A SOCKS5 proxy given the target's host name: the proxy resolves it (curl's `socks5h`).
    Socks5h,
}

impl ProxyScheme {
    fn name(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Https => "https",
            Self::Socks5 => "socks5",
            Self::Socks5h => "socks5h",
        }
    }
}

/// A proxy: how it is spoken to, host, port and optional credentials (HTTP Basic, or SOCKS5
/// user name and password). Its `Debug` and `Display` never show the password or the user
/// name.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyUrl {
    scheme: ProxyScheme,
    host: String,
    port: u16,
    credentials: Option<(String, String)>,
}

/// A proxy URL other than `https://` without a port uses this one, as curl does.
const DEFAULT_PROXY_PORT: u16 = 1080;

impl ProxyUrl {
    /// Parses `http://`, `https://`, `socks5://` or `socks5h://`, then
    /// `[user:password@]host[:port]` (a bare `host:port` is taken as `http://`; no port means
    /// 443 for `https://` and 1080 otherwise, as in curl; user and password are
    /// percent-decoded). Other schemes are refused.
    pub fn parse(text: &str) -> Result<Self, ProxyError> {
        let text = text.trim();
        let with_scheme = if text.contains("://") {
            text.to_owned()
        } else {
            format!("http://{text}")
        };
        let invalid = |why: &str| ProxyError::InvalidUrl(format!("{}: {why}", redact(text)));
        let url = url::Url::parse(&with_scheme).map_err(|e| invalid(&e.to_string()))?;
        let scheme = match url.scheme() {
            "http" => ProxyScheme::Http,
            "https" => ProxyScheme::Https,
            "socks5" => ProxyScheme::Socks5,
            "socks5h" => ProxyScheme::Socks5h,
            _ => {
                return Err(invalid(
                    "only http://, https://, socks5:// and socks5h:// proxies are supported",
                ))
            }
        };
        let host = url.host_str().ok_or_else(|| invalid("no host"))?;
        let decode = |part: &str| {
            percent_encoding::percent_decode_str(part)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| invalid("credentials are not UTF-8"))
        };
        let credentials = if url.username().is_empty() && url.password().is_none() {
            None
        } else {
            Some((
                decode(url.username())?,
                decode(url.password().unwrap_or(""))?,
            ))
        };
        // RFC 1929 gives each a one-byte length.
        let too_long =
            |(user, password): &(String, String)| user.len() > 255 || password.len() > 255;
        let socks = matches!(scheme, ProxyScheme::Socks5 | ProxyScheme::Socks5h);
        if socks && credentials.as_ref().is_some_and(too_long) {
            return Err(invalid(
                "SOCKS5 user names and passwords are at most 255 bytes",
            ));
        }
        Ok(Self {
            scheme,
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
            // An https:// proxy without a port is on 443 (curl), the others on 1080.
            port: match scheme {
                ProxyScheme::Https => url.port_or_known_default(),
                _ => url.port(),
            }
            .unwrap_or(DEFAULT_PROXY_PORT),
            credentials,
        })
    }

    /// How the proxy is spoken to.
    pub fn scheme(&self) -> ProxyScheme {
        self.scheme
    }

    /// The proxy's host name or IP address.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The proxy's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether credentials are set.
    pub fn has_credentials(&self) -> bool {
        self.credentials.is_some()
    }

    /// The user name and password, if set.
    pub(super) fn credentials(&self) -> Option<(&str, &str)> {
        let (user, password) = self.credentials.as_ref()?;
        Some((user, password))
    }

    /// `Proxy-Authorization` value of an HTTP(S) proxy, if credentials are set.
    pub(crate) fn authorization(&self) -> Option<String> {
        let (user, password) = self.credentials.as_ref()?;
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        Some(format!("Basic {token}"))
    }

    /// The full URL with credentials, for reqwest only (never displayed).
    pub(super) fn with_credentials_url(&self) -> String {
        let authority = self.authority();
        let scheme = self.scheme.name();
        match &self.credentials {
            None => format!("{scheme}://{authority}"),
            Some((user, password)) => {
                let encode = |part: &str| {
                    percent_encoding::utf8_percent_encode(part, percent_encoding::NON_ALPHANUMERIC)
                        .to_string()
                };
                format!(
                    "{scheme}://{}:{}@{authority}",
                    encode(user),
                    encode(password)
                )
            }
        }
    }

    fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// `scheme://host:port`, with `***@` in place of any credentials.
impl fmt::Display for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let credentials = if self.has_credentials() { "***@" } else { "" };
        let scheme = self.scheme.name();
        write!(f, "{scheme}://{credentials}{}", self.authority())
    }
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProxyUrl({self})")
    }
}

/// `text` with any `user:password@` replaced by `***@`, for error messages.
fn redact(text: &str) -> String {
    match (text.find("://"), text.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}***{}", &text[..scheme_end + 3], &text[at..])
        }
        (None, Some(at)) => format!("***{}", &text[at..]),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_decoded_and_never_shown() {
        let proxy = ProxyUrl::parse("http://us%40er:p%3Ass@proxy.corp:3128").unwrap();
        assert_eq!(
            proxy.authorization().unwrap(),
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("us@er:p:ss")
            )
        );
        assert_eq!(proxy.to_string(), "http://***@proxy.corp:3128");
        assert!(!format!("{proxy:?}").contains("p%3Ass"));
        assert!(!format!("{:?}", ProxySetting::Proxy(proxy)).contains("er"));
    }

    #[test]
    fn https_proxies_default_to_443() {
        let proxy = ProxyUrl::parse("https://u:p@proxy.corp").unwrap();
        assert_eq!(proxy.scheme(), ProxyScheme::Https);
        assert_eq!(proxy.port(), 443);
        assert_eq!(proxy.to_string(), "https://***@proxy.corp:443");
        assert!(proxy.authorization().is_some());
        assert_eq!(
            ProxyUrl::parse("https://proxy.corp:8443").unwrap().port(),
            8443
        );
    }

    #[test]
    fn a_bare_host_is_http_with_curls_default_port() {
        let proxy = ProxyUrl::parse("proxy.corp").unwrap();
        assert_eq!((proxy.host(), proxy.port()), ("proxy.corp", 1080));
        assert_eq!(ProxySetting::parse(" ").unwrap(), ProxySetting::Direct);
    }

    #[test]
    fn socks5_proxies_keep_their_scheme_and_hide_their_credentials() {
        let proxy = ProxyUrl::parse("SOCKS5H://agent:s%3Acret@proxy.corp").unwrap();
        assert_eq!(proxy.scheme(), ProxyScheme::Socks5h);
        assert_eq!((proxy.host(), proxy.port()), ("proxy.corp", 1080));
        assert_eq!(proxy.credentials(), Some(("agent", "s:cret")));
        assert_eq!(proxy.to_string(), "socks5h://***@proxy.corp:1080");
        assert_eq!(
            proxy.with_credentials_url(),
            "socks5h://agent:s%3Acret@proxy.corp:1080"
        );
        let local_dns = ProxyUrl::parse("socks5://[::1]:9050").unwrap();
        assert_eq!(local_dns.scheme(), ProxyScheme::Socks5);
        assert_eq!(local_dns.to_string(), "socks5://[::1]:9050");
        let long = format!("socks5://{}:p@proxy", "u".repeat(256));
        assert!(ProxyUrl::parse(&long)
            .unwrap_err()
            .to_string()
            .contains("255 bytes"));
    }

    #[test]
    fn other_schemes_are_refused_without_echoing_the_password() {
        for url in ["ftp://u:secret@proxy:1080", "socks4://u:secret@proxy:1080"] {
            let error = ProxyUrl::parse(url).unwrap_err();
            assert!(
                error
                    .to_string()
                    .contains("only http://, https://, socks5://"),
                "{error}"
            );
            assert!(!error.to_string().contains("secret"), "{error}");
        }
    }
}
