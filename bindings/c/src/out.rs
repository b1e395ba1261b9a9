//! Out-parameters: checked for NULL, written only on success; and borrowed NUL-terminated
//! strings that stay valid, at a stable address, for as long as the handle that owns them.

use std::ffi::c_char;

use crate::error::Error;

/// Fails with `NULL_ARGUMENT` when `out` is NULL; call before doing any work.
pub fn require<T>(out: *mut T, argument: &str) -> Result<(), Error> {
    if out.is_null() {
        Err(Error::null(argument))
    } else {
        Ok(())
    }
}

/// Writes `value` to `out` (checked for NULL).
///
/// # Safety
/// `out` must be NULL or valid for writing a `T`.
pub unsafe fn write<T>(out: *mut T, value: T, argument: &str) -> Result<(), Error> {
    require(out, argument)?;
    // SAFETY: non-NULL, and the caller guarantees it is writable.
    unsafe { out.write(value) };
    Ok(())
}

/// A UTF-8 string plus a NUL terminator, owned by a handle and lent to C.
#[derive(Clone, PartialEq, Eq)]
pub struct CText(Box<[u8]>);

impl CText {
    /// Copies `text` and appends a NUL (an embedded NUL stays; the length tells the truth).
    pub fn new(text: &str) -> Self {
        let mut bytes = Vec::with_capacity(text.len() + 1);
        bytes.extend_from_slice(text.as_bytes());
        bytes.push(0);
        Self(bytes.into_boxed_slice())
    }

    /// The length in bytes without the NUL.
    pub fn len(&self) -> usize {
        self.0.len() - 1
    }

    /// True for `""`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The text without the NUL.
    pub fn as_str(&self) -> &str {
        // Built from a `&str` plus one NUL byte.
        std::str::from_utf8(&self.0[..self.len()]).unwrap_or_default()
    }

    /// The address of the first byte; stable while `self` lives (the bytes are boxed).
    pub fn as_ptr(&self) -> *const c_char {
        self.0.as_ptr().cast()
    }
}

impl std::fmt::Debug for CText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

/// The address and length of a [`CText`], taken while its owner is borrowed: what C gets. The
/// address stays valid for as long as the `CText` lives.
#[derive(Debug, Clone, Copy)]
pub struct Lent {
    ptr: *const c_char,
    len: usize,
}

impl From<&CText> for Lent {
    fn from(text: &CText) -> Self {
        Self {
            ptr: text.as_ptr(),
            len: text.len(),
        }
    }
}

/// Lends `text` to C as `(*ptr, *len)`; both out-parameters are checked first.
///
/// # Safety
/// `ptr` and `len` must be NULL or writable; the caller keeps `text` alive as documented.
pub unsafe fn lend(
    text: impl Into<Lent>,
    ptr: *mut *const c_char,
    len: *mut usize,
) -> Result<(), Error> {
    require(ptr, "ptr")?;
    require(len, "len")?;
    let text = text.into();
    // SAFETY: both checked non-NULL; the caller guarantees they are writable.
    unsafe {
        ptr.write(text.ptr);
        len.write(text.len);
    }
    Ok(())
}

/// Lends `bytes` to C as `(*data, *len)`; both out-parameters are checked first.
///
/// # Safety
/// `data` and `len` must be NULL or writable; the caller keeps `bytes` alive as documented.
pub unsafe fn lend_bytes(bytes: &[u8], data: *mut *const u8, len: *mut usize) -> Result<(), Error> {
    require(data, "data")?;
    require(len, "len")?;
    // SAFETY: both checked non-NULL; the caller guarantees they are writable.
    unsafe {
        data.write(bytes.as_ptr());
        len.write(bytes.len());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_nul_terminated_and_measured_without_it() {
        let text = CText::new("héllo");
        assert_eq!(text.len(), 6);
        assert_eq!(text.as_str(), "héllo");
        // SAFETY: a CText is NUL-terminated and `text` is alive.
        let c = unsafe { std::ffi::CStr::from_ptr(text.as_ptr()) };
        assert_eq!(c.to_bytes(), "héllo".as_bytes());
        assert!(CText::new("").is_empty());
    }

    #[test]
    fn null_out_parameters_are_refused_before_writing() {
        let text = CText::new("x");
        let mut len = 0usize;
        // SAFETY: the NULL pointer is refused before anything is written; `len` is writable.
        let err = unsafe { lend(&text, std::ptr::null_mut(), &mut len) }.unwrap_err();
        assert_eq!(err.message(), "argument `ptr` is NULL");
        assert_eq!(len, 0);
    }
}
