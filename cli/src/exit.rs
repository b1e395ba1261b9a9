//! Exit codes of `das`, stable for scripts:
//! 0 success, 1 unexpected failure, 2 usage, 3 authentication refused, 4 network or
//! signalling failure, 5 the service's answer was negative (registration rejected,
//! verification rejected, result-failure or error event), 6 unusable input file, 7 the proxy
//! refused the tunnel (HTTP 407, 403, 5xx, or a SOCKS5 refusal; an unreachable proxy is 4).

use std::fmt;
use std::process::ExitCode;

use das::channel::ChannelErrorKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Failure = 1,
    Usage = 2,
    Auth = 3,
    Network = 4,
    Rejected = 5,
    Input = 6,
    Proxy = 7,
}

impl Exit {
    /// The exit code of an audio channel's failure, by the class the library gives it.
    pub fn of_channel(kind: ChannelErrorKind) -> Exit {
        match kind {
            ChannelErrorKind::Auth => Exit::Auth,
            ChannelErrorKind::Proxy => Exit::Proxy,
            ChannelErrorKind::Network | ChannelErrorKind::Tls => Exit::Network,
            ChannelErrorKind::Rejected => Exit::Rejected,
            ChannelErrorKind::Config => Exit::Usage,
            ChannelErrorKind::Protocol => Exit::Failure,
        }
    }
}

/// An error that ends the command with a message on stderr and its exit code.
#[derive(Debug)]
pub struct CliError {
    pub exit: Exit,
    pub message: String,
}

impl CliError {
    pub fn new(exit: Exit, message: impl fmt::Display) -> Self {
        Self {
            exit,
            message: message.to_string(),
        }
    }

    pub fn code(&self) -> ExitCode {
        ExitCode::from(self.exit as u8)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Shorthand for attaching an exit code to any error.
pub trait OrExit<T> {
    fn or_exit(self, exit: Exit, context: &str) -> Result<T, CliError>;
}

impl<T, E: fmt::Display> OrExit<T> for Result<T, E> {
    fn or_exit(self, exit: Exit, context: &str) -> Result<T, CliError> {
        self.map_err(|e| CliError::new(exit, format!("{context}: {e}")))
    }
}
