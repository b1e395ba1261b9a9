//! Why a setting was refused, or why settings cannot start a session yet.

/// A refused setting names the setting and says what is wrong; `Missing` lists every setting
/// a session cannot start without. Messages never contain the refused value of a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingError {
    /// A value that cannot be used as given (a bad URL, not base64, not a UUID, ...).
    #[error("`{setting}` is invalid: {problem}")]
    Invalid {
        /// The setting's name (the C argument or Python keyword names follow it).
        setting: &'static str,
        /// What is wrong with the value (never the value of a secret).
        problem: String,
    },
    /// A value outside its allowed range (or empty where text is required).
    #[error("`{setting}` is out of range: {problem}")]
    OutOfRange {
        /// The setting's name (the C argument or Python keyword names follow it).
        setting: &'static str,
        /// What is wrong with the value (never the value of a secret).
        problem: String,
    },
    /// What a session needs and was not given, in a fixed order.
    #[error("configuration incomplete: missing {}", .0.join(", "))]
    Missing(Vec<&'static str>),
}

impl SettingError {
    pub(super) fn invalid(setting: &'static str, problem: impl std::fmt::Display) -> Self {
        Self::Invalid {
            setting,
            problem: problem.to_string(),
        }
    }

    pub(super) fn out_of_range(setting: &'static str, problem: impl std::fmt::Display) -> Self {
        Self::OutOfRange {
            setting,
            problem: problem.to_string(),
        }
    }
}
