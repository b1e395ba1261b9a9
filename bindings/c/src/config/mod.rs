//! The session configuration builder: a plain Rust [`DasConfig`] validated at set time, and the
//! `das_config_*` C functions that fill it.

mod ffi;
mod model;
mod secret;

pub use ffi::das_config;
pub use model::{AudioChannel, Auth, DasConfig, Timeouts};
pub use secret::Secret;
