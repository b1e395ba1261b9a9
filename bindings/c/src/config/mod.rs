//! The session configuration builder: the core's session settings behind a `das_config`
//! handle, and the `das_config_*` C functions that fill them.

mod ffi;
mod model;

pub use ffi::das_config;
pub use model::{DasConfig, MAX_TIMEOUT_MS};
