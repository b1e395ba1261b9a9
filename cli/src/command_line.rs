//! What a `das` command line runs, read before clap parses it: the config file and the
//! environment must be settled first, and clap's own parse stops at the first error (a missing
//! option the file supplies, or a conflict with a variable this is here to set aside).

use std::ffi::OsString;

use clap::{Arg, Command};

/// Whether `arg` or `other` declares a conflict with the other in `command`.
pub fn conflicts(command: &Command, arg: &Arg, other: &Arg) -> bool {
    let declared = |a: &Arg, b: &Arg| {
        command
            .get_arg_conflicts_with(a)
            .iter()
            .any(|conflicting| conflicting.get_id() == b.get_id())
    };
    declared(arg, other) || declared(other, arg)
}

/// The subcommand `raw` (the arguments, the program's name first) runs, as clap finds it from
/// the words that name one, and the ids of the options on the command line (clap's `help`
/// subcommand, as in `das help trd whoami`, counts as `--help`). `cli` must be built
/// (`Command::build`), so that every subcommand has the global options and `help`.
pub fn running<'a>(cli: &'a Command, raw: &[OsString]) -> (&'a Command, Vec<&'a str>) {
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
            if sub.get_name() == "help" {
                given.push("help");
            }
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
}
