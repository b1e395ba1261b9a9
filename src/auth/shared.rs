//! One provider per set of client-credentials settings in the process, for callers that
//! build a provider per session (the C ABI and the Python wheel): a thousand sessions then
//! ask the token endpoint once, not a thousand times, and share one HTTP client.

use std::sync::{Arc, Mutex, MutexGuard, Weak};

use sha2::{Digest, Sha256};

use super::provider::Source;
use super::ClientCredentials;

/// Providers built by [`shared`], by the settings they were built from. Weak: a provider
/// lives as long as a session holds it.
static PROVIDERS: Mutex<Vec<(Key, Weak<Source>)>> = Mutex::new(Vec::new());

/// What makes two providers interchangeable: every setting, the secret only as its SHA-256,
/// so the registry never holds a secret after the providers that needed it are gone.
#[derive(PartialEq)]
struct Key {
    settings: ClientCredentials,
    secret_digest: [u8; 32],
}

fn lock() -> MutexGuard<'static, Vec<(Key, Weak<Source>)>> {
    // A panic elsewhere while holding the lock leaves the list consistent; keep using it.
    PROVIDERS.lock().unwrap_or_else(|e| e.into_inner())
}

/// The live provider built from `settings`, or a new one from `build`.
pub(super) fn shared<E>(
    settings: ClientCredentials,
    build: impl FnOnce(ClientCredentials) -> Result<Source, E>,
) -> Result<Arc<Source>, E> {
    let mut public = settings.clone();
    let secret = public.take_secret();
    let key = Key {
        settings: public,
        secret_digest: Sha256::digest(secret.as_bytes()).into(),
    };
    let mut providers = lock();
    providers.retain(|(_, provider)| provider.strong_count() > 0);
    if let Some(provider) = providers
        .iter()
        .find(|(built_from, _)| *built_from == key)
        .and_then(|(_, provider)| provider.upgrade())
    {
        return Ok(provider);
    }
    let provider = Arc::new(build(settings)?);
    providers.push((key, Arc::downgrade(&provider)));
    Ok(provider)
}

/// The registry's lock, held by the forking thread across `fork()` (see
/// `runtime::process`): a session starting at that moment would leave it locked in the child.
pub(crate) struct Held(MutexGuard<'static, Vec<(Key, Weak<Source>)>>);

/// Waits for the registry's lock.
pub(crate) fn hold() -> Held {
    Held(lock())
}

/// The registry's lock if no one holds it.
pub(crate) fn try_hold() -> Option<Held> {
    crate::try_lock::try_lock(&PROVIDERS).map(Held)
}

impl Held {
    /// In a forked child: the providers built so far hold HTTP clients whose connections the
    /// parent's runtime serves, and no thread runs it there; the child builds its own.
    pub(crate) fn forget_all(mut self) {
        self.0.clear();
    }
}
