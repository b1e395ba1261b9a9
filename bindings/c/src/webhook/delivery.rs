//! `das_delivery`: one result the receiver accepted (and answered 200 for), with its raw body,
//! flags, a parsed copy, and the acknowledgement that releases its spool file.

use std::ffi::c_char;

use bytes::Bytes;
use das_core::trd::{Delivery, JobResult};

use super::document::{das_webhook, Webhook};
use crate::error::Error;
use crate::ffi_boundary;
use crate::handle::{self, OpaqueHandle};
use crate::out::{self, lend, CText};
use crate::result::das_result;

/// One accepted webhook delivery. Release with `das_delivery_free`; acknowledge first with
/// `das_delivery_ack` when the result is stored. The getters (`const das_delivery *`) only read
/// and may run on several threads at once; `_ack` and `_free` need the handle to themselves.
#[allow(non_camel_case_types)]
pub struct das_delivery {
    _private: [u8; 0],
}

// SAFETY: `das_delivery` is a zero-sized marker that is never constructed.
unsafe impl OpaqueHandle for das_delivery {
    type Rust = DeliveryValue;
    const NAME: &'static str = "das_delivery";
}

/// What a `das_delivery` owns. The core `Delivery` is consumed by its acknowledgement, so the
/// fields C reads are kept beside it.
#[derive(Debug)]
pub struct DeliveryValue {
    pending_ack: Option<Delivery>,
    job_id: CText,
    name: Option<CText>,
    body: Bytes,
    result: JobResult,
    duplicate: bool,
    recovered: bool,
}

impl DeliveryValue {
    /// Keeps a delivery for C.
    pub fn new(delivery: Delivery) -> Self {
        Self {
            job_id: CText::new(&delivery.job_id),
            name: delivery.name.as_deref().map(CText::new),
            body: delivery.body.clone(),
            result: delivery.result.clone(),
            duplicate: delivery.duplicate,
            recovered: delivery.recovered,
            pending_ack: Some(delivery),
        }
    }
}

/// Borrows the delivery behind a `const das_delivery *` for reading.
macro_rules! delivery {
    ($delivery:ident) => {
        // SAFETY: the caller upholds the handle contract: no free or ack during a getter.
        unsafe { handle::borrow_shared($delivery, "delivery") }?
    };
}

/// Lends the job id of the URL path (equal to the body's `job.id`).
///
/// Ownership: `*id` is owned by `delivery` and valid until `das_delivery_free`.
///
/// # Safety
/// `delivery` is a live delivery; `id` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_delivery_job_id(
    delivery: *const das_delivery,
    id: *mut *const c_char,
    len: *mut usize,
) -> das_result {
    ffi_boundary!({
        let delivery = delivery!(delivery);
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { lend(&delivery.job_id, id, len) }
    })
}

/// Lends the callback name of `POST /{name}/{job_id}`; `DAS_RESULT_NOT_PRESENT` for the root
/// route `POST /{job_id}`.
///
/// Ownership: `*name` is owned by `delivery` and valid until `das_delivery_free`.
///
/// # Safety
/// `delivery` is a live delivery; `name` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_delivery_name(
    delivery: *const das_delivery,
    name: *mut *const c_char,
    len: *mut usize,
) -> das_result {
    ffi_boundary!({
        out::require(name, "name")?;
        let delivery = delivery!(delivery);
        let text = delivery.name.as_ref().ok_or_else(|| {
            Error::new(
                das_result::NotPresent,
                "delivered to the root route: no name",
            )
        })?;
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { lend(text, name, len) }
    })
}

/// Lends the body exactly as received (it contains the shared token: do not log it).
///
/// Ownership: `*body` is owned by `delivery` and valid until `das_delivery_free`; it is not
/// NUL-terminated.
///
/// # Safety
/// `delivery` is a live delivery; `body` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_delivery_body(
    delivery: *const das_delivery,
    body: *mut *const u8,
    len: *mut usize,
) -> das_result {
    ffi_boundary!({
        out::require(body, "body")?;
        out::require(len, "len")?;
        let delivery = delivery!(delivery);
        // SAFETY: both checked non-NULL; the caller guarantees they are writable.
        unsafe {
            body.write(delivery.body.as_ptr());
            len.write(delivery.body.len());
        }
        Ok(())
    })
}

/// Writes whether TRD delivered this job (for this callback name) before: the receiver, or a
/// previous one on the same spool, already handed it off. Process it idempotently.
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `delivery` is a live delivery; `duplicate` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_delivery_is_duplicate(
    delivery: *const das_delivery,
    duplicate: *mut bool,
) -> das_result {
    ffi_boundary!({
        let delivery = delivery!(delivery);
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { out::write(duplicate, delivery.duplicate, "duplicate") }
    })
}

/// Writes whether this delivery was read back from the spool at start-up (accepted by an
/// earlier receiver but never acknowledged).
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `delivery` is a live delivery; `recovered` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_delivery_is_recovered(
    delivery: *const das_delivery,
    recovered: *mut bool,
) -> das_result {
    ffi_boundary!({
        let delivery = delivery!(delivery);
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { out::write(recovered, delivery.recovered, "recovered") }
    })
}

/// Gives the parsed result as a new webhook handle (a copy; the delivery stays usable).
///
/// Ownership: the caller owns `*out` and releases it with `das_webhook_free`.
///
/// # Safety
/// `delivery` is a live delivery; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_delivery_webhook(
    delivery: *const das_delivery,
    out: *mut *mut das_webhook,
) -> das_result {
    ffi_boundary!({
        out::require(out, "out")?;
        let delivery = delivery!(delivery);
        let webhook = handle::into_raw::<das_webhook>(Webhook::new(delivery.result.clone()));
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { out.write(webhook) };
        Ok(())
    })
}

/// Acknowledges the delivery: the application has stored the result, so its spool file is
/// deleted (without a spool this does nothing). Acknowledging twice is harmless. A delivery
/// freed without `ack` is delivered again by the next receiver on the same spool.
///
/// Errors: `DAS_RESULT_IO` when the spool file could not be deleted; it then stays on disk and
/// the next receiver on the spool delivers it again (flagged duplicate).
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `delivery` is a live delivery.
#[no_mangle]
pub unsafe extern "C" fn das_delivery_ack(delivery: *mut das_delivery) -> das_result {
    ffi_boundary!({
        // SAFETY: the caller upholds the handle contract: exclusive use during `ack`.
        let mut delivery = unsafe { handle::borrow(delivery, "delivery") }?;
        let Some(pending) = delivery.pending_ack.take() else {
            return Ok(());
        };
        pending
            .ack()
            .map_err(|e| Error::new(das_result::Io, e.to_string()))
    })
}

/// Releases a delivery. NULL is ignored; a pointer that is not a live delivery is ignored and
/// recorded as the last error.
///
/// Ownership: takes ownership of `delivery`; strings lent from it become invalid.
///
/// # Safety
/// No other thread may be using `delivery`.
#[no_mangle]
pub unsafe extern "C" fn das_delivery_free(delivery: *mut das_delivery) {
    ffi_boundary!({
        // SAFETY: the caller guarantees exclusive use.
        unsafe { handle::free(delivery, "delivery") }
    })
}
