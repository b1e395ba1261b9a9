//! OAuth2 client-credentials: the token endpoint and the store of issued tokens that the
//! Socket.IO connect middleware checks.

mod endpoint;
mod tokens;

pub(crate) use endpoint::token_endpoint;
pub(crate) use tokens::{TokenRejection, TokenStore};
