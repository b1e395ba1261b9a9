//! `das_trd_client`: the TRD base URL, credentials and request timeout. Thread-safe once made:
//! any number of threads may run calls on one client at once.

use std::ffi::c_char;
use std::time::Duration;

use das_core::trd::{Credentials, TrdClient};

use super::error::trd_error;
use crate::config::das_config;
use crate::error::Error;
use crate::ffi_boundary;
use crate::handle::{self, OpaqueHandle};
use crate::out;
use crate::result::das_result;
use crate::strings::{input_optional_str, input_str};

/// A TRD API client. Make it with `das_trd_client_new`, release it with `das_trd_client_free`
/// after every call on it has returned. Thread-safe.
#[allow(non_camel_case_types)]
pub struct das_trd_client {
    _private: [u8; 0],
}

// SAFETY: `das_trd_client` is a zero-sized marker that is never constructed.
unsafe impl OpaqueHandle for das_trd_client {
    type Rust = TrdClient;
    const NAME: &'static str = "das_trd_client";
}

/// Borrows a client for a call that may run concurrently with others.
macro_rules! trd_client {
    ($client:ident) => {
        // SAFETY: the caller upholds the handle contract (no concurrent free).
        unsafe { crate::handle::borrow_shared($client, "client") }?
    };
}
pub(crate) use trd_client;

/// Makes a client for the TRD API at `base_url` (e.g. `https://speech.cpqd.com.br/trd/v3`).
///
/// Credentials, at most one kind: `bearer` (a ready-made token); or `username` + `password`
/// with `license_url` (tokens from the CPqD license server, refreshed before they expire);
/// or `username` + `password` alone (HTTP Basic on every request); or none (all NULL).
/// `timeout_ms` (at least 1) bounds each request; an upload also gets its size at 256 KiB/s.
/// `tls` (NULL: the default, bundled + the machine's roots) lends the trusted roots chosen
/// with `das_config_set_trusted_roots` and `das_config_add_trusted_root_pem`; only those
/// settings of the configuration are read, at this call.
/// Requests answered 429/503 are retried up to 3 times, honouring `Retry-After`.
///
/// Errors: a bad URL `DAS_RESULT_PARSE`; a mix of credential kinds, or an empty `bearer` (an
/// unset setting: NULL is none), `DAS_RESULT_OUT_OF_RANGE`.
///
/// Ownership: strings are borrowed and copied (secrets never logged); the caller owns `*out`
/// and releases it with `das_trd_client_free`.
///
/// # Safety
/// Strings follow the string-input convention (NULL allowed except `base_url`); `tls` is NULL
/// or a live configuration; `out` is writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn das_trd_client_new(
    base_url: *const c_char,
    base_url_len: usize,
    bearer: *const c_char,
    bearer_len: usize,
    license_url: *const c_char,
    license_url_len: usize,
    username: *const c_char,
    username_len: usize,
    password: *const c_char,
    password_len: usize,
    timeout_ms: u32,
    tls: *const das_config,
    out: *mut *mut das_trd_client,
) -> das_result {
    ffi_boundary!({
        out::require(out, "out")?;
        // SAFETY: the caller upholds the string-input contract.
        let base_url = unsafe { input_str(base_url, base_url_len, "base_url") }?;
        // SAFETY: the caller upholds the string-input contract.
        let bearer = unsafe { input_optional_str(bearer, bearer_len, "bearer") }?;
        // SAFETY: the caller upholds the string-input contract.
        let license_url =
            unsafe { input_optional_str(license_url, license_url_len, "license_url") }?;
        // SAFETY: the caller upholds the string-input contract.
        let username = unsafe { input_optional_str(username, username_len, "username") }?;
        // SAFETY: the caller upholds the string-input contract.
        let password = unsafe { input_optional_str(password, password_len, "password") }?;
        if timeout_ms == 0 {
            return Err(Error::out_of_range("timeout_ms", "must be at least 1"));
        }
        let credentials =
            match (bearer, license_url, username, password) {
                (None, None, None, None) => Credentials::None,
                (Some(token), None, None, None) => Credentials::Bearer(token.to_owned()),
                (None, Some(url), Some(user), Some(pass)) => Credentials::LicenseServer {
                    token_url: url.to_owned(),
                    username: user.to_owned(),
                    password: pass.to_owned(),
                },
                (None, None, Some(user), Some(pass)) => Credentials::Basic {
                    username: user.to_owned(),
                    password: pass.to_owned(),
                },
                _ => return Err(Error::out_of_range(
                    "credentials",
                    "give bearer, or username and password (with license_url or without), or none",
                )),
            };
        let mut builder = TrdClient::builder(base_url)
            .credentials(credentials)
            .timeout(Duration::from_millis(u64::from(timeout_ms)));
        if !tls.is_null() {
            // SAFETY: the caller upholds the handle contract (no setter or free during the call).
            let config = unsafe { handle::borrow_shared(tls, "tls") }?;
            builder = builder
                .tls(config.settings.tls().clone())
                .proxy(config.settings.proxy().clone());
        }
        let client = builder.build().map_err(trd_error)?;
        let client = handle::into_raw::<das_trd_client>(client);
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { out.write(client) };
        Ok(())
    })
}

/// Releases a client. NULL is ignored; a pointer that is not a live client is ignored and
/// recorded as the last error.
///
/// Ownership: takes ownership of `client`.
///
/// # Safety
/// No other thread may be using `client`.
#[no_mangle]
pub unsafe extern "C" fn das_trd_client_free(client: *mut das_trd_client) {
    ffi_boundary!({
        // SAFETY: the caller guarantees exclusive use.
        unsafe { handle::free(client, "client") }
    })
}
