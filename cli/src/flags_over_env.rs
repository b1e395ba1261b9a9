//! Flags win over the environment (and the config file, which fills it), also where options
//! conflict: clap counts an option set by its variable as given, so `DAS_TRD_TOKEN` in the
//! environment and `--license-url` on the command line would be refused together. The
//! variables of options that conflict with a flag the user typed are set aside instead.

use std::ffi::OsString;

use clap::{Arg, Command};

/// The variables to ignore for `raw` (the arguments, the program's name first): those of the
/// options not on the command line that conflict with one that is.
pub fn overridden(raw: &[OsString], cli: &Command) -> Vec<String> {
    let mut cli = cli.clone();
    // Gives every subcommand the global options.
    cli.build();
    let (command, given) = running(&cli, raw);
    let typed: Vec<&Arg> = command
        .get_arguments()
        .filter(|arg| given.contains(&arg.get_id().as_str()))
        .collect();
    command
        .get_arguments()
        .filter(|arg| !given.contains(&arg.get_id().as_str()))
        .filter(|arg| {
            typed
                .iter()
                .any(|flag| conflicts(command, flag, arg) || conflicts(command, arg, flag))
        })
        .filter_map(|arg| arg.get_env())
        .map(|variable| variable.to_string_lossy().into_owned())
        .collect()
}

fn conflicts(command: &Command, arg: &Arg, other: &Arg) -> bool {
    command
        .get_arg_conflicts_with(arg)
        .iter()
        .any(|conflicting| conflicting.get_id() == other.get_id())
}

/// The subcommand `raw` runs (the words that name one, as clap finds them), and the ids of the
/// options on the command line. Read by hand: clap's own parse stops at the conflict this is
/// here to avoid.
fn running<'a>(cli: &'a Command, raw: &[OsString]) -> (&'a Command, Vec<&'a str>) {
    let mut command = cli;
    let mut given = Vec::new();
    let mut tokens = raw.iter().skip(1).map(|token| token.to_string_lossy());
    while let Some(token) = tokens.next() {
        if token == "--" {
            break;
        }
        if let Some(long) = token.strip_prefix("--") {
            let (name, inline_value) = long
                .split_once('=')
                .map_or((long, false), |(name, _)| (name, true));
            let found = command.get_arguments().find(|a| a.get_long() == Some(name));
            if let Some(arg) = found {
                given.push(arg.get_id().as_str());
                if !inline_value && arg.get_action().takes_values() {
                    tokens.next();
                }
            }
        } else if let Some(shorts) = token.strip_prefix('-').filter(|s| !s.is_empty()) {
            for (at, short) in shorts.char_indices() {
                let found = command
                    .get_arguments()
                    .find(|a| a.get_short() == Some(short));
                let Some(arg) = found else {
                    continue;
                };
                given.push(arg.get_id().as_str());
                if arg.get_action().takes_values() {
                    // `-xVALUE`, or `-x VALUE`.
                    if at + short.len_utf8() == shorts.len() {
                        tokens.next();
                    }
                    break;
                }
            }
        } else if let Some(sub) = command.find_subcommand(token.as_ref()) {
            command = sub;
        }
    }
    (command, given)
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
    fn the_running_command_and_its_flags_are_found_in_every_spelling() {
        let mut cli = Cli::command();
        cli.build();
        let raw = args(&[
            "das",
            "--color",
            "never",
            "-v",
            "trd",
            "whoami",
            "--api=http://h",
            "--token",
            "t",
            "--",
            "--username",
        ]);
        let (command, given) = running(&cli, &raw);
        assert_eq!(command.get_name(), "whoami");
        for id in ["color", "verbose", "api", "token"] {
            assert!(given.contains(&id), "{id}: {given:?}");
        }
        assert!(!given.contains(&"username"), "after `--`");
    }

    #[test]
    fn only_variables_of_options_conflicting_with_a_typed_flag_are_set_aside() {
        let overridden = |list: &[&str]| overridden(&args(list), &Cli::command());
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
