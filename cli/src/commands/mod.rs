//! One module per `das` subcommand; `service` resolves where sessions connect.

pub mod emulator;
pub mod service;
pub mod session;
