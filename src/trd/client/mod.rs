//! Client for TRD's webhook endpoints (`webhook/whoami`, `webhook/validate`) with Bearer tokens
//! that are static or obtained from the CPqD license server, and a one-call webhook setup.

mod auth;
mod error;
mod http;
#[cfg(feature = "receiver")]
mod setup;

pub use auth::{license_server_token, Credentials};
pub use error::TrdError;
pub use http::{TrdClient, TrdClientBuilder, ValidateOptions};
