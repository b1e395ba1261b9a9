//! One module per `das` subcommand (each exposes an async `run`); `service` resolves where
//! sessions connect, `stop` waits for Ctrl-C or SIGTERM.

pub mod audiohook;
pub mod emulator;
pub mod service;
pub mod session;
mod stop;
pub mod trd;
mod trd_jobs;
mod trd_transcribe;
pub mod webhook;
