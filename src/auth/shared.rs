//! One provider per set of client-credentials settings in the process, for callers that
//! build a provider per session (the C ABI and the Python wheel): a thousand sessions then
//! ask the token endpoint once, not a thousand times, and share one HTTP client.

use std::sync::{Arc, Mutex, Weak};

/// Providers built by [`shared`], with the settings they were built from. Weak: a provider
/// lives as long as a session holds it.
static PROVIDERS: Mutex<Vec<(Settings, Weak<super::provider::Source>)>> = Mutex::new(Vec::new());

/// The settings that make two providers interchangeable (all of them, secret included).
pub(super) type Settings = super::ClientCredentials;

/// The live provider built from `settings`, or a new one from `build`.
pub(super) fn shared<E>(
    settings: Settings,
    build: impl FnOnce(Settings) -> Result<Arc<super::provider::Source>, E>,
) -> Result<Arc<super::provider::Source>, E> {
    // A panic elsewhere while holding the lock leaves the list consistent; keep using it.
    let mut providers = PROVIDERS.lock().unwrap_or_else(|e| e.into_inner());
    providers.retain(|(_, provider)| provider.strong_count() > 0);
    if let Some(provider) = providers
        .iter()
        .find(|(built_from, _)| *built_from == settings)
        .and_then(|(_, provider)| provider.upgrade())
    {
        return Ok(provider);
    }
    let provider = build(settings.clone())?;
    providers.push((settings, Arc::downgrade(&provider)));
    Ok(provider)
}
