//! The AudioHook client secret: base64 text in configuration, its decoded bytes are the
//! HMAC key. Never printed.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// Decoded client-secret bytes; `Debug` redacts them. Empty means "requests are unsigned".
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ClientSecret(Vec<u8>);

/// A client secret that is not valid base64.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("client secret is not valid base64")]
pub struct BadSecret;

impl ClientSecret {
    /// Decodes the base64 form Genesys is configured with (empty text → no secret).
    pub fn from_base64(text: &str) -> Result<Self, BadSecret> {
        STANDARD
            .decode(text.trim())
            .map(ClientSecret)
            .map_err(|_| BadSecret)
    }

    /// A secret from raw key bytes.
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Self {
        ClientSecret(bytes.into())
    }

    /// The HMAC key.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// True when requests are to be left unsigned.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() {
            "ClientSecret(none)"
        } else {
            "ClientSecret(<redacted>)"
        })
    }
}

/// An API key (`X-API-KEY`); `Debug` shows only a short prefix.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ApiKey(pub String);

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let prefix: String = self.0.chars().take(4).collect();
        write!(f, "ApiKey({prefix}…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let secret =
            ClientSecret::from_base64("TXlTdXBlclNlY3JldEtleVRlbGxOby0xITJAMyM0JDU=").unwrap();
        assert_eq!(format!("{secret:?}"), "ClientSecret(<redacted>)");
        let key = ApiKey("SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh".into());
        assert!(!format!("{key:?}").contains("SGVsbG8sIEkg"));
        assert!(ClientSecret::from_base64("%%").is_err());
        assert!(ClientSecret::from_base64("").unwrap().is_empty());
    }
}
