//! The exported `das_event_*` functions.

use std::ffi::c_char;

use super::value::{das_event_kind, das_verdict, EventValue, NumberField, TextField};
use crate::boundary::FfiReturn;
use crate::error::Error;
use crate::ffi_boundary;
use crate::handle::{self, OpaqueHandle};
use crate::out::{self, lend, lend_bytes};
use crate::result::das_result;

/// One session event, taken with `das_session_poll_event`. Immutable: several threads may
/// read it at once; release it once with `das_event_free`.
#[allow(non_camel_case_types)]
pub struct das_event {
    _private: [u8; 0],
}

// SAFETY: `das_event` is a zero-sized marker that is never constructed.
unsafe impl OpaqueHandle for das_event {
    type Rust = EventValue;
    const NAME: &'static str = "das_event";
}

impl FfiReturn for das_event_kind {
    type Success = das_event_kind;
    fn success(value: das_event_kind) -> Self {
        value
    }
    fn failure(_: das_result) -> Self {
        das_event_kind::Invalid
    }
}

macro_rules! event {
    ($event:ident) => {
        // SAFETY: the caller upholds the handle contract (no concurrent free).
        unsafe { handle::borrow_shared($event, "event") }?
    };
}

/// The shared body of the getters that write one value: check `out`, then write what `read`
/// takes from the event.
///
/// # Safety
/// `event` is a live event or NULL; `out` is writable or NULL.
unsafe fn write_field<T>(
    event: *const das_event,
    out: *mut T,
    argument: &str,
    read: impl FnOnce(&EventValue) -> Result<T, Error>,
) -> Result<(), Error> {
    out::require(out, argument)?;
    let event = event!(event);
    let value = read(&event)?;
    // SAFETY: the caller upholds the out-parameter contract.
    unsafe { out::write(out, value, argument) }
}

/// The shared body of the number getters.
///
/// # Safety
/// `event` is a live event or NULL; `value` is writable or NULL.
unsafe fn write_number(
    event: *const das_event,
    field: NumberField,
    value: *mut f64,
) -> Result<(), Error> {
    // SAFETY: the caller upholds the handle and out-parameter contracts.
    unsafe { write_field(event, value, "value", |event| event.number(field)) }
}

/// The shared body of the text getters: check the out-parameters, then lend the field.
///
/// # Safety
/// `event` is a live event or NULL; `text` and `len` are writable or NULL.
unsafe fn lend_text(
    event: *const das_event,
    field: TextField,
    text: *mut *const c_char,
    len: *mut usize,
) -> Result<(), Error> {
    out::require(text, "text")?;
    out::require(len, "len")?;
    let event = event!(event);
    // SAFETY: the caller upholds the out-parameter contract.
    unsafe { lend(event.text(field)?, text, len) }
}

/// The kind of `event`; `DAS_EVENT_KIND_INVALID` (with the last error set) for NULL or a
/// pointer that is not a live event.
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `event` is NULL or a pointer obtained from `das_session_poll_event`.
#[no_mangle]
pub unsafe extern "C" fn das_event_get_kind(event: *const das_event) -> das_event_kind {
    ffi_boundary!({ Ok(event!(event).kind()) })
}

/// Whether no result can follow `event`, so an event loop should stop and close the session:
/// `result-success`, `result-failure`, `error`, `disconnected`, `start-failed`, or an
/// `audio-ended` whose channel failed before sending any audio (the service would only reach
/// its audio timeout). `false` for other events, and (with the last error set) for NULL or a
/// pointer that is not a live event.
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `event` is NULL or a pointer obtained from `das_session_poll_event`.
#[no_mangle]
pub unsafe extern "C" fn das_event_is_final(event: *const das_event) -> bool {
    ffi_boundary!({ Ok(event!(event).is_final()) })
}

/// Lends the event name as on the wire (`"info-vad-status"`, ...; for the local events
/// `"disconnected"`, `"audio-ended"`, `"started"` and `"start-failed"`).
///
/// Ownership: `*name` (NUL-terminated) is owned by `event`, valid until `das_event_free`.
///
/// # Safety
/// `event` is a live event; `name` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_event_name(
    event: *const das_event,
    name: *mut *const c_char,
    len: *mut usize,
) -> das_result {
    ffi_boundary!({
        let event = event!(event);
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { lend(event.name(), name, len) }
    })
}

/// Lends the payload as compact JSON with the keys in the sender's order; for documented events
/// it includes `"event": name`. das-Peak sends payloads as JSON strings holding the object; this
/// is that object.
///
/// Ownership: `*json` (NUL-terminated) is owned by `event`, valid until `das_event_free`.
///
/// # Safety
/// `event` is a live event; `json` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_event_json(
    event: *const das_event,
    json: *mut *const c_char,
    len: *mut usize,
) -> das_result {
    ffi_boundary!({
        let event = event!(event);
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { lend(event.json(), json, len) }
    })
}

/// `audio_seconds` of an `info-vad-status` event: seconds of audio received so far.
///
/// `DAS_RESULT_NOT_PRESENT` for other kinds or when the service omitted the field; nothing is
/// written then.
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `event` is a live event; `value` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_event_audio_seconds(
    event: *const das_event,
    value: *mut f64,
) -> das_result {
    // SAFETY: the caller upholds the handle and out-parameter contracts.
    ffi_boundary!({ unsafe { write_number(event, NumberField::AudioSeconds, value) } })
}
/// `vad_percentage` of an `info-vad-status` event: share of voice in the audio, 0-100.
///
/// `DAS_RESULT_NOT_PRESENT` for other kinds or when the service omitted the field; nothing is
/// written then.
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `event` is a live event; `value` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_event_vad_percentage(
    event: *const das_event,
    value: *mut f64,
) -> das_result {
    // SAFETY: the caller upholds the handle and out-parameter contracts.
    ffi_boundary!({ unsafe { write_number(event, NumberField::VadPercentage, value) } })
}
/// `authenticity` of a `result-success` event, 0-1.
///
/// `DAS_RESULT_NOT_PRESENT` for other kinds or when the service omitted the field; nothing is
/// written then.
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `event` is a live event; `value` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_event_authenticity(
    event: *const das_event,
    value: *mut f64,
) -> das_result {
    // SAFETY: the caller upholds the handle and out-parameter contracts.
    ffi_boundary!({ unsafe { write_number(event, NumberField::Authenticity, value) } })
}
/// `voice_audio_collected` of a `result-success` event, in seconds.
///
/// `DAS_RESULT_NOT_PRESENT` for other kinds or when the service omitted the field; nothing is
/// written then.
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `event` is a live event; `value` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_event_voice_audio_collected(
    event: *const das_event,
    value: *mut f64,
) -> das_result {
    // SAFETY: the caller upholds the handle and out-parameter contracts.
    ffi_boundary!({ unsafe { write_number(event, NumberField::VoiceAudioCollected, value) } })
}
/// `score` of a `result-success` event: the similarity a verification reports (the
/// public documentation only shows registration, so it is read when present).
///
/// `DAS_RESULT_NOT_PRESENT` for other kinds or when the service omitted the field; nothing is
/// written then.
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `event` is a live event; `value` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_event_score(event: *const das_event, value: *mut f64) -> das_result {
    // SAFETY: the caller upholds the handle and out-parameter contracts.
    ffi_boundary!({ unsafe { write_number(event, NumberField::Score, value) } })
}

/// `threshold` of a `result-success` event: what `score` is compared with (the payload's
/// `score_threshold`, else the one set with `das_config_set_score_threshold`).
///
/// `DAS_RESULT_NOT_PRESENT` for other kinds or when neither says; nothing is written then.
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `event` is a live event; `value` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_event_threshold(
    event: *const das_event,
    value: *mut f64,
) -> das_result {
    // SAFETY: the caller upholds the handle and out-parameter contracts.
    ffi_boundary!({ unsafe { write_number(event, NumberField::Threshold, value) } })
}

/// Writes the verdict of a `result-success` event (`DAS_VERDICT_ACCEPTED`, `_REJECTED` or
/// `_UNKNOWN`; the rule is in docs/das-peak.md). `DAS_RESULT_NOT_PRESENT` for other kinds.
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `event` is a live event; `verdict` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_event_verdict(
    event: *const das_event,
    verdict: *mut das_verdict,
) -> das_result {
    // SAFETY: the caller upholds the handle and out-parameter contracts.
    ffi_boundary!({ unsafe { write_field(event, verdict, "verdict", EventValue::verdict) } })
}

/// Lends the audio a `result-success` carries (its second argument, binary or base64 text, or
/// its `collected_audio` field; see docs/das-peak.md), in the session's codec and rate.
///
/// `DAS_RESULT_NOT_PRESENT` for other kinds or when the result carries none.
///
/// Ownership: `*data` (`*len` bytes) is owned by `event`, valid until `das_event_free`.
///
/// # Safety
/// `event` is a live event; `data` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_event_collected_audio(
    event: *const das_event,
    data: *mut *const u8,
    len: *mut usize,
) -> das_result {
    ffi_boundary!({
        out::require(data, "data")?;
        out::require(len, "len")?;
        let event = event!(event);
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { lend_bytes(event.collected_audio()?, data, len) }
    })
}

/// Writes how many Socket.IO arguments the server sent with the event (0 for the local
/// events: `disconnected`, `audio-ended`, `started`, `start-failed`).
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `event` is a live event; `count` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_event_argument_count(
    event: *const das_event,
    count: *mut usize,
) -> das_result {
    ffi_boundary!({
        out::require(count, "count")?;
        let value = event!(event).argument_count();
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { out::write(count, value, "count") }
    })
}

/// Lends argument `index` (from 0) as compact JSON text, exactly as sent (das-Peak's payload
/// is a JSON string, so its text is a quoted string; `das_event_json` is it decoded).
///
/// `DAS_RESULT_OUT_OF_RANGE` past the last argument; `DAS_RESULT_NOT_PRESENT` for a binary
/// argument (read it with `das_event_argument_bytes`).
///
/// Ownership: `*json` (NUL-terminated) is owned by `event`, valid until `das_event_free`.
///
/// # Safety
/// `event` is a live event; `json` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_event_argument_json(
    event: *const das_event,
    index: usize,
    json: *mut *const c_char,
    len: *mut usize,
) -> das_result {
    ffi_boundary!({
        out::require(json, "json")?;
        out::require(len, "len")?;
        let event = event!(event);
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { lend(event.argument_json(index)?, json, len) }
    })
}

/// Lends argument `index` (from 0) when it is binary (a Socket.IO attachment).
///
/// `DAS_RESULT_OUT_OF_RANGE` past the last argument; `DAS_RESULT_NOT_PRESENT` for a JSON
/// argument (read it with `das_event_argument_json`).
///
/// Ownership: `*data` (`*len` bytes) is owned by `event`, valid until `das_event_free`.
///
/// # Safety
/// `event` is a live event; `data` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_event_argument_bytes(
    event: *const das_event,
    index: usize,
    data: *mut *const u8,
    len: *mut usize,
) -> das_result {
    ffi_boundary!({
        out::require(data, "data")?;
        out::require(len, "len")?;
        let event = event!(event);
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { lend_bytes(event.argument_bytes(index)?, data, len) }
    })
}

/// Lends attachment `num` (from 0): the bytes each `{"_placeholder":true,"num":num}` inside the
/// payload (`das_event_json`) or an argument's JSON text stands for. Servers written with
/// python-socketio or socketioxide send binary data nested in an object this way; a binary
/// argument of its own is read with `das_event_argument_bytes` instead.
///
/// `DAS_RESULT_NOT_PRESENT` when no placeholder is nested in the event or `num` is past the
/// last attachment.
///
/// Ownership: `*data` (`*len` bytes) is owned by `event`, valid until `das_event_free`.
///
/// # Safety
/// `event` is a live event; `data` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_event_attachment(
    event: *const das_event,
    num: usize,
    data: *mut *const u8,
    len: *mut usize,
) -> das_result {
    ffi_boundary!({
        out::require(data, "data")?;
        out::require(len, "len")?;
        let event = event!(event);
        // SAFETY: the caller upholds the out-parameter contract.
        unsafe { lend_bytes(event.attachment(num)?, data, len) }
    })
}

/// `content` of a `result-success`, `result-failure` or `error` event (e.g.
/// `"Registration: approved"`).
///
/// `DAS_RESULT_NOT_PRESENT` for other kinds or when the service omitted the field.
///
/// Ownership: `*text` (NUL-terminated) is owned by `event`, valid until `das_event_free`.
///
/// # Safety
/// `event` is a live event; `text` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_event_content(
    event: *const das_event,
    text: *mut *const c_char,
    len: *mut usize,
) -> das_result {
    // SAFETY: the caller upholds the handle and out-parameter contracts.
    ffi_boundary!({ unsafe { lend_text(event, TextField::Content, text, len) } })
}
/// `credential` of a `result-success` event: the voice credential to store after a
/// registration. It is a secret: never log it.
///
/// `DAS_RESULT_NOT_PRESENT` for other kinds or when the service omitted the field.
///
/// Ownership: `*text` (NUL-terminated) is owned by `event`, valid until `das_event_free`.
///
/// # Safety
/// `event` is a live event; `text` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_event_credential(
    event: *const das_event,
    text: *mut *const c_char,
    len: *mut usize,
) -> das_result {
    // SAFETY: the caller upholds the handle and out-parameter contracts.
    ffi_boundary!({ unsafe { lend_text(event, TextField::Credential, text, len) } })
}
/// `reason` of a `result-failure` event, why a `disconnected` event ended the session, or how
/// the audio ended (`audio-ended`: `finished`, `consumer-closed` or `error`).
///
/// `DAS_RESULT_NOT_PRESENT` for other kinds or when the service omitted the field.
///
/// Ownership: `*text` (NUL-terminated) is owned by `event`, valid until `das_event_free`.
///
/// # Safety
/// `event` is a live event; `text` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_event_reason(
    event: *const das_event,
    text: *mut *const c_char,
    len: *mut usize,
) -> das_result {
    // SAFETY: the caller upholds the handle and out-parameter contracts.
    ffi_boundary!({ unsafe { lend_text(event, TextField::Reason, text, len) } })
}
/// `message` of an `error` event, the cause of an `audio-ended` event whose reason is
/// `error`, or why a `start-failed` event's start failed.
///
/// `DAS_RESULT_NOT_PRESENT` for other kinds or when the service omitted the field.
///
/// Ownership: `*text` (NUL-terminated) is owned by `event`, valid until `das_event_free`.
///
/// # Safety
/// `event` is a live event; `text` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn das_event_message(
    event: *const das_event,
    text: *mut *const c_char,
    len: *mut usize,
) -> das_result {
    // SAFETY: the caller upholds the handle and out-parameter contracts.
    ffi_boundary!({ unsafe { lend_text(event, TextField::Message, text, len) } })
}

/// Writes whether a `disconnected` event came before any `result-*` (the session is lost; the
/// service keeps no state to resume). `DAS_RESULT_NOT_PRESENT` for other kinds.
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `event` is a live event; `before_result` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_event_before_result(
    event: *const das_event,
    before_result: *mut bool,
) -> das_result {
    let read = EventValue::before_result;
    // SAFETY: the caller upholds the handle and out-parameter contracts.
    ffi_boundary!({ unsafe { write_field(event, before_result, "before_result", read) } })
}

/// Writes the result code of a `DAS_EVENT_KIND_START_FAILED` event: what `das_session_start`
/// would have returned (`DAS_RESULT_AUTH` for refused credentials, `DAS_RESULT_TIMEOUT`, ...;
/// `das_event_message` says why). `DAS_RESULT_NOT_PRESENT` for other kinds.
///
/// Ownership: nothing is allocated or transferred.
///
/// # Safety
/// `event` is a live event; `result` is writable.
#[no_mangle]
pub unsafe extern "C" fn das_event_start_result(
    event: *const das_event,
    result: *mut das_result,
) -> das_result {
    // SAFETY: the caller upholds the handle and out-parameter contracts.
    ffi_boundary!({ unsafe { write_field(event, result, "result", EventValue::start_result) } })
}

/// Releases an event. NULL is ignored; a pointer that is not a live event is ignored and
/// recorded as the last error.
///
/// Ownership: takes ownership of `event`; strings lent from it become invalid.
///
/// # Safety
/// No other thread may be using `event`.
#[no_mangle]
pub unsafe extern "C" fn das_event_free(event: *mut das_event) {
    ffi_boundary!({
        // SAFETY: the caller guarantees exclusive use.
        unsafe { handle::free(event, "event") }
    })
}
