//! POSTs a finished job's result to each callback URL + `/{job_id}`, retrying with
//! exponential backoff on anything but 200.

use std::time::Duration;

use reqwest::Url;
use serde_json::Value;

use super::webhook::ValidatedHooks;
use crate::config::TrdConfig;

/// Time allowed for one callback POST.
const POST_TIMEOUT: Duration = Duration::from_secs(10);

/// An HTTP client that also trusts `crt` (a PEM certificate) when given.
pub(crate) fn http_client(crt: Option<&str>, timeout: Duration) -> Result<reqwest::Client, String> {
    // reqwest is built without a provider; a standalone `das emulator` has installed none yet.
    das::tls::ensure_crypto_provider();
    let mut builder = reqwest::Client::builder().timeout(timeout);
    if let Some(pem) = crt {
        let certificate =
            reqwest::Certificate::from_pem(pem.as_bytes()).map_err(|e| e.to_string())?;
        builder = builder.add_root_certificate(certificate);
    }
    builder.build().map_err(|e| e.to_string())
}

/// Delivers `document` to every URL; returns the failure reasons ("" when all succeeded).
pub(crate) async fn deliver(
    job_id: &str,
    urls: &[String],
    document: &Value,
    hooks: &ValidatedHooks,
    config: &TrdConfig,
) -> String {
    let mut failures = Vec::new();
    for url in urls {
        if let Err(reason) = deliver_one(job_id, url, document, hooks, config).await {
            tracing::info!(job_id, %reason, "callback delivery failed");
            failures.push(reason);
        }
    }
    failures.join("; ")
}

async fn deliver_one(
    job_id: &str,
    url: &str,
    document: &Value,
    hooks: &ValidatedHooks,
    config: &TrdConfig,
) -> Result<(), String> {
    let base = Url::parse(url).map_err(|e| format!("{url}: invalid URL: {e}"))?;
    let target = format!("{}/{job_id}", url.trim_end_matches('/'));
    let hook = hooks.for_url(&base);
    let mut body = document.clone();
    if let (Some(token), Some(map)) = (
        hook.as_ref().and_then(|h| h.token.clone()),
        body.as_object_mut(),
    ) {
        map.insert("token".into(), Value::String(token));
    }
    let crt = hook.as_ref().and_then(|h| h.crt.as_deref());
    let client = http_client(crt, POST_TIMEOUT).map_err(|e| format!("{target}: {e}"))?;
    let mut backoff = Duration::from_millis(config.callback_backoff_ms);
    let mut last = String::new();
    for attempt in 1..=config.callback_attempts.max(1) {
        match client.post(&target).json(&body).send().await {
            Ok(response) if response.status() == reqwest::StatusCode::OK => return Ok(()),
            Ok(response) => last = format!("{target}: HTTP {}", response.status().as_u16()),
            Err(error) => last = format!("{target}: {error}"),
        }
        if attempt < config.callback_attempts {
            tokio::time::sleep(backoff).await;
            backoff *= 2;
        }
    }
    Err(last)
}
