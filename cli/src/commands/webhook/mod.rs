//! `das webhook`: summarise a TRD result document, or receive results from TRD.

mod parse;
mod serve;
pub(crate) mod summary;

use crate::args_tools::WebhookCommand;
use crate::exit::CliError;

pub async fn run(cmd: WebhookCommand) -> Result<(), CliError> {
    match cmd {
        WebhookCommand::Parse { file, json } => parse::run(&file, json),
        WebhookCommand::Serve(args) => serve::run(args).await,
    }
}
