//! `das webhook parse FILE`: the summary, or normalised JSON with `--json`.

use std::path::Path;

use das::trd::parse_webhook;

use super::summary::summary;
use crate::exit::{CliError, Exit, OrExit};

pub fn run(file: &Path, json: bool) -> Result<(), CliError> {
    let context = file.display().to_string();
    let body = std::fs::read(file).or_exit(Exit::Input, &context)?;
    let result = parse_webhook(&body).or_exit(Exit::Input, &context)?;
    if json {
        println!("{}", result.to_json_pretty());
    } else {
        print!("{}", summary(&result));
    }
    Ok(())
}
