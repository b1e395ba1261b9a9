//! The `das` command.

mod args;
mod args_tools;
mod commands;
mod exit;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
use exit::{CliError, Exit, OrExit};

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DAS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("das: {error}");
            error.code()
        }
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    let runtime = tokio::runtime::Runtime::new().or_exit(Exit::Failure, "tokio runtime")?;
    runtime.block_on(async move {
        match cli.command {
            Command::Webhook(cmd) => commands::webhook::run(cmd).await,
            Command::Trd(cmd) => commands::trd::run(cmd).await,
            Command::Audiohook(cmd) => commands::audiohook::run(cmd).await,
        }
    })
}
