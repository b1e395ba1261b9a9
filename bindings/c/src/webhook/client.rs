//! `das_trd_license_token`, `das_trd_whoami` / `das_trd_validate`: the license server and TRD's
//! webhook endpoints, one blocking call each.

use std::ffi::c_char;
use std::time::Duration;

use das_core::proxy::ProxySetting;
use das_core::tls::TlsOptions;
use das_core::trd::{license_server_token, TrdClient};

use crate::error::Error;
use crate::ffi_boundary;
use crate::out;
use crate::result::das_result;
use crate::runtime::block_on;
use crate::strings::{input_optional_str, input_str, write_output};
use crate::trd::{self, trd_error};

fn timeout(timeout_ms: u32) -> Result<Duration, Error> {
    if timeout_ms == 0 {
        return Err(Error::out_of_range("timeout_ms", "must be at least 1"));
    }
    Ok(Duration::from_millis(u64::from(timeout_ms)))
}

/// Builds a client for `base_url` with an optional Bearer token.
///
/// # Safety
/// Both strings follow the string-input convention (`bearer` may be NULL).
unsafe fn client(
    base_url: *const c_char,
    base_url_len: usize,
    bearer: *const c_char,
    bearer_len: usize,
    timeout_ms: u32,
) -> Result<TrdClient, Error> {
    // SAFETY: forwarded contract.
    let base_url = unsafe { input_str(base_url, base_url_len, "base_url") }?;
    // SAFETY: forwarded contract.
    let bearer = unsafe { input_optional_str(bearer, bearer_len, "bearer") }?;
    let mut builder = TrdClient::builder(base_url).timeout(timeout(timeout_ms)?);
    if let Some(token) = bearer {
        builder = builder.bearer(token);
    }
    builder.build().map_err(trd_error)
}

/// `GET {base_url}/webhook/whoami`: copies this machine's address as TRD sees it into `buf`
/// (output-buffer convention). `base_url` is e.g. `https://speech.cpqd.com.br/trd/v3`; `bearer`
/// is the token without `Bearer ` (NULL: no `Authorization` header; empty:
/// `DAS_RESULT_OUT_OF_RANGE`, before any request). Every request is bounded
/// by `timeout_ms` (at least 1).
///
/// Errors: 401/403 `DAS_RESULT_AUTH`, no answer `DAS_RESULT_TIMEOUT`, unreachable
/// `DAS_RESULT_CONNECT_REFUSED`, bad URL `DAS_RESULT_PARSE`, a server certificate no trusted
/// root knows `DAS_RESULT_TLS` (the message names its issuer), TRD busy or its server or
/// gateway failing (429, 500, 502, 503, 504) `DAS_RESULT_BUSY`, a refused request (400, 413,
/// 422) `DAS_RESULT_REJECTED`, 404 `DAS_RESULT_NOT_FOUND`, other answers
/// `DAS_RESULT_PROTOCOL`. TLS trusts the bundled Mozilla roots and the machine's
/// (`SSL_CERT_FILE` / `SSL_CERT_DIR` when set, else the system store).
///
/// Ownership: strings are borrowed for the call; `buf` and `written` are borrowed.
///
/// # Safety
/// Strings follow the string-input convention; `buf`/`len`/`written` the output-buffer one.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn das_trd_whoami(
    base_url: *const c_char,
    base_url_len: usize,
    bearer: *const c_char,
    bearer_len: usize,
    timeout_ms: u32,
    buf: *mut c_char,
    len: usize,
    written: *mut usize,
) -> das_result {
    ffi_boundary!({
        // SAFETY: the caller upholds the string-input contract.
        let client = unsafe { client(base_url, base_url_len, bearer, bearer_len, timeout_ms) }?;
        // SAFETY: the caller upholds the output-buffer contract.
        unsafe { trd::whoami(&client, buf, len, written) }
    })
}

/// `POST {token_url}` with HTTP Basic `username`/`password`: fetches a bearer token from the
/// CPqD license server (e.g. `https://SL_HOST:SL_PORT/auth/token`) and copies it into `buf`
/// (output-buffer convention), to pass as `bearer` to `das_trd_whoami`/`das_trd_validate`.
/// The token expires after the server's `expires_in`; fetch a new one then. Errors as
/// `das_trd_whoami` (wrong credentials: `DAS_RESULT_AUTH`).
///
/// Ownership: strings are borrowed for the call; the password and token are never logged.
///
/// # Safety
/// Strings follow the string-input convention; `buf`/`len`/`written` the output-buffer one.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn das_trd_license_token(
    token_url: *const c_char,
    token_url_len: usize,
    username: *const c_char,
    username_len: usize,
    password: *const c_char,
    password_len: usize,
    timeout_ms: u32,
    buf: *mut c_char,
    len: usize,
    written: *mut usize,
) -> das_result {
    ffi_boundary!({
        out::require(written, "written")?;
        // SAFETY: the caller upholds the string-input contract.
        let token_url = unsafe { input_str(token_url, token_url_len, "token_url") }?;
        // SAFETY: the caller upholds the string-input contract.
        let username = unsafe { input_str(username, username_len, "username") }?;
        // SAFETY: the caller upholds the string-input contract.
        let password = unsafe { input_str(password, password_len, "password") }?;
        url::Url::parse(token_url).map_err(|e| Error::parse("token_url", e))?;
        let tls = TlsOptions::default();
        // The one-shot call has no configuration: the environment decides, as for its roots.
        let proxy = ProxySetting::FromEnvironment;
        let fetch = license_server_token(
            token_url,
            username,
            password,
            timeout(timeout_ms)?,
            &tls,
            &proxy,
        );
        let token = block_on(fetch)?.map_err(trd_error)?;
        // SAFETY: the caller upholds the output-buffer contract.
        unsafe { write_output(&token, buf, len, written) }
    })
}

/// `webhook/validate`: asks TRD whether it can reach the webhook at `webhook_url`
/// (`scheme://host[:port]`) and writes the answer to `*reachable`. With `token` or `crt_pem`
/// (the receiver's certificate, see `das_webhook_receiver_certificate_pem`) the request is a
/// POST that registers them with TRD; with both NULL it is a GET. Errors as `das_trd_whoami`,
/// and an empty `token` is `DAS_RESULT_INVALID_TOKEN`, before anything is sent.
///
/// Ownership: strings are borrowed for the call; the token is never logged.
///
/// # Safety
/// Strings follow the string-input convention (NULL allowed for `bearer`, `token`, `crt_pem`);
/// `reachable` is writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn das_trd_validate(
    base_url: *const c_char,
    base_url_len: usize,
    bearer: *const c_char,
    bearer_len: usize,
    webhook_url: *const c_char,
    webhook_url_len: usize,
    token: *const c_char,
    token_len: usize,
    crt_pem: *const c_char,
    crt_pem_len: usize,
    timeout_ms: u32,
    reachable: *mut bool,
) -> das_result {
    ffi_boundary!({
        // SAFETY: the caller upholds the string-input contract.
        let client = unsafe { client(base_url, base_url_len, bearer, bearer_len, timeout_ms) }?;
        // SAFETY: the caller upholds the string-input and out-parameter contracts.
        unsafe {
            trd::validate(
                &client,
                (webhook_url, webhook_url_len),
                (token, token_len),
                (crt_pem, crt_pem_len),
                reachable,
            )
        }
    })
}
