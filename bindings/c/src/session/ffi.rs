//! The exported `das_session_*` functions.

use std::ffi::c_char;
use std::time::Duration;

use super::value::SessionValue;
use super::Wait;
use crate::config::{das_config, DAS_MAX_TIMEOUT_MS};
use crate::error::Error;
use crate::event::{das_event, EventValue};
use crate::ffi_boundary;
use crate::handle::{self, OpaqueHandle};
use crate::out::{self, lend};
use crate::result::das_result;
use crate::strings::input_str;

/// A das-Peak Streaming session (register or verify). Thread-safe with one rule: every call
/// but `das_session_free` may run concurrently (typically one pusher thread, one poller thread,
/// and `das_session_close` from a third); `das_session_free` must come after all of them
/// returned.
#[allow(non_camel_case_types)]
pub struct das_session {
    _private: [u8; 0],
}

// SAFETY: `das_session` is a zero-sized marker that is never constructed.
unsafe impl OpaqueHandle for das_session {
    type Rust = SessionValue;
    const NAME: &'static str = "das_session";
}

macro_rules! session {
    ($session:ident) => {
        // SAFETY: the caller upholds the handle contract (no concurrent free).
        unsafe { handle::borrow_shared($session, "session") }?
    };
}

/// Creates a session from a configuration that passes `das_config_validate` (`NOT_READY`
/// naming what is missing otherwise). Nothing is sent yet: see `das_session_start`. The
/// configuration is copied; it may be changed or freed afterwards.
///
/// Ownership: `config` is borrowed for the call; the caller owns `*out` and releases it with
/// `das_session_free`.
///
/// # Safety
/// `config` is a live configuration; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_session_new(
    config: *const das_config,
    out: *mut *mut das_session,
) -> das_result {
    ffi_boundary!({
        out::require(out, "out")?;
        // SAFETY: the caller upholds the handle contract: no setter or free of `config` runs
        // during this call.
        let config = unsafe { handle::borrow_shared(config, "config") }?;
        let value = SessionValue::new(&config)?;
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { out.write(handle::into_raw::<das_session>(value)) };
        Ok(())
    })
}

/// Starts the session, blocking: fetches a token (client credentials) or uses the static
/// header, connects the signalling, waits until the namespace is accepted and emits
/// `initialize`. Bounded by the token plus connect timeouts.
///
/// Errors: rejected credentials `DAS_RESULT_AUTH`, namespace refused
/// `DAS_RESULT_CONNECT_REFUSED`, no answer `DAS_RESULT_TIMEOUT`, network `DAS_RESULT_IO`, a
/// second start `DAS_RESULT_ALREADY_STARTED`, closed `DAS_RESULT_CLOSED`. A failed start
/// closes the session (polls then return `DAS_RESULT_CLOSED`). `das_session_close` from
/// another thread cancels a start that is still fetching the token or connecting: it returns
/// `DAS_RESULT_CLOSED` at once.
/// An event loop uses `das_session_start_nonblocking`, which returns at once.
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `session` is a live session.
#[no_mangle]
pub unsafe extern "C" fn das_session_start(session: *const das_session) -> das_result {
    ffi_boundary!({ session!(session).start() })
}

/// Starts the session like `das_session_start` but returns at once: the start runs on libdas's
/// runtime and its outcome is the first event of the queue, so the event descriptor wakes an
/// event loop. On success a `DAS_EVENT_KIND_STARTED` event (JSON `{"event":"started",
/// "call_id":...}`); from then on pushes are accepted. On failure a `DAS_EVENT_KIND_START_FAILED`
/// event carrying the code `das_session_start` would have returned (`das_event_start_result`)
/// and its message (`das_event_message`), then the queue ends (`DAS_RESULT_CLOSED`).
///
/// While it starts, polls return `DAS_RESULT_TIMEOUT` (the descriptor is not readable), pushes
/// and `das_session_end_audio` `DAS_RESULT_NOT_READY`. `das_session_close` (or
/// `das_session_close_nonblocking`) cancels a start that has not completed: no outcome event
/// follows, polls return `DAS_RESULT_CLOSED`. Returns `DAS_RESULT_OK` once the start is under way,
/// `DAS_RESULT_ALREADY_STARTED` after a start, `DAS_RESULT_CLOSED` after a close.
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `session` is a live session.
#[no_mangle]
pub unsafe extern "C" fn das_session_start_nonblocking(session: *const das_session) -> das_result {
    ffi_boundary!({ session!(session).start_nonblocking() })
}

/// Queues a copy of `len` bytes of call audio (the configured codec, sample rate and channel
/// layout, interleaved) for the audio channel.
///
/// Returns `DAS_RESULT_OK`; `DAS_RESULT_WOULD_BLOCK` when the audio buffer
/// (`das_config_set_audio_buffer_bytes`) is full: nothing was taken, retry after polling
/// events or sleeping briefly (the refusal makes the channel send what it holds, even less
/// than a frame, so a retry succeeds whatever the buffer and push sizes); `DAS_RESULT_NOT_READY` before `das_session_start`;
/// `DAS_RESULT_CLOSED` after `das_session_end_audio`, after `das_session_close` or once the
/// session ended; `DAS_RESULT_OUT_OF_RANGE` when `len` exceeds the whole buffer. Audio pushed
/// after start but before `info-consumer-ready` waits in the buffer (it is not refused).
///
/// Ownership: `data` is borrowed for the call and copied.
///
/// # Safety
/// `session` is a live session; `data` points to `len` readable bytes (it may be NULL when
/// `len` is 0, as an empty C++ vector's data is: nothing is queued).
#[no_mangle]
pub unsafe extern "C" fn das_session_push_audio(
    session: *const das_session,
    data: *const u8,
    len: usize,
) -> das_result {
    ffi_boundary!({
        if data.is_null() && len > 0 {
            return Err(Error::null("data"));
        }
        let session = session!(session);
        if len > isize::MAX as usize {
            return Err(Error::out_of_range("len", "larger than any buffer"));
        }
        let bytes = if len == 0 {
            &[][..]
        } else {
            // SAFETY: non-NULL and `len` readable bytes as the caller promised.
            unsafe { std::slice::from_raw_parts(data, len) }
        };
        session.push_audio(bytes)
    })
}

/// Reads a WAV file (PCM16, µ-law or A-law, any rate, mono or stereo), converts it to the
/// session's codec at 8 kHz with its channel layout (stereo is downmixed for a mono session,
/// mono duplicated for a stereo one) and queues all of it, blocking while the audio buffer is
/// full: at most the result timeout, then `DAS_RESULT_TIMEOUT` with the rest not queued. Does
/// not end the audio. A file that cannot be opened or read is `DAS_RESULT_IO`, a malformed
/// one `DAS_RESULT_PARSE` (the message names the file and the cause; a `data` chunk whose size
/// runs past the end of the file, as a recorder that stopped early leaves it, is read to the
/// end of the file); other results as
/// `das_session_push_audio`.
///
/// Ownership: `path` is borrowed for the call.
///
/// # Safety
/// `session` is a live session; `path`/`len` follow the string-input convention.
#[no_mangle]
pub unsafe extern "C" fn das_session_push_wav(
    session: *const das_session,
    path: *const c_char,
    len: usize,
) -> das_result {
    ffi_boundary!({
        let session = session!(session);
        // SAFETY: the caller upholds the string-input contract.
        let path = unsafe { input_str(path, len, "path") }?;
        session.push_wav(path)
    })
}

/// Tells the service no more audio follows; later pushes return `DAS_RESULT_CLOSED`. Calling
/// it twice is harmless. `DAS_RESULT_NOT_READY` before start.
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `session` is a live session.
#[no_mangle]
pub unsafe extern "C" fn das_session_end_audio(session: *const das_session) -> das_result {
    ffi_boundary!({ session!(session).end_audio() })
}

/// Takes the next event, waiting at most `timeout_ms` (0 never blocks; more than
/// `DAS_MAX_TIMEOUT_MS` is `DAS_RESULT_OUT_OF_RANGE`).
///
/// Returns `DAS_RESULT_OK` with `*out` set; `DAS_RESULT_TIMEOUT` when nothing arrived in time;
/// `DAS_RESULT_CLOSED` once the session ended (disconnected, failed start, or
/// `das_session_close`) and every queued event was taken — events queued before a close are
/// still delivered first. `DAS_RESULT_NOT_READY` before a start (`DAS_RESULT_TIMEOUT` while a
/// non-blocking one runs). A
/// `das_session_close` from another thread wakes a blocked call.
///
/// Ownership: the caller owns `*out` and releases it with `das_event_free`.
///
/// # Safety
/// `session` is a live session; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_session_poll_event(
    session: *const das_session,
    timeout_ms: u32,
    out: *mut *mut das_event,
) -> das_result {
    ffi_boundary!({
        out::require(out, "out")?;
        let session = session!(session);
        if timeout_ms > DAS_MAX_TIMEOUT_MS {
            return Err(Error::out_of_range(
                "timeout_ms",
                format!("{timeout_ms} ms is more than DAS_MAX_TIMEOUT_MS ({DAS_MAX_TIMEOUT_MS})"),
            ));
        }
        session.check_pollable()?;
        let timeout = Duration::from_millis(u64::from(timeout_ms));
        let queue = session.queue();
        let popped = match crate::runtime::is_caller_driven() {
            // Nothing else runs the sessions: this wait does.
            true => queue.pop_on(timeout, |waiting| crate::runtime::block_on(waiting))?,
            false => queue.pop(timeout),
        };
        match popped {
            Ok(event) => {
                let event = handle::into_raw::<das_event>(EventValue::new(event));
                // SAFETY: checked non-NULL; the caller guarantees it is writable.
                unsafe { out.write(event) };
                Ok(())
            }
            Err(Wait::Timeout) => Err(Error::new(
                das_result::Timeout,
                format!("no event within {timeout_ms} ms"),
            )),
            Err(Wait::Closed) => Err(Error::new(
                das_result::Closed,
                "the session has ended and every event was taken",
            )),
        }
    })
}

/// Writes a file descriptor that is readable while an event is pending or the session has
/// ended, for select/poll/epoll loops: when it polls readable, call `das_session_poll_event`
/// with timeout 0 until it returns `DAS_RESULT_TIMEOUT` (or `DAS_RESULT_CLOSED`). Never read
/// from or close the descriptor; it is valid until `das_session_free` (remove it from an
/// epoll set first: the session's tasks may hold it open a little longer, and an epoll set
/// keeps reporting a descriptor until every copy is closed). The first call makes it
/// (a socket pair: `DAS_RESULT_IO` if the process is out of descriptors); sessions that are
/// only polled never hold one.
///
/// Ownership: the descriptor stays owned by `session`.
///
/// # Safety
/// `session` is a live session; `fd` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_session_event_fd(
    session: *const das_session,
    fd: *mut i32,
) -> das_result {
    ffi_boundary!({
        let session = session!(session);
        let wake = session.queue().fd().map_err(|e| {
            Error::new(
                das_result::Io,
                format!("cannot create the event wake-up socket: {e}"),
            )
        })?;
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { out::write(fd, wake, "fd") }
    })
}

/// Lends the `call_id` that joins the signalling to the audio channel (the configured one).
///
/// Ownership: `*call_id` (NUL-terminated) is owned by `session`, valid until
/// `das_session_free`.
///
/// # Safety
/// `session` is a live session; `call_id` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_session_call_id(
    session: *const das_session,
    call_id: *mut *const c_char,
    len: *mut usize,
) -> das_result {
    ffi_boundary!({
        let session = session!(session);
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { lend(session.call_id(), call_id, len) }
    })
}

/// Closes the session: cancels a `das_session_start` still connecting in another thread (it
/// returns `DAS_RESULT_CLOSED`), disconnects the signalling (bounded by the close timeout),
/// wakes any thread blocked in `das_session_poll_event` and makes later pushes return
/// `DAS_RESULT_CLOSED`. Safe from any thread, idempotent. An event loop that must not wait
/// for the disconnect uses `das_session_close_nonblocking`.
///
/// Ownership: nothing is allocated or transferred; the handle stays valid until freed.
///
/// # Safety
/// `session` is a live session.
#[no_mangle]
pub unsafe extern "C" fn das_session_close(session: *const das_session) -> das_result {
    ffi_boundary!({
        session!(session).close();
        Ok(())
    })
}

/// Closes the session like `das_session_close` without waiting for the disconnect: returns at
/// once with the session ended for the caller (a start under way is cancelled, pushes return
/// `DAS_RESULT_CLOSED`, polls deliver what was queued then `DAS_RESULT_CLOSED`, the descriptor
/// polls readable) while the signalling is disconnected on libdas's runtime, still bounded by
/// the close timeout. `das_session_free` afterwards does not wait either. Safe from any
/// thread, idempotent (a later `das_session_close` returns at once).
///
/// Ownership: nothing is allocated or transferred; the handle stays valid until freed.
///
/// # Safety
/// `session` is a live session.
#[no_mangle]
pub unsafe extern "C" fn das_session_close_nonblocking(session: *const das_session) -> das_result {
    ffi_boundary!({
        session!(session).close_nonblocking();
        Ok(())
    })
}

/// Closes (if needed, waiting for the disconnect like `das_session_close`) and releases a
/// session. NULL is ignored; a pointer that is not a live
/// session is ignored and recorded as the last error. Events already taken stay valid.
///
/// Ownership: takes ownership of `session`; its event descriptor and lent strings become
/// invalid.
///
/// # Safety
/// Every other call on `session` must have returned.
#[no_mangle]
pub unsafe extern "C" fn das_session_free(session: *mut das_session) {
    ffi_boundary!({
        // SAFETY: the caller guarantees no concurrent use.
        unsafe { handle::free(session, "session") }
    })
}
