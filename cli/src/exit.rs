//! Exit codes of the `das` command and the error every subcommand returns.

use std::fmt::Display;
use std::process::ExitCode;

/// Why the command failed, as its process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Anything not covered below.
    Failure = 1,
    /// Bad arguments (clap also exits 2).
    Usage = 2,
    /// Credentials refused.
    Auth = 3,
    /// The peer could not be reached or stopped answering.
    Network = 4,
    /// The service answered with a negative result.
    Rejected = 5,
    /// An input file is missing or unusable.
    Input = 6,
}

/// A failure to report on stderr before exiting with `exit`.
#[derive(Debug)]
pub struct CliError {
    pub exit: Exit,
    pub message: String,
}

impl CliError {
    pub fn new(exit: Exit, message: impl Display) -> Self {
        CliError {
            exit,
            message: message.to_string(),
        }
    }

    /// The process exit code.
    pub fn code(&self) -> ExitCode {
        ExitCode::from(self.exit as u8)
    }
}

impl Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Turns any displayable error into a [`CliError`] with a context prefix.
pub trait OrExit<T> {
    fn or_exit(self, exit: Exit, context: &str) -> Result<T, CliError>;
}

impl<T, E: Display> OrExit<T> for Result<T, E> {
    fn or_exit(self, exit: Exit, context: &str) -> Result<T, CliError> {
        self.map_err(|error| CliError::new(exit, format!("{context}: {error}")))
    }
}
