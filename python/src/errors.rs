//! Maps every core error onto the Python exception hierarchy defined in `das/_errors.py`
//! (one class per `das_result` kind), keeping the core's message.

use std::fmt::Display;

use std::path::Path;

use das::audio::wav::WavError;
use das::auth::AuthError;
use das::session::{AudioError, SessionError, SettingError};
use das::socketio::SocketIoError;
use das::trd::{ParseError, ParseErrorKind};
use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::Value;

use crate::convert::to_py;

/// The Python exception classes, by name in `das._errors`.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    InvalidArgument,
    NotReady,
    BadNamespace,
    WouldBlock,
    Timeout,
    Closed,
    AlreadyStarted,
    Connect,
    Io,
    Tls,
    Proxy,
    Protocol,
    Auth,
    Busy,
    Rejected,
    JobFailed,
    NotFound,
    InvalidToken,
    Internal,
}

impl Kind {
    fn class_name(self) -> &'static str {
        match self {
            Self::InvalidArgument => "InvalidArgument",
            Self::NotReady => "NotReady",
            Self::BadNamespace => "BadNamespaceError",
            Self::WouldBlock => "WouldBlock",
            Self::Timeout => "TimeoutError",
            Self::Closed => "Closed",
            Self::AlreadyStarted => "AlreadyStarted",
            Self::Connect => "ConnectError",
            Self::Io => "IoError",
            Self::Tls => "TlsError",
            Self::Proxy => "ProxyError",
            Self::Protocol => "ProtocolError",
            Self::Auth => "AuthError",
            Self::Busy => "BusyError",
            Self::Rejected => "RejectedError",
            Self::JobFailed => "JobFailedError",
            Self::NotFound => "NotFoundError",
            Self::InvalidToken => "InvalidTokenError",
            Self::Internal => "InternalError",
        }
    }
}

/// An instance of `das._errors.<kind>` carrying `message`.
pub fn das_error(kind: Kind, message: impl Display) -> PyErr {
    let message = message.to_string();
    Python::attach(|py| build(py, kind.class_name(), (message.clone(),), None))
        .unwrap_or_else(|e| e)
}

fn build<'py>(
    py: Python<'py>,
    class: &str,
    args: (String,),
    kwargs: Option<&Bound<'py, PyDict>>,
) -> Result<PyErr, PyErr> {
    let class = py.import("das._errors")?.getattr(class)?;
    Ok(PyErr::from_value(class.call(args, kwargs)?))
}

pub fn auth_error(e: AuthError) -> PyErr {
    match e {
        AuthError::Config(_) => das_error(Kind::InvalidArgument, e),
        AuthError::Tls(_) => das_error(Kind::Tls, e),
        AuthError::Proxy(ref p) if p.is_timeout() => das_error(Kind::Timeout, e),
        AuthError::Proxy(_) => das_error(Kind::Proxy, e),
        network if network.is_network() => das_error(Kind::Connect, network),
        other => das_error(Kind::Auth, other),
    }
}

pub fn socketio_error(e: SocketIoError) -> PyErr {
    let kind = match &e {
        SocketIoError::InvalidUrl(_)
        | SocketIoError::InvalidHeader(_)
        | SocketIoError::PayloadTooLarge { .. } => Kind::InvalidArgument,
        SocketIoError::Tls(_) | SocketIoError::Auth(AuthError::Tls(_)) => Kind::Tls,
        SocketIoError::Proxy(e) | SocketIoError::Auth(AuthError::Proxy(e)) if e.is_timeout() => {
            Kind::Timeout
        }
        SocketIoError::Proxy(_) | SocketIoError::Auth(AuthError::Proxy(_)) => Kind::Proxy,
        SocketIoError::Auth(_) => Kind::Auth,
        SocketIoError::HttpStatus { .. }
        | SocketIoError::Transport(_)
        | SocketIoError::Disconnected(_) => Kind::Connect,
        SocketIoError::Timeout(_) | SocketIoError::AckTimeout(_) => Kind::Timeout,
        SocketIoError::ConnectRefused {
            namespace, payload, ..
        } => return refusal_error(&e.to_string(), namespace, payload.as_deref()),
        SocketIoError::Protocol(_) => Kind::Protocol,
        SocketIoError::NotConnected(_) => Kind::BadNamespace,
        SocketIoError::Closed => Kind::Closed,
    };
    das_error(kind, e)
}

/// `ConnectRefused` carrying the refused `namespace` and the server's payload as
/// `error_args`, which `das.Client` hands its `connect_error` handler as python-socketio does.
fn refusal_error(message: &str, namespace: &str, payload: Option<&Value>) -> PyErr {
    Python::attach(|py| {
        let kwargs = PyDict::new(py);
        kwargs.set_item("namespace", namespace)?;
        if let Some(payload) = payload {
            kwargs.set_item("error_args", to_py(py, payload, &[])?)?;
        }
        build(py, "ConnectRefused", (message.to_owned(),), Some(&kwargs))
    })
    .unwrap_or_else(|e| e)
}

/// A refused or missing session setting: `InvalidArgument` naming the Python `keyword`.
pub fn settings_error(keyword: &str, e: SettingError) -> PyErr {
    match e {
        SettingError::Invalid { problem, .. } | SettingError::OutOfRange { problem, .. } => {
            das_error(Kind::InvalidArgument, format!("{keyword}: {problem}"))
        }
        missing @ SettingError::Missing(_) => das_error(Kind::InvalidArgument, missing),
    }
}

pub fn session_error(e: SessionError) -> PyErr {
    match e {
        SessionError::Settings(e) => das_error(Kind::InvalidArgument, e),
        SessionError::Auth(e) => auth_error(e),
        SessionError::Signalling(inner) => socketio_error(inner),
        timeout @ SessionError::Timeout(_) => das_error(Kind::Timeout, timeout),
        cancelled @ SessionError::Cancelled => das_error(Kind::Closed, cancelled),
    }
}

pub fn audio_error(e: AudioError) -> PyErr {
    match e {
        AudioError::WouldBlock { .. } => das_error(Kind::WouldBlock, e),
        AudioError::Ended => das_error(Kind::Closed, e),
        AudioError::TooLarge { .. } => das_error(Kind::InvalidArgument, e),
        AudioError::Wav(_) => das_error(Kind::InvalidArgument, e),
        AudioError::WavFile {
            path,
            errno,
            message,
        } => file_error(errno, message, Some(&path)),
        AudioError::NoChannel => das_error(
            Kind::NotReady,
            "this session has no audio channel: pass audio_url= (or audio_channel=) to the session",
        ),
    }
}

/// A WAV file that cannot be used. One the OS could not open is the built-in `OSError`
/// subclass `open()` raises (`FileNotFoundError`, `PermissionError`, ...) naming `path`;
/// a file that is not usable audio is `InvalidArgument`.
pub fn wav_error(e: WavError, path: &Path) -> PyErr {
    match e {
        WavError::Io(io) => file_error(io.raw_os_error(), io.to_string(), Some(path)),
        other => das_error(Kind::InvalidArgument, other),
    }
}

/// `OSError(errno, strerror[, filename])`, which Python turns into the errno's subclass.
pub fn file_error(errno: Option<i32>, reason: String, path: Option<&Path>) -> PyErr {
    match (errno, path) {
        (Some(errno), Some(path)) => {
            PyOSError::new_err((errno, reason, path.as_os_str().to_owned()))
        }
        (Some(errno), None) => PyOSError::new_err((errno, reason)),
        (None, _) => PyOSError::new_err(reason),
    }
}

/// `das._errors.WebhookParseError` with `path`, `line`, `column` and `kind` attributes.
pub fn parse_error(e: ParseError) -> PyErr {
    Python::attach(|py| {
        let kwargs = PyDict::new(py);
        kwargs.set_item("path", &e.path)?;
        kwargs.set_item("line", e.line)?;
        kwargs.set_item("column", e.column)?;
        let kind = match e.kind {
            ParseErrorKind::Syntax => "syntax",
            ParseErrorKind::Schema => "schema",
            ParseErrorKind::Truncated => "truncated",
        };
        kwargs.set_item("kind", kind)?;
        build(py, "WebhookParseError", (e.to_string(),), Some(&kwargs))
    })
    .unwrap_or_else(|err| err)
}
