//! Flags win over the environment (and the config file, which fills it), also where options
//! conflict: clap counts an option set by its variable as given, so `DAS_TRD_TOKEN` in the
//! environment and `--license-url` on the command line would be refused together. The
//! variables of options that conflict with a flag the user typed are set aside instead.

use std::ffi::OsString;

use clap::{Arg, Command};

use crate::command_line::{conflicts, running};

/// The variables to ignore for `raw` (the arguments, the program's name first): those of the
/// options not on the command line that conflict with one that is. `cli` is built
/// (`Command::build`).
pub fn overridden(raw: &[OsString], cli: &Command) -> Vec<String> {
    let (command, given) = running(cli, raw);
    let typed: Vec<&Arg> = command
        .get_arguments()
        .filter(|arg| given.contains(&arg.get_id().as_str()))
        .collect();
    command
        .get_arguments()
        .filter(|arg| !given.contains(&arg.get_id().as_str()))
        .filter(|arg| typed.iter().any(|flag| conflicts(command, flag, arg)))
        .filter_map(|arg| arg.get_env())
        .map(|variable| variable.to_string_lossy().into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::Cli;
    use clap::CommandFactory;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn only_variables_of_options_conflicting_with_a_typed_flag_are_set_aside() {
        let mut cli = Cli::command();
        cli.build();
        let overridden = |list: &[&str]| overridden(&args(list), &cli);
        let license = overridden(&["das", "trd", "whoami", "--license-url", "http://l/t"]);
        assert_eq!(license, ["DAS_TRD_TOKEN"]);
        // `--username` declares the conflict with `--token`.
        let user = overridden(&["das", "trd", "whoami", "--username", "u"]);
        assert_eq!(user, ["DAS_TRD_TOKEN"]);
        let no_token = overridden(&["das", "webhook", "serve", "--no-token"]);
        assert_eq!(no_token, ["DAS_WEBHOOK_TOKEN"]);
        assert!(overridden(&["das", "trd", "whoami", "--api", "http://h"]).is_empty());
    }
}
