//! Issued access tokens: random, opaque, with an expiry.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

/// Why a bearer token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TokenRejection {
    #[error("missing Authorization header")]
    Missing,
    #[error("Authorization header is not of the form `Bearer <token>`")]
    Malformed,
    #[error("unknown access token")]
    Unknown,
    #[error("access token expired")]
    Expired,
}

#[derive(Default)]
pub(crate) struct TokenStore {
    expiries: Mutex<HashMap<String, Instant>>,
    issued: AtomicU64,
}

impl TokenStore {
    /// Issues a new token valid for `lifetime`.
    pub(crate) fn issue(&self, lifetime: Duration) -> String {
        let token = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
        let now = Instant::now();
        let mut expiries = self.expiries.lock().unwrap_or_else(|e| e.into_inner());
        expiries.retain(|_, expiry| *expiry > now);
        expiries.insert(token.clone(), now + lifetime);
        self.issued.fetch_add(1, Ordering::Relaxed);
        token
    }

    /// How many tokens were issued since the start.
    pub(crate) fn issued(&self) -> u64 {
        self.issued.load(Ordering::Relaxed)
    }

    /// Checks an `Authorization` header value.
    pub(crate) fn check_header(&self, header: Option<&str>) -> Result<(), TokenRejection> {
        let header = header.ok_or(TokenRejection::Missing)?;
        let token = match header.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            _ => return Err(TokenRejection::Malformed),
        };
        let expiries = self.expiries.lock().unwrap_or_else(|e| e.into_inner());
        match expiries.get(token) {
            None => Err(TokenRejection::Unknown),
            Some(expiry) if *expiry <= Instant::now() => Err(TokenRejection::Expired),
            Some(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_checked_by_scheme_value_and_expiry() {
        let store = TokenStore::default();
        let live = store.issue(Duration::from_secs(60));
        let dead = store.issue(Duration::ZERO);
        assert_eq!(store.check_header(Some(&format!("Bearer {live}"))), Ok(()));
        assert_eq!(store.check_header(Some(&format!("bearer {live}"))), Ok(()));
        assert_eq!(store.check_header(None), Err(TokenRejection::Missing));
        assert_eq!(
            store.check_header(Some(&live)),
            Err(TokenRejection::Malformed)
        );
        assert_eq!(
            store.check_header(Some("Bearer nope")),
            Err(TokenRejection::Unknown)
        );
        assert_eq!(
            store.check_header(Some(&format!("Bearer {dead}"))),
            Err(TokenRejection::Expired)
        );
        assert_ne!(live, store.issue(Duration::from_secs(60)));
    }
}
