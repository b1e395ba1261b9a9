//! Non-blocking locking for a forked child, which cannot wait: a lock held by a thread of the
//! parent stays held there for good. A poisoned lock counts as free, as the blocking paths
//! already treat it: each lock's data stays consistent when a holder panics.

use std::sync::{Mutex, MutexGuard, RwLock, RwLockWriteGuard, TryLockError};

/// `mutex`'s guard, unless another thread holds it.
pub(crate) fn try_lock<T>(mutex: &Mutex<T>) -> Option<MutexGuard<'_, T>> {
    match mutex.try_lock() {
        Ok(guard) => Some(guard),
        Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    }
}

/// `lock`'s write guard, unless another thread holds it.
pub(crate) fn try_write<T>(lock: &RwLock<T>) -> Option<RwLockWriteGuard<'_, T>> {
    match lock.try_write() {
        Ok(guard) => Some(guard),
        Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    }
}
