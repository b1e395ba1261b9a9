//! `das`: stream call audio to das-Peak Streaming (or the embedded emulator), and the TRD
//! webhook and AudioHook tools around it.

#![forbid(unsafe_code)]
// Output goes through `stdio`: a closed pipe ends the command instead of panicking.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod args;
mod args_tls;
mod args_tools;
mod args_trd;
mod color;
mod command_line;
mod commands;
mod config_file;
mod exit;
mod flags_over_env;
mod listen_host;
mod render;
mod seconds;
mod stdio;
mod terminal_text;

use std::process::ExitCode;

use clap::{ArgMatches, CommandFactory, FromArgMatches};

use args::{Cli, Command};
use commands::verify_command::TypedOptions;
use exit::CliError;
use stdio::errln;

fn main() -> ExitCode {
    let raw: Vec<_> = std::env::args_os().collect();
    // Still single-threaded here, so changing the environment is sound. The variables a typed
    // flag overrides go first, so that they do not keep the file's entries out either.
    let mut before_parse = Cli::command();
    // Gives every subcommand the global options.
    before_parse.build();
    for variable in flags_over_env::overridden(&raw, &before_parse) {
        std::env::remove_var(variable);
    }
    let from_file = match config_file::pending_env(&raw, &before_parse) {
        Ok(pending) => pending,
        Err(error) => return fail(error),
    };
    for (name, value) in &from_file.variables {
        std::env::set_var(name, value);
    }
    // Built again: clap reads each option's variable when the option is built.
    let matches = Cli::command()
        .try_get_matches_from(raw)
        .unwrap_or_else(|error| {
            // clap names the option a bad value is for; say where a value it never saw typed
            // came from.
            if error.use_stderr() && !from_file.variables.is_empty() {
                let _ = error.print();
                errln!("note: {from_file}");
                std::process::exit(error.exit_code());
            }
            error.exit()
        });
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit());
    init_logging(cli.verbose, cli.color.colours(&std::io::stderr()));
    // The readable view and its progress bar are drawn on stdout through `console`.
    console::set_colors_enabled(cli.color.colours(&std::io::stdout()));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return fail(CliError::new(exit::Exit::Failure, error)),
    };
    match runtime.block_on(run(cli.command, &matches)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(error),
    }
}

async fn run(command: Command, matches: &ArgMatches) -> Result<(), CliError> {
    match command {
        Command::Register(args) => {
            let typed = TypedOptions::of_register(matches);
            commands::session::register(args, typed).await
        }
        Command::Verify(args) => commands::session::verify(args).await,
        Command::Emulator(args) => commands::emulator::run(args).await,
        Command::Webhook(cmd) => commands::webhook::run(cmd).await,
        Command::Trd(cmd) => commands::trd::run(cmd).await,
        Command::Audiohook(cmd) => commands::audiohook::run(cmd).await,
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "das", &mut std::io::stdout());
            Ok(())
        }
    }
}

fn fail(error: CliError) -> ExitCode {
    errln!(
        "das: {}",
        terminal_text::clean(&error.message, terminal_text::MESSAGE)
    );
    error.code()
}

/// Logs go to stderr; `-v` shows libdas's info, `-vv` debug; without them `DAS_LOG` (a
/// tracing filter such as `das=debug`, from the environment or a config file) applies, as
/// every flag wins over its variable.
fn init_logging(verbose: u8, colours: bool) {
    let typed = match verbose {
        0 => None,
        1 => Some("info"),
        _ => Some("debug"),
    };
    let filter = match typed {
        Some(level) => tracing_subscriber::EnvFilter::new(level),
        None => tracing_subscriber::EnvFilter::try_from_env("DAS_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colours)
        .init();
}
