//! String conventions at the boundary: borrowed UTF-8 `(ptr, len)` inputs, copied out into
//! caller buffers with the `DAS_RESULT_BUFFER_TOO_SMALL` size report.

use std::ffi::c_char;

use crate::error::Error;
use crate::result::das_result;

/// Pass as a string length to mean "the string is NUL-terminated; measure it". The header
/// defines it as `SIZE_MAX` (cbindgen cannot evaluate `usize::MAX`).
pub const DAS_NUL_TERMINATED: usize = usize::MAX;

/// Longest string input accepted, in bytes (1 MiB); longer lengths are `OUT_OF_RANGE`
/// and are rejected before any byte is read.
pub const DAS_MAX_STRING_LEN: usize = 1 << 20;

/// Borrows a caller string given as `(ptr, len)` (or `len == DAS_NUL_TERMINATED`) as UTF-8.
///
/// # Safety
/// `ptr` must be NULL or point to `len` readable bytes (or to a NUL-terminated string when
/// `len == DAS_NUL_TERMINATED`) that stay valid and unchanged for `'a`.
pub unsafe fn input_str<'a>(
    ptr: *const c_char,
    len: usize,
    argument: &str,
) -> Result<&'a str, Error> {
    if ptr.is_null() {
        return Err(Error::null(argument));
    }
    let len = if len == DAS_NUL_TERMINATED {
        // SAFETY: the caller promised a NUL-terminated string.
        unsafe { bounded_strlen(ptr, argument)? }
    } else if len > DAS_MAX_STRING_LEN {
        return Err(Error::out_of_range(
            argument,
            format!("length {len} exceeds the maximum of {DAS_MAX_STRING_LEN} bytes"),
        ));
    } else {
        len
    };
    // SAFETY: `ptr` is non-NULL and the caller guarantees `len` readable bytes; `len` is at most
    // 1 MiB, so it fits `isize`.
    let bytes = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) };
    std::str::from_utf8(bytes).map_err(|e| {
        Error::new(
            das_result::InvalidUtf8,
            format!("argument `{argument}` is not valid UTF-8: {e}"),
        )
    })
}

/// Like [`input_str`], but NULL means "absent" (`None`) instead of an error.
///
/// # Safety
/// As [`input_str`].
pub unsafe fn input_optional_str<'a>(
    ptr: *const c_char,
    len: usize,
    argument: &str,
) -> Result<Option<&'a str>, Error> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded contract.
    unsafe { input_str(ptr, len, argument) }.map(Some)
}

/// Finds the NUL of a C string, reading at most `DAS_MAX_STRING_LEN + 1` bytes.
///
/// # Safety
/// `ptr` must point to a NUL-terminated string.
unsafe fn bounded_strlen(ptr: *const c_char, argument: &str) -> Result<usize, Error> {
    for offset in 0..=DAS_MAX_STRING_LEN {
        // SAFETY: every byte before the NUL is readable, and we stop at the NUL.
        if unsafe { *ptr.add(offset) } == 0 {
            return Ok(offset);
        }
    }
    Err(Error::out_of_range(
        argument,
        format!("NUL-terminated string longer than {DAS_MAX_STRING_LEN} bytes"),
    ))
}

/// Copies `text` plus a NUL into `buf`.
///
/// On success `*written` is the string length without the NUL. When `len` is too small nothing
/// is copied, `*written` is the size needed *including* the NUL, and the result is
/// `BUFFER_TOO_SMALL`. `buf` may be NULL only when `len == 0` (a size query).
///
/// # Safety
/// `buf` must be NULL or point to `len` writable bytes; `written` must be NULL or writable.
pub unsafe fn write_output(
    text: &str,
    buf: *mut c_char,
    len: usize,
    written: *mut usize,
) -> Result<(), Error> {
    if written.is_null() {
        return Err(Error::null("written"));
    }
    if buf.is_null() && len != 0 {
        return Err(Error::null("buf"));
    }
    let needed = text.len() + 1;
    if len < needed {
        // SAFETY: checked non-NULL above; the caller guarantees it is writable.
        unsafe { written.write(needed) };
        return Err(Error::new(
            das_result::BufferTooSmall,
            format!("buffer of {len} bytes is too small; {needed} bytes are needed"),
        ));
    }
    // SAFETY: `buf` holds at least `needed` writable bytes and cannot overlap our own `text`.
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), text.len());
        buf.add(text.len()).write(0);
        written.write(text.len());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_with_length_need_no_nul() {
        let text = b"abcdef";
        // SAFETY: valid for the length given, or refused before any read.
        let got = unsafe { input_str(text.as_ptr().cast(), 3, "s") }.unwrap();
        assert_eq!(got, "abc");
    }

    #[test]
    fn nul_terminated_inputs_are_measured() {
        // SAFETY: valid for the length given, or refused before any read.
        let got = unsafe { input_str(c"hello".as_ptr(), DAS_NUL_TERMINATED, "s") }.unwrap();
        assert_eq!(got, "hello");
    }

    #[test]
    fn bad_inputs_get_typed_errors() {
        // SAFETY: valid for the length given, or refused before any read.
        let err = unsafe { input_str(std::ptr::null(), 0, "s") }.unwrap_err();
        assert_eq!(err.code(), das_result::NullArgument);
        let bad = [0xffu8, 0xfe];
        // SAFETY: valid for the length given, or refused before any read.
        let err = unsafe { input_str(bad.as_ptr().cast(), 2, "s") }.unwrap_err();
        assert_eq!(err.code(), das_result::InvalidUtf8);
        // SAFETY: valid for the length given, or refused before any read.
        let err = unsafe { input_str(bad.as_ptr().cast(), usize::MAX - 1, "s") }.unwrap_err();
        assert_eq!(err.code(), das_result::OutOfRange);
    }

    #[test]
    fn too_small_buffers_report_the_needed_size_and_stay_untouched() {
        let mut buf = [b'x' as c_char; 4];
        let mut written = 0usize;
        // SAFETY: valid for the length given, or refused before any read.
        let err = unsafe { write_output("hello", buf.as_mut_ptr(), 4, &mut written) }.unwrap_err();
        assert_eq!(err.code(), das_result::BufferTooSmall);
        assert_eq!(written, 6);
        assert!(buf.iter().all(|b| *b == b'x' as c_char));

        let mut big = [b'x' as c_char; 16];
        // SAFETY: valid for the length given, or refused before any read.
        unsafe { write_output("hello", big.as_mut_ptr(), 16, &mut written) }.unwrap();
        assert_eq!(written, 5);
        assert_eq!(big[5], 0);
        assert_eq!(
            big[6], b'x' as c_char,
            "bytes after the NUL are not touched"
        );
    }
}
