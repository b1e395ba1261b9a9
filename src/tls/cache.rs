//! Client configurations already built, shared by every connection asking for the same roots.
//! Building one parses every trusted root, and reads `SSL_CERT_FILE` / `SSL_CERT_DIR` again
//! when set: milliseconds of CPU that each connection of a fleet would otherwise pay.

use std::borrow::Cow;
use std::sync::{Arc, Mutex, MutexGuard};

use rustls::ClientConfig;

use super::error::TlsError;
use super::roots::{CertEnv, TrustedRoots};

/// Distinct root choices kept at once; the least recently used goes first. A process uses
/// one or two (the default, a private CA).
const KEPT: usize = 8;

/// What a configuration's roots are made of: the choice, the variables' values (so a change
/// of `SSL_CERT_FILE` builds a new one) and the extra PEM roots, borrowed from the options
/// for a look-up and copied only into a kept key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RootsKey<'a> {
    pub trusted: TrustedRoots,
    pub env: CertEnv,
    pub extra_roots_pem: Cow<'a, [Vec<u8>]>,
}

type Kept = Vec<(RootsKey<'static>, Arc<ClientConfig>)>;

static CONFIGS: Mutex<Kept> = Mutex::new(Vec::new());

fn configs() -> MutexGuard<'static, Kept> {
    // The critical sections below cannot panic half-way.
    CONFIGS.lock().unwrap_or_else(|p| p.into_inner())
}

/// The cache's lock, held by the forking thread across `fork()` (see `runtime::process`): a
/// connection looking up its configuration at that moment would leave it locked in the child.
pub(crate) struct Held(MutexGuard<'static, Kept>);

/// Waits for the cache's lock.
pub(crate) fn hold() -> Held {
    Held(configs())
}

/// The cache's lock if no one holds it.
pub(crate) fn try_hold() -> Option<Held> {
    crate::try_lock::try_lock(&CONFIGS).map(Held)
}

impl Held {
    /// In a forked child: a kept configuration's session-resumption store has a lock that a
    /// parent's thread may have held at the fork; the child builds its own configurations.
    pub(crate) fn forget_all(mut self) {
        self.0.clear();
    }
}

/// The configuration for `key`: the one kept, or `build`'s (kept when it succeeds; errors are
/// not, so a fixed file is read at the next connection). `build` runs without the lock.
pub(super) fn shared(
    key: RootsKey<'_>,
    build: impl FnOnce(&RootsKey) -> Result<Arc<ClientConfig>, TlsError>,
) -> Result<Arc<ClientConfig>, TlsError> {
    if let Some(config) = take_recent(&mut configs(), &key) {
        return Ok(config);
    }
    let built = build(&key)?;
    let mut configs = configs();
    // Another connection may have built the same meanwhile: keep one.
    if let Some(config) = take_recent(&mut configs, &key) {
        return Ok(config);
    }
    if configs.len() == KEPT {
        configs.remove(0);
    }
    let kept = RootsKey {
        extra_roots_pem: Cow::Owned(key.extra_roots_pem.into_owned()),
        ..key
    };
    configs.push((kept, built.clone()));
    Ok(built)
}

/// The kept configuration for `key`, moved to the most recently used end.
fn take_recent(configs: &mut Kept, key: &RootsKey) -> Option<Arc<ClientConfig>> {
    let at = configs.iter().position(|(kept, _)| kept == key)?;
    let entry = configs.remove(at);
    let config = entry.1.clone();
    configs.push(entry);
    Some(config)
}
