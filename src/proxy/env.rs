//! The proxy variables as curl reads them: `http_proxy`, `https_proxy`, `all_proxy` and
//! `no_proxy`, each lower case first, then upper case (which curl ignores for `HTTP_PROXY`
//! only; requests reads it, and so do we).

use std::net::IpAddr;

use super::ProxyUrl;

/// A snapshot of the proxy variables.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProxyEnv {
    http: Option<ProxyUrl>,
    https: Option<ProxyUrl>,
    all: Option<ProxyUrl>,
    no_proxy: Vec<NoProxyEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum NoProxyEntry {
    /// `*`: no proxy at all.
    Everything,
    /// A host name and its subdomains (`example.com`, `.example.com`), optionally one port.
    Domain(String, Option<u16>),
    /// An address or a CIDR block.
    Network(IpAddr, u8),
}

impl ProxyEnv {
    /// Reads this process's variables. An unparsable proxy URL counts as unset (and is logged
    /// as a warning, once per variable and value).
    pub fn from_process() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the snapshot from `lookup` (a variable's value by name).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        // Every connection reads them: the names are not built each time.
        let read = |names: [&'static str; 2]| {
            names
                .into_iter()
                .find_map(|name| Some((lookup(name).filter(|v| !v.trim().is_empty())?, name)))
        };
        let proxy = |names| {
            let (value, name) = read(names)?;
            ProxyUrl::parse(&value)
                .map_err(|error| warn_ignored(name, &error))
                .ok()
        };
        Self {
            http: proxy(["http_proxy", "HTTP_PROXY"]),
            https: proxy(["https_proxy", "HTTPS_PROXY"]),
            all: proxy(["all_proxy", "ALL_PROXY"]),
            no_proxy: read(["no_proxy", "NO_PROXY"])
                .map(|(list, _)| parse_no_proxy(&list))
                .unwrap_or_default(),
        }
    }

    /// The proxy for a `scheme` connection to `host:port` (`ws` counts as `http`, `wss` as
    /// `https`), or `None` to connect directly.
    pub fn for_target(&self, scheme: &str, host: &str, port: u16) -> Option<ProxyUrl> {
        if self.bypasses(host, port) {
            return None;
        }
        let by_scheme = match scheme {
            "http" | "ws" => self.http.as_ref(),
            _ => self.https.as_ref(),
        };
        by_scheme.or(self.all.as_ref()).cloned()
    }

    /// Whether `NO_PROXY` names this target.
    pub fn bypasses(&self, host: &str, port: u16) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let ip = host.parse::<IpAddr>().ok();
        self.no_proxy.iter().any(|entry| match entry {
            NoProxyEntry::Everything => true,
            NoProxyEntry::Domain(domain, only_port) => {
                only_port.is_none_or(|p| p == port)
                    && (host == *domain || host.ends_with(&format!(".{domain}")))
            }
            NoProxyEntry::Network(network, bits) => {
                ip.is_some_and(|ip| in_network(ip, *network, *bits))
            }
        })
    }
}

/// Warns that the proxy variable `name` is ignored, once per variable and error: every
/// connection reads the variables again, and a fleet of sessions makes thousands. The error
/// never shows the URL's credentials.
fn warn_ignored(name: &str, error: &super::ProxyError) {
    static WARNED: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());
    let seen = (name.to_owned(), error.to_string());
    let first = {
        let mut warned = WARNED.lock().unwrap_or_else(|p| p.into_inner());
        let first = !warned.contains(&seen);
        if first {
            warned.push(seen);
        }
        first
    };
    // Logged without the lock: a log callback runs application code.
    if first {
        tracing::warn!(variable = name, %error, "proxy variable ignored");
    }
}

fn parse_no_proxy(list: &str) -> Vec<NoProxyEntry> {
    list.split([',', ' ', '\t'])
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .filter_map(|entry| {
            if entry == "*" {
                return Some(NoProxyEntry::Everything);
            }
            if let Some((address, bits)) = entry.split_once('/') {
                let address: IpAddr = address.parse().ok()?;
                let bits: u8 = bits.parse().ok()?;
                return Some(NoProxyEntry::Network(address, bits));
            }
            let bare = entry.trim_start_matches('[').trim_end_matches(']');
            if let Ok(ip) = bare.parse::<IpAddr>() {
                let bits = if ip.is_ipv4() { 32 } else { 128 };
                return Some(NoProxyEntry::Network(ip, bits));
            }
            // `host:port` (one colon: an IPv6 address without brackets was handled above).
            let (name, port) = match entry.rsplit_once(':') {
                Some((name, port)) if !name.ends_with(']') => (name, Some(port.parse().ok()?)),
                _ => (entry, None),
            };
            let name = name.trim_start_matches("*.").trim_start_matches('.');
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            Some(NoProxyEntry::Domain(name, port))
        })
        .collect()
}

fn in_network(ip: IpAddr, network: IpAddr, bits: u8) -> bool {
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(net)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(u32::from(32 - bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(u32::from(128 - bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> ProxyEnv {
        ProxyEnv::from_lookup(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        })
    }

    fn via(env: &ProxyEnv, scheme: &str, host: &str, port: u16) -> Option<String> {
        env.for_target(scheme, host, port).map(|p| p.to_string())
    }

    #[test]
    fn an_unusable_proxy_variable_is_ignored_with_one_warning_that_hides_the_password() {
        use std::sync::{Arc, Mutex};
        use tracing_subscriber::layer::{Context, SubscriberExt};
        use tracing_subscriber::Layer;

        #[derive(Clone, Default)]
        struct Warnings(Arc<Mutex<Vec<String>>>);
        impl<S: tracing::Subscriber> Layer<S> for Warnings {
            fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
                self.0
                    .lock()
                    .unwrap()
                    .push(crate::log_line::log_line(event));
            }
        }
        let warnings = Warnings::default();
        let subscriber = tracing_subscriber::registry().with(warnings.clone());
        tracing::subscriber::with_default(subscriber, || {
            for _ in 0..3 {
                let e = env(&[("ALL_PROXY", "socks4://agent:hunter2@unique-proxy.test:1080")]);
                assert_eq!(via(&e, "wss", "a.test", 443), None);
            }
        });
        let warnings = warnings.0.lock().unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("ALL_PROXY"), "{}", warnings[0]);
        assert!(warnings[0].contains("only http://"), "{}", warnings[0]);
        assert!(!warnings[0].contains("hunter2"), "{}", warnings[0]);
    }

    #[test]
    fn the_scheme_picks_the_variable_and_all_proxy_is_the_fallback() {
        let e = env(&[
            ("http_proxy", "http://lower:1"),
            ("HTTP_PROXY", "http://upper:2"),
            ("HTTPS_PROXY", "http://secure:3"),
        ]);
        assert_eq!(via(&e, "ws", "a.test", 80).unwrap(), "http://lower:1");
        assert_eq!(via(&e, "wss", "a.test", 443).unwrap(), "http://secure:3");
        let e = env(&[("ALL_PROXY", "all:4")]);
        assert_eq!(via(&e, "https", "a.test", 443).unwrap(), "http://all:4");
        assert_eq!(via(&env(&[]), "https", "a.test", 443), None);
    }

    #[test]
    fn no_proxy_matches_suffixes_addresses_networks_and_ports() {
        let e = env(&[
            ("https_proxy", "http://p:1"),
            (
                "no_proxy",
                "corp.example, .internal,10.0.0.0/8, ::1,api.test:8443",
            ),
        ]);
        assert_eq!(via(&e, "https", "corp.example", 443), None);
        assert_eq!(via(&e, "https", "x.corp.example", 443), None);
        assert!(via(&e, "https", "notcorp.example", 443).is_some());
        assert_eq!(via(&e, "https", "a.internal", 443), None);
        assert_eq!(via(&e, "https", "10.2.3.4", 443), None);
        assert!(via(&e, "https", "11.2.3.4", 443).is_some());
        assert_eq!(via(&e, "https", "::1", 443), None);
        assert_eq!(via(&e, "https", "api.test", 8443), None);
        assert!(via(&e, "https", "api.test", 443).is_some());
        let e = env(&[("https_proxy", "http://p:1"), ("NO_PROXY", "*")]);
        assert_eq!(via(&e, "https", "anything", 443), None);
    }
}
