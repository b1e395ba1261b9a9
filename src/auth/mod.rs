//! OAuth2 client-credentials token provider: fetches, caches and refreshes the access token
//! whose `Authorization` header value the Socket.IO signalling connection sends.

mod error;
mod provider;
mod shared;
mod token;

pub use error::AuthError;
pub use provider::{ClientCredentials, TokenProvider};
pub use token::Token;

pub(crate) use shared::{
    hold as hold_shared_providers, try_hold as try_hold_shared_providers, Held as HeldProviders,
};
