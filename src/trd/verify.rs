//! Checks a receiver makes before accepting a delivery: the shared token (constant time) and the
//! consistency of the path `job_id` with the body.

use subtle::ConstantTimeEq;

use super::model::JobResult;

/// Why a delivery is not trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
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
    let token = result.token.as_deref().ok_or(VerifyError::MissingToken)?;
    if tokens_equal(token, expected) {
        Ok(())
    } else {
        Err(VerifyError::TokenMismatch)
    }
}

/// Constant-time string equality (the length itself is not secret).
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
