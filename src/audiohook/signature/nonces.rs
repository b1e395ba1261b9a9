//! The nonces of signatures still young enough to verify: a signature is accepted once, and
//! forgotten only when it would be refused as expired anyway.

use std::collections::HashMap;
use std::sync::Mutex;

use super::verify::VerifyError;

/// Nonces seen per API key, each with the last second its signature verifies. Share one
/// cache between every server that accepts the same keys.
#[derive(Debug, Default)]
pub struct NonceCache {
    seen: Mutex<Seen>,
}

#[derive(Debug, Default)]
struct Seen {
    until: HashMap<(String, String), i64>,
    /// Size at which expired entries are next swept out.
    sweep_at: usize,
}

/// Entries kept before the first sweep.
const FIRST_SWEEP: usize = 1024;

impl NonceCache {
    /// An empty cache.
    pub fn new() -> Self {
        NonceCache::default()
    }

    /// Records `nonce` of `keyid`, valid until `valid_until` (Unix seconds);
    /// [`VerifyError::Replayed`] when it is already recorded and still valid at `now`.
    pub fn remember(
        &self,
        keyid: String,
        nonce: String,
        valid_until: i64,
        now: i64,
    ) -> Result<(), VerifyError> {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.until.len() >= seen.sweep_at.max(FIRST_SWEEP) {
            // Entries live at most the signature age window, so this keeps the map to the
            // signatures of the last few seconds.
            seen.until.retain(|_, until| *until >= now);
            seen.sweep_at = 2 * seen.until.len();
        }
        match seen.until.get(&(keyid.clone(), nonce.clone())) {
            Some(until) if *until >= now => Err(VerifyError::Replayed),
            _ => {
                seen.until.insert((keyid, nonce), valid_until);
                Ok(())
            }
        }
    }

    /// Nonces remembered now (expired ones included until the next sweep).
    pub fn len(&self) -> usize {
        self.seen.lock().map_or(0, |seen| seen.until.len())
    }

    /// Whether no nonce is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remember(cache: &NonceCache, nonce: &str, until: i64, now: i64) -> Result<(), VerifyError> {
        cache.remember("key".into(), nonce.into(), until, now)
    }

    #[test]
    fn a_nonce_is_accepted_once_while_its_signature_is_valid() {
        let cache = NonceCache::new();
        assert_eq!(remember(&cache, "n", 107, 100), Ok(()));
        assert_eq!(remember(&cache, "n", 107, 105), Err(VerifyError::Replayed));
        assert_eq!(remember(&cache, "other", 107, 105), Ok(()));
        // Once the signature is too old to verify, its nonce may be forgotten.
        assert_eq!(remember(&cache, "n", 115, 108), Ok(()));
    }

    #[test]
    fn expired_nonces_are_swept_as_the_cache_grows() {
        let cache = NonceCache::new();
        for i in 0..10 * FIRST_SWEEP {
            remember(&cache, &i.to_string(), i as i64 + 7, i as i64).unwrap();
        }
        assert!(cache.len() <= FIRST_SWEEP + 16, "{} kept", cache.len());
    }
}
