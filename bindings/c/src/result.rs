//! `das_result`: the status code every fallible C function returns.

use std::ffi::c_char;

/// Status code returned by every fallible `das_*` function.
///
/// Codes are grouped by hundreds and never renumbered or reused: 0 success, 1xx argument errors,
/// 2xx state, 3xx network and protocol, 4xx data, 9xx internal failures. Treat unknown codes as
/// errors of their group. `das_last_error_message()` gives the detailed message of the failure.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(non_camel_case_types)]
pub enum das_result {
    /// Success.
    Ok = 0,
    /// A required pointer argument was NULL.
    NullArgument = 100,
    /// A string argument was not valid UTF-8.
    InvalidUtf8 = 101,
    /// An integer argument is not a value of the named enum.
    InvalidEnum = 102,
    /// The output buffer is too small; the needed size was reported.
    BufferTooSmall = 103,
    /// A numeric argument or a length is outside its allowed range.
    OutOfRange = 104,
    /// A handle argument is not a live object of the expected type (already freed?).
    InvalidHandle = 105,
    /// The object is not ready for this call yet (for example, a required setting is missing).
    NotReady = 200,
    /// The call would block; retry later.
    WouldBlock = 201,
    /// The wait ended without a result.
    Timeout = 202,
    /// The object is closed.
    Closed = 203,
    /// The operation was already started.
    AlreadyStarted = 204,
    /// An I/O error.
    Io = 300,
    /// A TLS error.
    Tls = 301,
    /// The peer broke the protocol.
    Protocol = 302,
    /// Authentication failed (token request refused, expired token, bad signature).
    Auth = 303,
    /// The connection was refused.
    ConnectRefused = 304,
    /// The service stayed busy or rate-limited (HTTP 429/503) through every retry, or TRD's
    /// server or gateway failed at its end (500/502/504): worth a later try.
    Busy = 305,
    /// The service refused the request: invalid (HTTP 400/422), media too long or quota
    /// exceeded (413); the message carries the server's detail.
    Rejected = 306,
    /// A TRD job ended `FAILED`; the message carries its `failure_reason`.
    JobFailed = 307,
    /// The proxy refused the tunnel (HTTP 407: credentials missing or wrong, 403: target not
    /// allowed, 5xx: the proxy could not reach the target; or a SOCKS5 refusal) or broke it;
    /// the message names the proxy (without credentials), the target and the status or
    /// reason. An unreachable proxy is `DAS_RESULT_IO`, a silent one `DAS_RESULT_TIMEOUT`.
    Proxy = 308,
    /// Input data (JSON, URL, header, base64) could not be parsed.
    Parse = 400,
    /// A token is malformed or does not match.
    InvalidToken = 401,
    /// The object has no such field (for example the VAD percentage of a result event, or a
    /// segment without a speaker label).
    NotPresent = 402,
    /// The service has no such object (HTTP 404: an unknown TRD job id).
    NotFound = 403,
    /// Rust code panicked inside the call; the handle involved is now poisoned.
    Panic = 900,
    /// The handle was poisoned by an earlier panic; only `_free` is allowed.
    Poisoned = 901,
    /// An internal error (a bug in libdas).
    Internal = 902,
}

impl das_result {
    /// Every code, in numeric order.
    pub(crate) const ALL: [das_result; 28] = [
        Self::Ok,
        Self::NullArgument,
        Self::InvalidUtf8,
        Self::InvalidEnum,
        Self::BufferTooSmall,
        Self::OutOfRange,
        Self::InvalidHandle,
        Self::NotReady,
        Self::WouldBlock,
        Self::Timeout,
        Self::Closed,
        Self::AlreadyStarted,
        Self::Io,
        Self::Tls,
        Self::Protocol,
        Self::Auth,
        Self::ConnectRefused,
        Self::Busy,
        Self::Rejected,
        Self::JobFailed,
        Self::Proxy,
        Self::Parse,
        Self::InvalidToken,
        Self::NotPresent,
        Self::NotFound,
        Self::Panic,
        Self::Poisoned,
        Self::Internal,
    ];

    /// The constant's name as it appears in `das.h`, NUL-terminated.
    pub const fn name_with_nul(self) -> &'static str {
        match self {
            Self::Ok => "DAS_RESULT_OK\0",
            Self::NullArgument => "DAS_RESULT_NULL_ARGUMENT\0",
            Self::InvalidUtf8 => "DAS_RESULT_INVALID_UTF8\0",
            Self::InvalidEnum => "DAS_RESULT_INVALID_ENUM\0",
            Self::BufferTooSmall => "DAS_RESULT_BUFFER_TOO_SMALL\0",
            Self::OutOfRange => "DAS_RESULT_OUT_OF_RANGE\0",
            Self::InvalidHandle => "DAS_RESULT_INVALID_HANDLE\0",
            Self::NotReady => "DAS_RESULT_NOT_READY\0",
            Self::WouldBlock => "DAS_RESULT_WOULD_BLOCK\0",
            Self::Timeout => "DAS_RESULT_TIMEOUT\0",
            Self::Closed => "DAS_RESULT_CLOSED\0",
            Self::AlreadyStarted => "DAS_RESULT_ALREADY_STARTED\0",
            Self::Io => "DAS_RESULT_IO\0",
            Self::Tls => "DAS_RESULT_TLS\0",
            Self::Protocol => "DAS_RESULT_PROTOCOL\0",
            Self::Auth => "DAS_RESULT_AUTH\0",
            Self::ConnectRefused => "DAS_RESULT_CONNECT_REFUSED\0",
            Self::Busy => "DAS_RESULT_BUSY\0",
            Self::Rejected => "DAS_RESULT_REJECTED\0",
            Self::JobFailed => "DAS_RESULT_JOB_FAILED\0",
            Self::Proxy => "DAS_RESULT_PROXY\0",
            Self::Parse => "DAS_RESULT_PARSE\0",
            Self::InvalidToken => "DAS_RESULT_INVALID_TOKEN\0",
            Self::NotPresent => "DAS_RESULT_NOT_PRESENT\0",
            Self::NotFound => "DAS_RESULT_NOT_FOUND\0",
            Self::Panic => "DAS_RESULT_PANIC\0",
            Self::Poisoned => "DAS_RESULT_POISONED\0",
            Self::Internal => "DAS_RESULT_INTERNAL\0",
        }
    }

    /// The constant's name without the terminating NUL.
    pub fn name(self) -> &'static str {
        self.name_with_nul().trim_end_matches('\0')
    }
}

impl TryFrom<u32> for das_result {
    type Error = u32;

    fn try_from(code: u32) -> Result<Self, u32> {
        Self::ALL
            .into_iter()
            .find(|known| *known as u32 == code)
            .ok_or(code)
    }
}

const UNKNOWN_RESULT: &str = "DAS_RESULT_UNKNOWN\0";

/// The name of a result code, e.g. `"DAS_RESULT_NULL_ARGUMENT"`, or `"DAS_RESULT_UNKNOWN"`
/// for a number that is not a code.
///
/// Ownership: the returned string is static; never free it. Never returns NULL.
#[no_mangle]
pub extern "C" fn das_result_name(code: u32) -> *const c_char {
    crate::ffi_boundary!(keep_last_error, {
        let name = das_result::try_from(code).map_or(UNKNOWN_RESULT, das_result::name_with_nul);
        Ok(name.as_ptr().cast())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_its_number() {
        for code in das_result::ALL {
            assert_eq!(das_result::try_from(code as u32), Ok(code));
        }
        assert_eq!(das_result::try_from(7), Err(7));
    }

    #[test]
    fn names_follow_the_header_spelling() {
        for code in das_result::ALL {
            assert!(code.name().starts_with("DAS_RESULT_"), "{code:?}");
            assert!(!code.name().contains('\0'));
        }
        assert_eq!(das_result::Panic.name(), "DAS_RESULT_PANIC");
    }
}
