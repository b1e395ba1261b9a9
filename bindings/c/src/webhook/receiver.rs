//! `das_webhook_receiver`: the HTTPS server TRD posts results to, with a blocking
//! `next_delivery` (timeout 0 never blocks) that several threads may call at once.

use std::ffi::c_char;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use das_core::trd::{ReceiverError, Tls, WebhookReceiver};

use super::delivery::{das_delivery, DeliveryValue};
use crate::enums::das_tls_mode;
use crate::error::Error;
use crate::ffi_boundary;
use crate::handle::{self, OpaqueHandle};
use crate::out::{self, lend, CText};
use crate::result::das_result;
use crate::runtime::block_on;
use crate::strings::{input_optional_str, input_str};

/// A running TRD webhook receiver. Thread-safe: any number of threads may call
/// `das_webhook_receiver_next_delivery` and the getters at once, and `..._stop` wakes them;
/// `das_webhook_receiver_free` must come after every other call on it has returned.
#[allow(non_camel_case_types)]
pub struct das_webhook_receiver {
    _private: [u8; 0],
}

// SAFETY: `das_webhook_receiver` is a zero-sized marker that is never constructed.
unsafe impl OpaqueHandle for das_webhook_receiver {
    type Rust = Receiver;
    const NAME: &'static str = "das_webhook_receiver";
}

/// What a `das_webhook_receiver` owns.
#[derive(Debug)]
pub struct Receiver {
    inner: WebhookReceiver,
    url: CText,
    certificate_pem: Option<CText>,
    stopped: AtomicBool,
}

fn receiver_error(error: ReceiverError) -> Error {
    let code = match &error {
        ReceiverError::Bind { .. } | ReceiverError::Spool { .. } => das_result::Io,
        ReceiverError::Certificate(_) | ReceiverError::Tls(_) => das_result::Tls,
        ReceiverError::EmptyToken => das_result::InvalidToken,
    };
    Error::new(code, error.to_string())
}

/// Borrows a receiver for a call that may run concurrently with others.
macro_rules! receiver {
    ($receiver:ident) => {
        // SAFETY: the caller upholds the handle contract (no concurrent free).
        unsafe { handle::borrow_shared($receiver, "receiver") }?
    };
}

/// Starts a receiver for `POST /{job_id}` and `POST /{name}/{job_id}` on `host:port`.
///
/// - `host`: an IP address to bind (NULL: `127.0.0.1`; use `0.0.0.0` to be reachable by TRD).
///   `port` 0 picks a free port (read it back with `das_webhook_receiver_url`).
/// - `token`: when not NULL, every delivery must carry this top-level `token` (constant-time
///   comparison; others are answered 401 and never delivered). An empty `token` is refused
///   with `DAS_RESULT_INVALID_TOKEN`: it would let bodies with `"token": ""` in.
/// - `tls_mode`: a `das_tls_mode`. `DAS_TLS_MODE_PEM` needs `cert_pem` and `key_pem`; the other
///   modes ignore them (pass NULL).
/// - `spool_dir`: when not NULL, each accepted body is kept in this directory until
///   `das_delivery_ack`, and redelivered by the next receiver started on it.
///
/// Errors: bind or spool failures `DAS_RESULT_IO`, bad certificate/key `DAS_RESULT_TLS`.
///
/// Ownership: every string is borrowed and copied; the caller owns `*out` and releases it with
/// `das_webhook_receiver_free`.
///
/// # Safety
/// Strings follow the string-input convention (NULL allowed where stated); `out` is writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn das_webhook_receiver_start(
    host: *const c_char,
    host_len: usize,
    port: u16,
    token: *const c_char,
    token_len: usize,
    tls_mode: u32,
    cert_pem: *const c_char,
    cert_pem_len: usize,
    key_pem: *const c_char,
    key_pem_len: usize,
    spool_dir: *const c_char,
    spool_dir_len: usize,
    out: *mut *mut das_webhook_receiver,
) -> das_result {
    ffi_boundary!({
        out::require(out, "out")?;
        // SAFETY: the caller upholds the string-input contract.
        let host = unsafe { input_optional_str(host, host_len, "host") }?;
        let ip: IpAddr = match host {
            None => IpAddr::V4(Ipv4Addr::LOCALHOST),
            Some(text) => text
                .parse()
                .map_err(|_| Error::parse("host", format!("`{text}` is not an IP address")))?,
        };
        // SAFETY: the caller upholds the string-input contract.
        let token = unsafe { input_optional_str(token, token_len, "token") }?;
        let tls = match das_tls_mode::from_c(tls_mode, "tls_mode")? {
            das_tls_mode::SelfSigned => None,
            das_tls_mode::Plain => Some(Tls::Plain),
            das_tls_mode::Pem => Some(Tls::Pem {
                // SAFETY: the caller upholds the string-input contract.
                cert: unsafe { input_str(cert_pem, cert_pem_len, "cert_pem") }?.to_owned(),
                // SAFETY: the caller upholds the string-input contract.
                key: unsafe { input_str(key_pem, key_pem_len, "key_pem") }?.to_owned(),
            }),
        };
        // SAFETY: the caller upholds the string-input contract.
        let spool = unsafe { input_optional_str(spool_dir, spool_dir_len, "spool_dir") }?;

        let mut builder = WebhookReceiver::builder().bind(SocketAddr::new(ip, port));
        if let Some(token) = token {
            builder = builder.token(token);
        }
        if let Some(tls) = tls {
            builder = builder.tls(tls);
        }
        if let Some(dir) = spool {
            builder = builder.spool(dir);
        }
        let inner = block_on(builder.start())?.map_err(receiver_error)?;
        let receiver = Receiver {
            url: CText::new(inner.url()),
            certificate_pem: inner.certificate_pem().map(CText::new),
            inner,
            stopped: AtomicBool::new(false),
        };
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { out.write(handle::into_raw::<das_webhook_receiver>(receiver)) };
        Ok(())
    })
}

/// Lends the base URL to register with TRD (`https://127.0.0.1:PORT`); TRD appends `/{job_id}`.
///
/// Ownership: `*url` is owned by `receiver` and valid until `das_webhook_receiver_free`.
///
/// # Safety
/// `receiver` is a live receiver; `url` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_receiver_url(
    receiver: *const das_webhook_receiver,
    url: *mut *const c_char,
    len: *mut usize,
) -> das_result {
    ffi_boundary!({
        let receiver = receiver!(receiver);
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { lend(&receiver.url, url, len) }
    })
}

/// Lends the PEM of the server certificate (what `das_trd_validate` registers as `crt`);
/// `DAS_RESULT_NOT_PRESENT` in `DAS_TLS_MODE_PLAIN`.
///
/// Ownership: `*pem` is owned by `receiver` and valid until `das_webhook_receiver_free`.
///
/// # Safety
/// `receiver` is a live receiver; `pem` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_receiver_certificate_pem(
    receiver: *const das_webhook_receiver,
    pem: *mut *const c_char,
    len: *mut usize,
) -> das_result {
    ffi_boundary!({
        out::require(pem, "pem")?;
        let receiver = receiver!(receiver);
        let text = receiver.certificate_pem.as_ref().ok_or_else(|| {
            Error::new(
                das_result::NotPresent,
                "the receiver serves plain HTTP: there is no certificate",
            )
        })?;
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { lend(text, pem, len) }
    })
}

/// Waits up to `timeout_ms` for the next accepted delivery (0 never blocks). Deliveries
/// recovered from the spool come first.
///
/// Returns `DAS_RESULT_OK` with `*out` set, `DAS_RESULT_TIMEOUT` when none arrived in time, or
/// `DAS_RESULT_CLOSED` once the receiver was stopped and every queued delivery was taken.
///
/// Ownership: the caller owns `*out` and releases it with `das_delivery_free` (after
/// `das_delivery_ack` once the result is safely stored).
///
/// # Safety
/// `receiver` is a live receiver; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_receiver_next_delivery(
    receiver: *const das_webhook_receiver,
    timeout_ms: u32,
    out: *mut *mut das_delivery,
) -> das_result {
    ffi_boundary!({
        out::require(out, "out")?;
        let receiver = receiver!(receiver);
        let timeout = Duration::from_millis(u64::from(timeout_ms));
        match block_on(receiver.inner.next_delivery(timeout))? {
            Some(delivery) => {
                let value = DeliveryValue::new(delivery);
                // SAFETY: checked non-NULL; the caller guarantees it is writable.
                unsafe { out.write(handle::into_raw::<das_delivery>(value)) };
                Ok(())
            }
            None if receiver.stopped.load(Ordering::Acquire) => Err(Error::new(
                das_result::Closed,
                "the receiver is stopped and no delivery is queued",
            )),
            None => Err(Error::new(
                das_result::Timeout,
                format!("no delivery within {timeout_ms} ms"),
            )),
        }
    })
}

/// Stops accepting connections and closes open ones. Deliveries already queued can still be
/// taken; after that `das_webhook_receiver_next_delivery` returns `DAS_RESULT_CLOSED`.
/// Stopping twice is harmless.
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `receiver` is a live receiver.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_receiver_stop(
    receiver: *const das_webhook_receiver,
) -> das_result {
    ffi_boundary!({
        let receiver = receiver!(receiver);
        receiver.stopped.store(true, Ordering::Release);
        block_on(receiver.inner.shutdown())
    })
}

/// Stops (if needed) and releases a receiver. NULL is ignored; a pointer that is not a live
/// receiver is ignored and recorded as the last error.
///
/// Ownership: takes ownership of `receiver`. Deliveries taken from it stay valid.
///
/// # Safety
/// Every other call on `receiver` must have returned.
#[no_mangle]
pub unsafe extern "C" fn das_webhook_receiver_free(receiver: *mut das_webhook_receiver) {
    ffi_boundary!({
        // SAFETY: the caller guarantees no concurrent use.
        unsafe { handle::free(receiver, "receiver") }
    })
}
