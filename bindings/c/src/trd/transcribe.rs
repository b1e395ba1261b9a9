//! `das_trd_transcribe`: create a job and wait for its result, by polling or through a
//! `das_trd_webhooks` receiver that any number of concurrent transcriptions share.

use std::ffi::c_char;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use das_core::trd::{JobWebhooks, Tls, Transcribe, ValidateOptions, WebhookReceiver};

use super::calls::hand_out;
use super::client::{das_trd_client, trd_client};
use super::error::trd_error;
use super::job::{das_trd_job, trd_job};
use crate::error::Error;
use crate::ffi_boundary;
use crate::handle::{self, OpaqueHandle};
use crate::out::{self, lend, CText};
use crate::result::das_result;
use crate::runtime::block_on;
use crate::strings::input_optional_str;
use crate::webhook::das_webhook;

/// A webhook receiver whose deliveries go to the `das_trd_transcribe` calls waiting for them.
/// Thread-safe; free it after every call using it has returned.
#[allow(non_camel_case_types)]
pub struct das_trd_webhooks {
    _private: [u8; 0],
}

/// What a `das_trd_webhooks` owns.
pub struct Webhooks {
    hooks: JobWebhooks,
    url: CText,
}

// SAFETY: `das_trd_webhooks` is a zero-sized marker that is never constructed.
unsafe impl OpaqueHandle for das_trd_webhooks {
    type Rust = Webhooks;
    const NAME: &'static str = "das_trd_webhooks";
}

/// Starts a receiver on `host:port` (NULL host: `127.0.0.1`; `0.0.0.0` to be reachable by TRD;
/// port 0: a free one) that TRD reaches as `public_host` (NULL: the bound address). HTTPS with
/// a self-signed certificate unless `plain_http`. With `validate`, the URL, a fresh token and
/// the certificate are registered with TRD's `webhook/validate` first (TRD answering
/// `reachable: false` is `DAS_RESULT_PROTOCOL`), and deliveries must carry that token.
///
/// Errors: bind failures `DAS_RESULT_IO`, a bad host `DAS_RESULT_PARSE`, the validate call's
/// errors as `das_trd_call`.
///
/// Ownership: strings are borrowed; the caller owns `*out` (`das_trd_webhooks_free`).
///
/// # Safety
/// `client` is live; strings follow the string-input convention (NULL allowed); `out` is
/// writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn das_trd_webhooks_start(
    client: *const das_trd_client,
    host: *const c_char,
    host_len: usize,
    port: u16,
    public_host: *const c_char,
    public_host_len: usize,
    plain_http: bool,
    validate: bool,
    out: *mut *mut das_trd_webhooks,
) -> das_result {
    ffi_boundary!({
        out::require(out, "out")?;
        // SAFETY: the caller upholds the string-input contract.
        let host = unsafe { input_optional_str(host, host_len, "host") }?;
        // SAFETY: the caller upholds the string-input contract.
        let public_host =
            unsafe { input_optional_str(public_host, public_host_len, "public_host") }?;
        let ip: IpAddr = match host {
            Some(text) => text.parse().map_err(|e| Error::parse("host", e))?,
            None => IpAddr::V4(Ipv4Addr::LOCALHOST),
        };
        let mut builder = WebhookReceiver::builder().bind(SocketAddr::new(ip, port));
        if let Some(public) = public_host {
            builder = builder.public_host(public);
        }
        if plain_http {
            builder = builder.tls(Tls::Plain);
        }
        let client = trd_client!(client);
        let validate = validate.then(ValidateOptions::default);
        let hooks = block_on(client.start_job_webhooks(builder, validate))?.map_err(trd_error)?;
        let url = CText::new(hooks.url());
        let webhooks = handle::into_raw::<das_trd_webhooks>(Webhooks { hooks, url });
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { out.write(webhooks) };
        Ok(())
    })
}

/// Lends the receiver's URL (`https://host:port`), the callback URL jobs are given.
///
/// Ownership: `*url` is owned by `webhooks` and valid until `das_trd_webhooks_free`.
///
/// # Safety
/// `webhooks` is live; `url` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_trd_webhooks_url(
    webhooks: *const das_trd_webhooks,
    url: *mut *const c_char,
    len: *mut usize,
) -> das_result {
    ffi_boundary!({
        // SAFETY: the caller upholds the handle contract (no concurrent free).
        let webhooks = unsafe { handle::borrow_shared(webhooks, "webhooks") }?;
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { lend(&webhooks.url, url, len) }
    })
}

/// Stops the receiver and releases it. NULL is ignored.
///
/// Ownership: takes ownership of `webhooks`.
///
/// # Safety
/// No other thread may be using `webhooks`.
#[no_mangle]
pub unsafe extern "C" fn das_trd_webhooks_free(webhooks: *mut das_trd_webhooks) {
    ffi_boundary!({
        if !webhooks.is_null() {
            // SAFETY: the caller guarantees exclusive use; freed just below.
            let live = unsafe { handle::borrow_shared(webhooks, "webhooks") }?;
            block_on(live.hooks.shutdown())?;
        }
        // SAFETY: the caller guarantees exclusive use.
        unsafe { handle::free(webhooks, "webhooks") }
    })
}

/// Creates the job and waits for its result: through `webhooks` (its URL is added to the
/// job's callback URLs), or by polling `job/status` (500 ms, doubling up to 10 s) when
/// `webhooks` is NULL. `*out` is the `COMPLETED` result.
///
/// `timeout_ms` (at least 1) bounds the wait after the upload; when it runs out the result is
/// `DAS_RESULT_TIMEOUT`, after sending `job/stop` if `stop_on_timeout`. A job that ends
/// `FAILED` is `DAS_RESULT_JOB_FAILED` with its `failure_reason` in the message. Other errors
/// as `das_trd_create_job`.
///
/// Ownership: handles are borrowed; the caller owns `*out` (`das_webhook_free`).
///
/// # Safety
/// `client` and `job` are live (`job` used by no other thread during the call); `webhooks` is
/// NULL or live; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_trd_transcribe(
    client: *const das_trd_client,
    job: *const das_trd_job,
    webhooks: *const das_trd_webhooks,
    timeout_ms: u32,
    stop_on_timeout: bool,
    out: *mut *mut das_webhook,
) -> das_result {
    ffi_boundary!({
        out::require(out, "out")?;
        if timeout_ms == 0 {
            return Err(Error::out_of_range("timeout_ms", "must be at least 1"));
        }
        let client = trd_client!(client);
        let request = trd_job!(job).clone();
        let options = if webhooks.is_null() {
            Transcribe::poll()
        } else {
            // SAFETY: the caller upholds the handle contract (no concurrent free).
            let webhooks = unsafe { handle::borrow_shared(webhooks, "webhooks") }?;
            Transcribe::webhook(webhooks.hooks.clone())
        }
        .timeout(Duration::from_millis(u64::from(timeout_ms)))
        .stop_on_timeout(stop_on_timeout);
        let result = block_on(client.transcribe(&request, &options))?.map_err(trd_error)?;
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { hand_out(result, out) };
        Ok(())
    })
}
