//! Caller-driven mode: the program's own thread runs libdas (`das_run`), so frames pushed and
//! events polled never cross between threads.

use std::time::Duration;

use crate::config::DAS_MAX_TIMEOUT_MS;
use crate::error::Error;
use crate::result::das_result;
use crate::runtime;

/// Runs libdas on the program's threads instead of a libdas thread, for a program with its own
/// event loop. Call it before anything that starts libdas's runtime (the first
/// `das_session_start*`, TRD client or webhook receiver); afterwards it is
/// `DAS_RESULT_ALREADY_STARTED` (calling it again in caller-driven mode is `DAS_RESULT_OK`).
///
/// From then on sessions make progress only while one of the program's threads is inside
/// libdas: in `das_run` (the event loop's wait), or in a blocking call while it waits
/// (`das_session_start`, `das_session_poll_event` with a timeout, `das_session_close`, …).
/// Call `das_run` at least every few hundred milliseconds while sessions are open: between
/// calls nothing is read or sent, and pings go unanswered.
///
/// Ownership: nothing is allocated or transferred.
#[no_mangle]
pub extern "C" fn das_runtime_caller_driven() -> das_result {
    crate::ffi_boundary!({ runtime::set_caller_driven() })
}

/// Runs every session for at most `timeout_ms` (≤ `DAS_MAX_TIMEOUT_MS`): their I/O, timers and
/// audio. Returns `DAS_RESULT_OK` as soon as an event (or a session's end) was queued since the
/// previous `das_run` returned, `DAS_RESULT_TIMEOUT` when the time ran out first; 0 runs what is
/// ready and returns. Then take the events with `das_session_poll_event(s, 0, …)` (the event
/// descriptors of `das_session_event_fd` tell which sessions have some) and push the audio
/// that is due. `DAS_RESULT_NOT_READY` unless `das_runtime_caller_driven` was called;
/// `DAS_RESULT_INTERNAL` from inside a log callback. One thread at a time: another caller waits
/// for the first to return.
///
/// Ownership: nothing is allocated or transferred.
#[no_mangle]
pub extern "C" fn das_run(timeout_ms: u32) -> das_result {
    crate::ffi_boundary!({
        if timeout_ms > DAS_MAX_TIMEOUT_MS {
            return Err(Error::out_of_range(
                "timeout_ms",
                format!("{timeout_ms} ms is more than DAS_MAX_TIMEOUT_MS ({DAS_MAX_TIMEOUT_MS})"),
            ));
        }
        match runtime::run(Duration::from_millis(u64::from(timeout_ms)))? {
            true => Ok(()),
            false => Err(Error::new(
                das_result::Timeout,
                format!("no event within {timeout_ms} ms"),
            )),
        }
    })
}
