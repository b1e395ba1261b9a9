//! The command line: `das <command> ...`.

use clap::{Parser, Subcommand};

use crate::args_tools::{AudiohookCommand, TrdCommand, WebhookCommand};

/// libdas command-line tools: das-Peak Streaming sessions, TRD webhooks and AudioHook.
#[derive(Debug, Parser)]
#[command(name = "das", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// TRD webhook tools: parse a result document, or receive results.
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// TRD service calls: whoami and validate.
    #[command(subcommand)]
    Trd(TrdCommand),
    /// Genesys AudioHook tools: a client simulator and a recording server.
    #[command(subcommand)]
    Audiohook(AudiohookCommand),
}
