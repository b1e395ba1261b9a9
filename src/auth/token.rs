use std::fmt;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::AuthError;

/// An OAuth2 access token as returned by the token endpoint.
///
/// `Debug` redacts the access token; the raw reply JSON is kept for callers (such as the Python
/// `get_access_token()`) that hand the whole token object on.
#[derive(Clone)]
pub struct Token {
    token_type: String,
    access_token: String,
    expires_in: Option<u64>,
    raw: Value,
    received_at: Instant,
}

impl Token {
    /// Parses a token endpoint reply body.
    pub fn from_json(body: &[u8]) -> Result<Self, AuthError> {
        let raw: Value = serde_json::from_slice(body)
            .map_err(|e| AuthError::InvalidReply(format!("not JSON: {e}")))?;
        let text = |key: &str| {
            raw.get(key)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| AuthError::InvalidReply(format!("missing string field `{key}`")))
        };
        let token_type = text("token_type")?;
        let access_token = text("access_token")?;
        // Some servers send the lifetime as a string; both forms mean seconds.
        let expires_in = match raw.get("expires_in") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => n.as_f64().map(|s| s.max(0.0) as u64),
            Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
            Some(_) => None,
        };
        Ok(Self {
            token_type,
            access_token,
            expires_in,
            raw,
            received_at: Instant::now(),
        })
    }

    /// The token type as sent (`Bearer`, `bearer`, …); used verbatim in the header.
    pub fn token_type(&self) -> &str {
        &self.token_type
    }

    /// The secret access token.
    pub fn access_token(&self) -> &str {
        &self.access_token
    }

    /// Lifetime in seconds, when the server gave one.
    pub fn expires_in(&self) -> Option<u64> {
        self.expires_in
    }

    /// The reply JSON exactly as received.
    pub fn raw_json(&self) -> &Value {
        &self.raw
    }

    /// `"<token_type> <access_token>"`, as the documented example builds the header.
    pub fn authorization(&self) -> String {
        format!("{} {}", self.token_type, self.access_token)
    }

    /// True when the token expires within `margin` from now (never, without `expires_in`).
    pub(crate) fn is_stale(&self, margin: Duration) -> bool {
        match self.expires_in {
            None => false,
            Some(secs) => {
                let lifetime = Duration::from_secs(secs);
                self.received_at.elapsed() + margin >= lifetime
            }
        }
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("token_type", &self.token_type)
            .field("access_token", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_shape_and_builds_the_header() {
        let t =
            Token::from_json(br#"{"token_type":"Bearer","access_token":"abc","expires_in":300}"#)
                .unwrap();
        assert_eq!(t.authorization(), "Bearer abc");
        assert_eq!(t.expires_in(), Some(300));
        assert_eq!(t.raw_json()["access_token"], "abc");
        assert!(!t.is_stale(Duration::from_secs(10)));
        assert!(t.is_stale(Duration::from_secs(300)));
    }

    #[test]
    fn missing_fields_and_garbage_are_typed_errors() {
        for body in [
            &b"{}"[..],
            b"[1]",
            b"not json",
            br#"{"token_type":"Bearer","access_token":5}"#,
        ] {
            assert!(matches!(
                Token::from_json(body),
                Err(AuthError::InvalidReply(_))
            ));
        }
    }

    #[test]
    fn debug_redacts_the_token() {
        let t = Token::from_json(br#"{"token_type":"Bearer","access_token":"s3cr3t"}"#).unwrap();
        assert!(!format!("{t:?}").contains("s3cr3t"));
        assert!(!t.is_stale(Duration::from_secs(1_000_000)));
    }
}
