//! One module per subcommand group; each exposes `run(cmd) -> Result<(), CliError>`.

pub mod audiohook;
mod stop;
pub mod trd;
pub mod webhook;
