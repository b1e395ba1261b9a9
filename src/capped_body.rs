//! Reading an HTTP response body whole, but never more than a limit: a server that answers
//! with an endless or enormous body gets a clear error instead of the client's memory.

use bytes::{Bytes, BytesMut};

/// Why a body was not read.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// The body is longer than the limit; reading stopped there.
    TooLarge {
        limit: usize,
    },
    Http(reqwest::Error),
}

impl BodyError {
    /// The error in words, for the callers' own error types.
    pub(crate) fn describe(&self) -> String {
        match self {
            BodyError::TooLarge { limit } => format!("response body larger than {limit} bytes"),
            BodyError::Http(error) => error.to_string(),
        }
    }
}

/// The body of `response`, at most `limit` bytes.
pub(crate) async fn read_capped(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Bytes, BodyError> {
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(BodyError::TooLarge { limit });
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Http)? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
