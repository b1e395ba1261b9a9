//! The thread-local detailed message of the most recent call on this thread.

use std::cell::RefCell;
use std::ffi::c_char;

use crate::error::Error;
use crate::result::das_result;
use crate::strings::write_output;

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

// Each access uses `try_with`: a call from a C++ static destructor or an `atexit` handler
// comes after the thread's locals are destroyed, where `with` would panic outside the boundary
// and abort the exiting process. Such a call has no message to keep.

/// Forgets the previous message; called when a new call enters the boundary.
pub(crate) fn clear() {
    let _ = LAST_ERROR.try_with(|slot| slot.borrow_mut().clear());
}

/// Records the message of a failed call.
pub(crate) fn set(error: &Error) {
    let _ = LAST_ERROR.try_with(|slot| {
        let mut slot = slot.borrow_mut();
        slot.clear();
        slot.push_str(error.message());
    });
}

/// The message of the most recent call on this thread ("" when it succeeded or the thread's
/// locals are gone).
pub fn message() -> String {
    LAST_ERROR
        .try_with(|slot| slot.borrow().clone())
        .unwrap_or_default()
}

/// Copies the detailed message of the most recent `das_*` call made on this thread into `buf`.
///
/// The message is empty when that call succeeded. This function does not change the stored
/// message, so a `DAS_RESULT_BUFFER_TOO_SMALL` round-trip is possible: call with `buf = NULL,
/// len = 0`, allocate `*written` bytes, call again. Output-buffer convention as in the preamble.
///
/// Ownership: `buf` and `written` are borrowed for the call; nothing is allocated.
///
/// # Safety
/// `buf` must be NULL (only with `len == 0`) or point to `len` writable bytes; `written` must
/// point to a writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn das_last_error_message(
    buf: *mut c_char,
    len: usize,
    written: *mut usize,
) -> das_result {
    crate::ffi_boundary!(keep_last_error, {
        let text = message();
        // SAFETY: the caller upholds the output-buffer contract stated above.
        unsafe { write_output(&text, buf, len, written) }
    })
}
