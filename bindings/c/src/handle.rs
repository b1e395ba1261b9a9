//! Opaque C handles: each C type maps to one Rust type owned through a `Box`, registered while
//! alive so that NULL, foreign and already-freed pointers are refused instead of dereferenced, and
//! poisoned when a call on it panics.

use std::collections::BTreeMap;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::error::Error;
use crate::result::das_result;

/// Maps an opaque C type (a zero-sized marker such as `das_config`) to the Rust value behind it.
///
/// # Safety
/// Implement only for `#[repr(C)]`-free zero-sized marker structs that are never constructed, so
/// that a `*mut Self` handed to C is only ever a cast of a `Box<Handle<Self::Rust>>`.
pub unsafe trait OpaqueHandle {
    /// The Rust value owned by the handle.
    type Rust: 'static;
    /// The C type name, used in messages.
    const NAME: &'static str;
}

/// The allocation behind every handle.
struct Handle<T> {
    poisoned: AtomicBool,
    value: T,
}

/// Addresses of live handles with their C type names. A `BTreeMap` rather than a `HashMap`: its
/// nodes are referenced from their start, so valgrind sees the table as reachable, not "possibly
/// lost" (hashbrown points into the middle of its allocation).
fn live() -> MutexGuard<'static, BTreeMap<usize, &'static str>> {
    static LIVE: Mutex<BTreeMap<usize, &'static str>> = Mutex::new(BTreeMap::new());
    LIVE.lock()
        // The map is only touched by the short, panic-free blocks below.
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The registry's lock, held by the forking thread across `fork()` (see `runtime`): another
/// thread inside a call at that moment would leave it locked in the child, whose first call
/// would then wait forever.
pub(crate) struct HeldRegistry {
    _held: MutexGuard<'static, BTreeMap<usize, &'static str>>,
}

/// Waits for the registry's lock.
pub(crate) fn hold_registry() -> HeldRegistry {
    HeldRegistry { _held: live() }
}

/// Moves `value` to the heap and returns the pointer handed to C.
pub fn into_raw<C: OpaqueHandle>(value: C::Rust) -> *mut C {
    let ptr = Box::into_raw(Box::new(Handle {
        poisoned: AtomicBool::new(false),
        value,
    }));
    live().insert(ptr as usize, C::NAME);
    ptr.cast()
}

fn check_live<C: OpaqueHandle>(ptr: *const C, argument: &str) -> Result<(), Error> {
    if ptr.is_null() {
        return Err(Error::null(argument));
    }
    match live().get(&(ptr as usize)) {
        Some(name) if *name == C::NAME => Ok(()),
        _ => Err(Error::new(
            das_result::InvalidHandle,
            format!(
                "argument `{argument}` is not a live {} (freed already?)",
                C::NAME
            ),
        )),
    }
}

/// Exclusive access to a handle's value for the duration of one call; poisons the handle if the
/// call panics while holding it.
pub struct Borrowed<'a, T> {
    handle: &'a mut Handle<T>,
}

impl<T> Deref for Borrowed<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.handle.value
    }
}

impl<T> DerefMut for Borrowed<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.handle.value
    }
}

impl<T> Drop for Borrowed<'_, T> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.handle.poisoned.store(true, Ordering::Release);
        }
    }
}

/// Borrows the value behind a handle: NULL → `NULL_ARGUMENT`, not live → `INVALID_HANDLE`,
/// poisoned → `POISONED`.
///
/// # Safety
/// No other call may use or free the same handle concurrently (the documented thread-safety
/// contract of handles that are not thread-safe).
pub unsafe fn borrow<'a, C: OpaqueHandle>(
    ptr: *mut C,
    argument: &str,
) -> Result<Borrowed<'a, C::Rust>, Error> {
    check_live(ptr, argument)?;
    // SAFETY: `ptr` is a live handle of type `C`, hence a `Box<Handle<C::Rust>>` we allocated,
    // and the caller guarantees exclusive use during this call.
    let handle = unsafe { &mut *ptr.cast::<Handle<C::Rust>>() };
    if handle.poisoned.load(Ordering::Acquire) {
        return Err(poisoned::<C>(argument));
    }
    Ok(Borrowed { handle })
}

/// Shared, read-only access to a handle's value for the duration of one call; poisons the
/// handle if the call panics while holding it.
pub struct Shared<'a, T> {
    handle: &'a Handle<T>,
}

impl<T> Deref for Shared<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.handle.value
    }
}

impl<T> Drop for Shared<'_, T> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.handle.poisoned.store(true, Ordering::Release);
        }
    }
}

/// Borrows the value behind a handle for reading: what a function taking a `const` pointer
/// gets, so that `const` means read-only and such calls may run on several threads at once
/// (the Rust type is `Sync`; what it changes behind `&self` sits behind its own lock). Errors as
/// [`borrow`].
///
/// # Safety
/// No call may free or exclusively [`borrow`] the handle concurrently (the documented contract:
/// a setter or `_free` needs the handle to itself).
pub unsafe fn borrow_shared<'a, C: OpaqueHandle>(
    ptr: *const C,
    argument: &str,
) -> Result<Shared<'a, C::Rust>, Error>
where
    C::Rust: Sync,
{
    check_live(ptr, argument)?;
    // SAFETY: `ptr` is a live handle of type `C`; only shared references are taken and the
    // value is `Sync`; the caller guarantees it is not freed during this call.
    let handle = unsafe { &*ptr.cast::<Handle<C::Rust>>() };
    if handle.poisoned.load(Ordering::Acquire) {
        return Err(poisoned::<C>(argument));
    }
    Ok(Shared { handle })
}

fn poisoned<C: OpaqueHandle>(argument: &str) -> Error {
    Error::new(
        das_result::Poisoned,
        format!(
            "argument `{argument}`: this {} was poisoned by an earlier panic; free it",
            C::NAME
        ),
    )
}

/// Frees a handle. NULL is a no-op; a pointer that is not live (a double free) is refused with
/// `INVALID_HANDLE` without touching its memory.
///
/// # Safety
/// No other call may use the handle concurrently.
pub unsafe fn free<C: OpaqueHandle>(ptr: *mut C, argument: &str) -> Result<(), Error> {
    if ptr.is_null() {
        return Ok(());
    }
    check_live(ptr, argument)?;
    live().remove(&(ptr as usize));
    // SAFETY: `ptr` was live, so it came from `Box::into_raw` in `into_raw`; it is now
    // unregistered, so it cannot be freed twice.
    drop(unsafe { Box::from_raw(ptr.cast::<Handle<C::Rust>>()) });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Marker;
    // SAFETY: zero-sized, never constructed by the tests other than via `into_raw`.
    unsafe impl OpaqueHandle for Marker {
        type Rust = Vec<u8>;
        const NAME: &'static str = "test_marker";
    }

    struct OtherMarker;
    // SAFETY: as above.
    unsafe impl OpaqueHandle for OtherMarker {
        type Rust = String;
        const NAME: &'static str = "test_other";
    }

    #[test]
    fn live_handles_borrow_and_free_once() {
        let ptr = into_raw::<Marker>(vec![1, 2]);
        // SAFETY: `ptr` is a handle of this test only, used by this thread.
        unsafe { borrow(ptr, "h") }.unwrap().push(3);
        // SAFETY: `ptr` is a handle of this test only, used by this thread.
        assert_eq!(*unsafe { borrow(ptr, "h") }.unwrap(), vec![1, 2, 3]);
        // SAFETY: `ptr` is a handle of this test only, used by this thread.
        unsafe { free(ptr, "h") }.unwrap();
        // SAFETY: `ptr` is a handle of this test only, used by this thread.
        let again = unsafe { free(ptr, "h") }.unwrap_err();
        assert_eq!(again.code(), das_result::InvalidHandle);
        // SAFETY: `ptr` is a handle of this test only, used by this thread.
        let after = unsafe { borrow(ptr, "h") }.err().unwrap();
        assert_eq!(after.code(), das_result::InvalidHandle);
        // SAFETY: `ptr` is a handle of this test only, used by this thread.
        unsafe { free::<Marker>(std::ptr::null_mut(), "h") }.unwrap();
    }

    #[test]
    fn a_handle_of_another_type_is_refused() {
        let ptr = into_raw::<Marker>(Vec::new());
        // SAFETY: `ptr` is a handle of this test only, used by this thread.
        let wrong = unsafe { borrow(ptr.cast::<OtherMarker>(), "h") }
            .err()
            .unwrap();
        assert_eq!(wrong.code(), das_result::InvalidHandle);
        // SAFETY: `ptr` is a handle of this test only, used by this thread.
        unsafe { free(ptr, "h") }.unwrap();
    }

    #[test]
    fn a_panic_while_borrowed_poisons_the_handle() {
        let ptr = into_raw::<Marker>(Vec::new());
        let code: das_result = crate::ffi_boundary!({
            // SAFETY: `ptr` is a handle of this test only, used by this thread.
            let mut value = unsafe { borrow(ptr, "h") }?;
            value.push(1);
            if value.len() == 1 {
                panic!("half-way through an update");
            }
            Ok(())
        });
        assert_eq!(code, das_result::Panic);
        // SAFETY: `ptr` is a handle of this test only, used by this thread.
        let poisoned = unsafe { borrow(ptr, "h") }.err().unwrap();
        assert_eq!(poisoned.code(), das_result::Poisoned);
        // SAFETY: `ptr` is a handle of this test only, used by this thread.
        unsafe { free(ptr, "h") }.unwrap();
    }
}
