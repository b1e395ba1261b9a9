//! Which redirects libdas's HTTP clients (the OAuth token endpoint, TRD, its license server)
//! follow: within the origin the request went to, or from `http` up to `https` on the same
//! host, at most a few. A redirect elsewhere (another host or port, or from `https` down to
//! `http`) is not followed and the caller sees the `3xx` answer: a `307` from a token endpoint
//! would otherwise send the client secret in its body to whoever it names, and a `GET` would
//! trust an answer fetched in clear text.

use reqwest::redirect::{Attempt, Policy};

/// Redirects followed in a row before the request fails.
const MAX_REDIRECTS: usize = 5;

/// The redirect policy of every libdas HTTP client.
pub(crate) fn same_origin_only() -> Policy {
    Policy::custom(decide)
}

fn decide(attempt: Attempt<'_>) -> reqwest::redirect::Action {
    let allowed = (attempt.previous().last()).is_some_and(|from| follows(from, attempt.url()));
    if !allowed {
        attempt.stop()
    } else if attempt.previous().len() > MAX_REDIRECTS {
        attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
    } else {
        attempt.follow()
    }
}

/// Whether a redirect from `from` to `to` is followed: the same origin, or `http` up to
/// `https` on the same host.
fn follows(from: &url::Url, to: &url::Url) -> bool {
    let upgrade = from.scheme() == "http" && to.scheme() == "https";
    from.origin() == to.origin() || (upgrade && from.host() == to.host())
}

#[cfg(test)]
mod tests {
    fn allowed(from: &str, to: &str) -> bool {
        super::follows(&from.parse().unwrap(), &to.parse().unwrap())
    }

    #[test]
    fn only_the_same_origin_or_an_upgrade_to_https_is_followed() {
        assert!(allowed(
            "https://a.example/token",
            "https://a.example/v2/token"
        ));
        assert!(allowed("http://a.example/x", "https://a.example/x"));
        assert!(allowed(
            "http://a.example:8080/x",
            "https://a.example:8443/x"
        ));
        assert!(!allowed("https://a.example/x", "http://a.example/x"));
        assert!(!allowed("https://a.example/x", "https://b.example/x"));
        assert!(!allowed("https://a.example/x", "https://a.example:8443/x"));
    }
}
