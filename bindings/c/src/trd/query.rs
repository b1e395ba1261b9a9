//! `das_trd_query`: the records of `GET /query/job`, read one at a time as TRD streams them.

use std::ffi::c_char;

use das_core::trd::{JobQuery, JobRecords};

use super::calls::hand_out;
use super::client::{das_trd_client, trd_client};
use super::error::trd_error;
use crate::error::Error;
use crate::ffi_boundary;
use crate::handle::{self, OpaqueHandle};
use crate::out;
use crate::result::das_result;
use crate::runtime::block_on;
use crate::strings::input_optional_str;
use crate::webhook::das_webhook;

/// A running query. Not thread-safe: one thread at a time.
#[allow(non_camel_case_types)]
pub struct das_trd_query {
    _private: [u8; 0],
}

// SAFETY: `das_trd_query` is a zero-sized marker that is never constructed.
unsafe impl OpaqueHandle for das_trd_query {
    type Rust = JobRecords;
    const NAME: &'static str = "das_trd_query";
}

/// Starts `GET /query/job`. `filter_json` (NULL: no filter) is a JSON object with any of
/// `tags`, `filenames`, `statuses`, `projection` (string arrays), `with_result` (bool),
/// `page`, `limit` (integers), `start_date`, `end_date` (ISO 8601 strings).
///
/// Errors: a filter that is not such an object `DAS_RESULT_PARSE` (naming the field); the
/// request's errors as `das_trd_call`.
///
/// Ownership: `filter_json` is borrowed; the caller owns `*out` (`das_trd_query_free`).
///
/// # Safety
/// `client` is live; `filter_json` follows the string-input convention (NULL allowed); `out`
/// is writable.
#[no_mangle]
pub unsafe extern "C" fn das_trd_query_start(
    client: *const das_trd_client,
    filter_json: *const c_char,
    filter_json_len: usize,
    out: *mut *mut das_trd_query,
) -> das_result {
    ffi_boundary!({
        out::require(out, "out")?;
        // SAFETY: the caller upholds the string-input contract.
        let filter = unsafe { input_optional_str(filter_json, filter_json_len, "filter_json") }?;
        let filter: JobQuery = match filter {
            Some(text) => serde_json::from_str(text).map_err(|e| Error::parse("filter_json", e))?,
            None => JobQuery::default(),
        };
        let client = trd_client!(client);
        let records = block_on(client.query(&filter))?.map_err(trd_error)?;
        let query = handle::into_raw::<das_trd_query>(records);
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { out.write(query) };
        Ok(())
    })
}

/// The next record as a `das_webhook` in `*out` (`job`, and `segments` when the filter asked
/// for results); `DAS_RESULT_CLOSED` after the last one. A record TRD sent malformed gives
/// `DAS_RESULT_PROTOCOL` and the following records can still be read. Each wait for data is
/// bounded by the client's timeout (`DAS_RESULT_TIMEOUT`).
///
/// Ownership: the caller owns `*out` (`das_webhook_free`).
///
/// # Safety
/// `query` is live and used by no other thread; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_trd_query_next(
    query: *mut das_trd_query,
    out: *mut *mut das_webhook,
) -> das_result {
    ffi_boundary!({
        out::require(out, "out")?;
        // SAFETY: the caller upholds the handle contract: one thread at a time.
        let mut records = unsafe { handle::borrow(query, "query") }?;
        match block_on(records.next())? {
            None => Err(Error::new(
                das_result::Closed,
                "the query has no more records",
            )),
            Some(record) => {
                // SAFETY: checked non-NULL; writable by contract.
                unsafe { hand_out(record.map_err(trd_error)?, out) };
                Ok(())
            }
        }
    })
}

/// Releases a query (closing its connection if records remain). NULL is ignored.
///
/// Ownership: takes ownership of `query`.
///
/// # Safety
/// No other thread may be using `query`.
#[no_mangle]
pub unsafe extern "C" fn das_trd_query_free(query: *mut das_trd_query) {
    ffi_boundary!({
        // SAFETY: the caller guarantees exclusive use.
        unsafe { handle::free(query, "query") }
    })
}
