//! `das audiohook`: a Genesys-like client simulator (`send`) and a recording server (`serve`).

mod percentile;
mod record;
mod send;
mod serve;
mod source;

use crate::args_tools::AudiohookCommand;
use crate::exit::CliError;

pub async fn run(cmd: AudiohookCommand) -> Result<(), CliError> {
    match cmd {
        AudiohookCommand::Send(args) => send::run(args).await,
        AudiohookCommand::Serve(args) => serve::run(args).await,
    }
}
