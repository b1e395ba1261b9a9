//! Checks a receiver makes before accepting a delivery: the shared token (constant time) and the
//! consistency of the path `job_id` with the body.

use subtle::ConstantTimeEq;

use super::model::JobResult;

/// Why a delivery is not trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The expected token is empty (an unset setting, most often): a body with `"token": ""`
    /// would match it, so nothing is verified against it.
    #[error("the expected token is empty: nothing can be verified against it")]
    EmptyExpectedToken,
    /// A token is expected but the body has none.
    #[error("the body carries no token")]
    MissingToken,
    /// The body's token differs from the expected one.
    #[error("the body's token does not match")]
    TokenMismatch,
    /// The `job_id` in the URL path is not the body's `job.id`.
    #[error("path job id `{path}` differs from body job.id `{body}`")]
    JobIdMismatch {
        /// The id in the URL path.
        path: String,
        /// The body's `job.id`.
        body: String,
    },
}

/// Compares the body's top-level `token` with `expected` in constant time (for a given length).
pub fn verify_token(result: &JobResult, expected: &str) -> Result<(), VerifyError> {
    check_token(result.token.as_deref(), expected)
}

/// [`verify_token`]'s rule for a token already read from a body (`None` when it has none).
pub fn check_token(given: Option<&str>, expected: &str) -> Result<(), VerifyError> {
    if !is_usable_token(expected) {
        return Err(VerifyError::EmptyExpectedToken);
    }
    let given = given.ok_or(VerifyError::MissingToken)?;
    if tokens_equal(given, expected) {
        Ok(())
    } else {
        Err(VerifyError::TokenMismatch)
    }
}

/// Whether a token can be registered or checked: an empty one (an unset setting, most often)
/// would match a body with `"token": ""`.
pub(crate) fn is_usable_token(token: &str) -> bool {
    !token.is_empty()
}

/// Constant-time string equality (the length itself is not secret). Plain equality: checking a
/// delivery is [`check_token`], which also refuses an empty expected token.
pub fn tokens_equal(given: &str, expected: &str) -> bool {
    bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
}

/// Requires the URL path `job_id` to equal the body's `job.id`.
pub fn verify_job_id(result: &JobResult, path_job_id: &str) -> Result<(), VerifyError> {
    if result.job.id == path_job_id {
        Ok(())
    } else {
        Err(VerifyError::JobIdMismatch {
            path: path_job_id.to_owned(),
            body: result.job.id.clone(),
        })
    }
}
