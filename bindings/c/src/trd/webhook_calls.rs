//! `webhook/whoami` and `webhook/validate` on a `das_trd_client`: the same calls as
//! `das_trd_whoami` / `das_trd_validate`, with the client's credentials and trusted roots.

use std::ffi::c_char;

use das_core::trd::{TrdClient, ValidateOptions};

use super::client::{das_trd_client, trd_client};
use super::error::trd_error;
use crate::error::Error;
use crate::ffi_boundary;
use crate::out;
use crate::result::das_result;
use crate::runtime::block_on;
use crate::strings::{input_optional_str, input_str, write_output};

/// `GET webhook/whoami` with `client`: copies this machine's address as TRD sees it into `buf`
/// (output-buffer convention). Errors as `das_trd_whoami`.
///
/// Ownership: `client`, `buf` and `written` are borrowed for the call.
///
/// # Safety
/// `client` is a live client; `buf`/`len`/`written` follow the output-buffer convention.
#[no_mangle]
pub unsafe extern "C" fn das_trd_client_whoami(
    client: *const das_trd_client,
    buf: *mut c_char,
    len: usize,
    written: *mut usize,
) -> das_result {
    ffi_boundary!({
        let client = trd_client!(client);
        // SAFETY: forwarded contract.
        unsafe { whoami(&client, buf, len, written) }
    })
}

/// `webhook/whoami` into the output buffer; shared with the one-shot `das_trd_whoami`.
///
/// # Safety
/// `buf`/`len`/`written` follow the output-buffer convention.
pub(crate) unsafe fn whoami(
    client: &TrdClient,
    buf: *mut c_char,
    len: usize,
    written: *mut usize,
) -> Result<(), Error> {
    out::require(written, "written")?;
    let address = block_on(client.whoami())?.map_err(trd_error)?;
    // SAFETY: the caller upholds the output-buffer contract.
    unsafe { write_output(&address, buf, len, written) }
}

/// `webhook/validate` with `client`: as `das_trd_validate` (a GET with `token` and `crt_pem`
/// both NULL, else a POST that registers them), answer in `*reachable`.
///
/// Ownership: strings are borrowed for the call; the token is never logged.
///
/// # Safety
/// `client` is a live client; strings follow the string-input convention (NULL allowed for
/// `token`, `crt_pem`); `reachable` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_trd_client_validate(
    client: *const das_trd_client,
    webhook_url: *const c_char,
    webhook_url_len: usize,
    token: *const c_char,
    token_len: usize,
    crt_pem: *const c_char,
    crt_pem_len: usize,
    reachable: *mut bool,
) -> das_result {
    ffi_boundary!({
        let client = trd_client!(client);
        // SAFETY: forwarded contract.
        unsafe {
            validate(
                &client,
                (webhook_url, webhook_url_len),
                (token, token_len),
                (crt_pem, crt_pem_len),
                reachable,
            )
        }
    })
}

/// `webhook/validate` into `*reachable`; shared with the one-shot `das_trd_validate`. Each
/// string is a pointer and its length.
///
/// # Safety
/// Strings follow the string-input convention (`token`, `crt_pem` may be NULL); `reachable`
/// is writable.
pub(crate) unsafe fn validate(
    client: &TrdClient,
    webhook_url: (*const c_char, usize),
    token: (*const c_char, usize),
    crt_pem: (*const c_char, usize),
    reachable: *mut bool,
) -> Result<(), Error> {
    out::require(reachable, "reachable")?;
    // SAFETY: the caller upholds the string-input contract.
    let url = unsafe { input_str(webhook_url.0, webhook_url.1, "webhook_url") }?;
    // SAFETY: the caller upholds the string-input contract.
    let token = unsafe { input_optional_str(token.0, token.1, "token") }?;
    // SAFETY: the caller upholds the string-input contract.
    let crt = unsafe { input_optional_str(crt_pem.0, crt_pem.1, "crt_pem") }?;
    let answer = block_on(client.validate(url, ValidateOptions::default(), token, crt))?
        .map_err(trd_error)?;
    // SAFETY: the caller upholds the out-parameter contract.
    unsafe { out::write(reachable, answer, "reachable") }
}
