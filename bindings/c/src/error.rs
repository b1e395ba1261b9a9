//! The error every boundary closure returns: a `das_result` code plus a detailed message.

use das_core::session::SettingError;

use crate::result::das_result;

/// A failed call: the code returned to C and the message stored for `das_last_error_message`.
///
/// Messages name the argument at fault and never contain secret values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    code: das_result,
    message: String,
}

impl Error {
    /// An error with an explicit code.
    pub fn new(code: das_result, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// The code returned to C.
    pub fn code(&self) -> das_result {
        self.code
    }

    /// The detailed message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// A required pointer argument was NULL.
    pub fn null(argument: &str) -> Self {
        Self::new(
            das_result::NullArgument,
            format!("argument `{argument}` is NULL"),
        )
    }

    /// An integer that is not a value of the named C enum.
    pub fn invalid_enum(argument: &str, enum_name: &str, value: u32) -> Self {
        Self::new(
            das_result::InvalidEnum,
            format!("argument `{argument}`: {value} is not a valid {enum_name}"),
        )
    }

    /// A value outside its allowed range.
    pub fn out_of_range(argument: &str, detail: impl std::fmt::Display) -> Self {
        Self::new(
            das_result::OutOfRange,
            format!("argument `{argument}` out of range: {detail}"),
        )
    }

    /// Input that could not be parsed.
    pub fn parse(argument: &str, detail: impl std::fmt::Display) -> Self {
        Self::new(
            das_result::Parse,
            format!("argument `{argument}` could not be parsed: {detail}"),
        )
    }
}

impl From<SettingError> for Error {
    /// A refusal naming the core's setting; see [`refused`] to name the C argument instead.
    fn from(error: SettingError) -> Self {
        match &error {
            SettingError::Invalid { setting, .. } | SettingError::OutOfRange { setting, .. } => {
                refused(setting)(error)
            }
            SettingError::Missing(_) => Self::new(das_result::NotReady, error.to_string()),
        }
    }
}

/// Maps a refused setting to `DAS_RESULT_PARSE` or `DAS_RESULT_OUT_OF_RANGE` naming the C
/// `argument`; missing settings are `DAS_RESULT_NOT_READY`.
pub fn refused(argument: &str) -> impl FnOnce(SettingError) -> Error + '_ {
    move |error| match error {
        SettingError::Invalid { problem, .. } => Error::parse(argument, problem),
        SettingError::OutOfRange { problem, .. } => Error::out_of_range(argument, problem),
        missing @ SettingError::Missing(_) => Error::new(das_result::NotReady, missing.to_string()),
    }
}
