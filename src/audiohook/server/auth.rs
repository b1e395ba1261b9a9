//! Upgrade-time checks: the AudioHook headers must be present and UUID-shaped; the API key
//! and signature are verified here (each signature accepted once), and a failure is reported
//! in-session as `disconnect{reason:"unauthorized"}` (the reference implementation's default
//! strategy).

use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, Uri};
use uuid::Uuid;

use super::config::ServerConfig;
use crate::audiohook::signature::{NonceCache, RequestView, VerifyError};

/// The identifying headers of an accepted upgrade and the authentication outcome.
#[derive(Debug, Clone)]
pub struct Upgrade {
    /// `Audiohook-Session-Id`.
    pub session_id: Uuid,
    /// `Audiohook-Correlation-Id`.
    pub correlation_id: Uuid,
    /// `Audiohook-Organization-Id`.
    pub organization_id: Uuid,
    /// `Err` when the signature or key check failed; the session then answers `open` with
    /// an unauthorized `disconnect`.
    pub auth: Result<(), VerifyError>,
    /// When the upgrade request arrived (failure responses are delayed relative to it).
    pub received: tokio::time::Instant,
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    let values: Vec<&str> = headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::trim)
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

impl Upgrade {
    /// Checks the upgrade request; `Err` names the malformed header (answered with HTTP 400).
    pub(super) fn check(
        config: &ServerConfig,
        nonces: &NonceCache,
        uri: &Uri,
        headers: &HeaderMap,
    ) -> Result<Upgrade, String> {
        let received = tokio::time::Instant::now();
        let uuid = |name: &str| {
            header_text(headers, name)
                .and_then(|v| Uuid::parse_str(&v).ok())
                .ok_or_else(|| format!("missing or invalid {name} header"))
        };
        let session_id = uuid("audiohook-session-id")?;
        let correlation_id = uuid("audiohook-correlation-id")?;
        let organization_id = uuid("audiohook-organization-id")?;
        let target = uri.path_and_query().map(|pq| pq.as_str()).unwrap_or("/");
        let lookup = |name: &str| header_text(headers, name);
        let view = RequestView {
            request_target: target,
            authority: None,
            header: &lookup,
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let auth = config
            .verifier
            .verify_once(&view, &|key| config.keys.get(key).cloned(), now, nonces)
            .map(|_| ());
        if let Err(e) = &auth {
            tracing::info!(%session_id, error = %e, "AudioHook upgrade not authenticated");
        }
        Ok(Upgrade {
            session_id,
            correlation_id,
            organization_id,
            auth,
            received,
        })
    }
}
