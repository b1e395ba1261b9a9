//! One module per `das` subcommand (each exposes an async `run`); `service` resolves where
//! sessions connect, `stop` waits for Ctrl-C or SIGTERM; `credential` and `verify_command`
//! are what a registration leaves behind.

pub mod audiohook;
mod collected_audio;
mod credential;
pub mod emulator;
pub mod service;
pub mod session;
mod stop;
pub mod trd;
mod trd_jobs;
mod trd_transcribe;
pub mod verify_command;
pub mod webhook;
