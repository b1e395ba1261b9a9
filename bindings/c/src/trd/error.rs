//! A [`TrdError`] as a `das_result` and message: the class comes from the core
//! ([`TrdError::kind`]); only the choice of code among the argument errors is made here.

use das_core::trd::{TrdError, TrdErrorKind};

use crate::error::Error;
use crate::result::das_result;

pub(crate) fn trd_error(error: TrdError) -> Error {
    let code = match error.kind() {
        TrdErrorKind::Auth => das_result::Auth,
        TrdErrorKind::Rejected => das_result::Rejected,
        TrdErrorKind::NotFound => das_result::NotFound,
        TrdErrorKind::Busy => das_result::Busy,
        TrdErrorKind::Timeout => das_result::Timeout,
        TrdErrorKind::Network => match error.underlying() {
            TrdError::Http(_) => das_result::Io,
            _ => das_result::ConnectRefused,
        },
        TrdErrorKind::Tls => das_result::Tls,
        TrdErrorKind::Proxy => das_result::Proxy,
        TrdErrorKind::InvalidInput => match error.underlying() {
            TrdError::File { .. } => das_result::Io,
            TrdError::EmptyToken => das_result::InvalidToken,
            TrdError::EmptyFile { .. } | TrdError::EmptyBearer => das_result::OutOfRange,
            _ => das_result::Parse,
        },
        TrdErrorKind::JobFailed => das_result::JobFailed,
        TrdErrorKind::NotReachable | TrdErrorKind::Protocol => das_result::Protocol,
        TrdErrorKind::Receiver => das_result::Io,
    };
    Error::new(code, error.to_string())
}
