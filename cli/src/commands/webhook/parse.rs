//! `das webhook parse FILE`: the summary, or normalised JSON with `--json`.

use std::path::Path;

use das::trd::parse_webhook;

use super::summary::summary;
use crate::exit::{CliError, Exit, OrExit};
use crate::stdio::{out, outln};

/// What `--json` prints in place of the document's `token`.
const REDACTED: &str = "<redacted>";

pub fn run(file: &Path, json: bool) -> Result<(), CliError> {
    let context = file.display().to_string();
    let body = std::fs::read(file).or_exit(Exit::Input, &context)?;
    let mut result = parse_webhook(&body).or_exit(Exit::Input, &context)?;
    // The webhook's token authenticates TRD's deliveries: a secret, never printed.
    if let Some(token) = result.token.as_mut() {
        *token = REDACTED.into();
    }
    if json {
        outln!("{}", result.to_json_pretty());
    } else {
        out!("{}", summary(&result));
    }
    Ok(())
}
