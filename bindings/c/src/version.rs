//! Library and ABI versions.

use std::ffi::c_char;

/// Major version of the library this header belongs to (checked against Cargo.toml by a test).
pub const DAS_VERSION_MAJOR: u32 = 0;
/// Minor version of the library this header belongs to.
pub const DAS_VERSION_MINOR: u32 = 1;
/// Patch version of the library this header belongs to.
pub const DAS_VERSION_PATCH: u32 = 0;

/// ABI generation of this header. Bumped on any incompatible change to an existing function,
/// type or constant; adding functions or enum values does not bump it.
pub const DAS_ABI_VERSION: u32 = 1;

const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

/// The library version, e.g. `"0.1.0"`.
///
/// Ownership: the returned string is static; never free it. Never returns NULL.
#[no_mangle]
pub extern "C" fn das_version() -> *const c_char {
    crate::ffi_boundary!(keep_last_error, { Ok(VERSION.as_ptr().cast()) })
}

/// The ABI generation of the loaded library; compare it with `DAS_ABI_VERSION` at start-up.
///
/// Ownership: nothing is allocated or transferred; pointers are borrowed for the call.
#[no_mangle]
pub extern "C" fn das_abi_version() -> u32 {
    crate::ffi_boundary!(keep_last_error, { Ok(DAS_ABI_VERSION) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_macros_match_cargo_toml() {
        assert_eq!(
            DAS_VERSION_MAJOR.to_string(),
            env!("CARGO_PKG_VERSION_MAJOR")
        );
        assert_eq!(
            DAS_VERSION_MINOR.to_string(),
            env!("CARGO_PKG_VERSION_MINOR")
        );
        assert_eq!(
            DAS_VERSION_PATCH.to_string(),
            env!("CARGO_PKG_VERSION_PATCH")
        );
        // SAFETY: `das_version` returns a static NUL-terminated string.
        let version = unsafe { std::ffi::CStr::from_ptr(das_version()) };
        assert_eq!(version.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }
}
