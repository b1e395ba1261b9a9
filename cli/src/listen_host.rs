//! The `--host` of every server command (`das emulator`, `das audiohook serve`, `das webhook
//! serve`): an IP address, bracketed or not, or `localhost`. Names are not looked up, so
//! starting a server never waits on DNS.

use std::net::{IpAddr, Ipv4Addr};

/// Parses `--host`: `127.0.0.1`, `0.0.0.0`, `::1`, `[::1]`, `::`, `localhost` (127.0.0.1).
pub fn parse(text: &str) -> Result<IpAddr, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    let bare = text
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .unwrap_or(text);
    bare.parse().map_err(|_| {
        format!(
            "`{text}` is not an IP address to listen on \
             (e.g. 127.0.0.1, 0.0.0.0, ::1, [::1], localhost)"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv6Addr;

    #[test]
    fn every_usual_spelling_of_an_address_is_accepted() {
        let v4 = |a, b, c, d| IpAddr::V4(Ipv4Addr::new(a, b, c, d));
        assert_eq!(parse("127.0.0.1"), Ok(v4(127, 0, 0, 1)));
        assert_eq!(parse("0.0.0.0"), Ok(v4(0, 0, 0, 0)));
        assert_eq!(parse("localhost"), Ok(v4(127, 0, 0, 1)));
        assert_eq!(parse("LocalHost"), Ok(v4(127, 0, 0, 1)));
        assert_eq!(parse("::1"), Ok(IpAddr::V6(Ipv6Addr::LOCALHOST)));
        assert_eq!(parse("[::1]"), Ok(IpAddr::V6(Ipv6Addr::LOCALHOST)));
        assert_eq!(parse("[::]"), Ok(IpAddr::V6(Ipv6Addr::UNSPECIFIED)));
    }

    #[test]
    fn anything_else_is_refused_with_examples() {
        for bad in [
            "",
            "[::1",
            "::1]",
            "[127.0.0.1",
            "example.com",
            "127.0.0.1:80",
            "[::1]:80",
        ] {
            let error = parse(bad).unwrap_err();
            assert!(error.contains("[::1]"), "{bad}: {error}");
        }
    }
}
