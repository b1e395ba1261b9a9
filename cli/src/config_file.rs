//! `--config FILE`: a TOML table whose keys are long option names (`client-secret = "…"`).
//!
//! Each entry fills in an option of the command being run that neither a flag nor the
//! environment set: through the option's variable when it reads one (so that the precedence
//! stays flags, then environment, then the file), else as an argument. A key that only
//! another `das` command has is left to that command, so one file can serve several; a key
//! that no command has is refused, so that a misspelt option is not ignored in silence.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{ArgAction, Command};

use crate::exit::{CliError, Exit};

/// What the config file adds to one run of `das`.
#[derive(Debug, Default, PartialEq)]
pub struct Defaults {
    /// Variables to set before the arguments are parsed.
    pub env: Vec<(String, String)>,
    /// Arguments to add, for options that read no variable.
    pub args: Vec<OsString>,
}

impl Defaults {
    /// `raw` with the file's arguments added before any `--` (after it, all is positional).
    pub fn added_to(self, mut raw: Vec<OsString>) -> Vec<OsString> {
        let at = raw
            .iter()
            .skip(1)
            .position(|arg| arg == "--")
            .map_or(raw.len(), |i| i + 1);
        raw.splice(at..at, self.args);
        raw
    }
}

/// Finds `--config FILE`/`--config=FILE` in the raw arguments, else `DAS_CONFIG`.
fn config_path(args: &[OsString]) -> Option<PathBuf> {
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let arg = arg.to_string_lossy();
        if arg == "--config" {
            return iter.next().map(PathBuf::from);
        }
        if let Some(path) = arg.strip_prefix("--config=") {
            return Some(PathBuf::from(path));
        }
    }
    std::env::var_os("DAS_CONFIG").map(PathBuf::from)
}

/// Reads the config file, if any, and works out what it adds to `raw` (the arguments, the
/// program's name first) for `cli`. Called before any thread starts, so the caller may set
/// the variables.
pub fn defaults(raw: &[OsString], cli: &Command) -> Result<Defaults, CliError> {
    let Some(path) = config_path(raw) else {
        return Ok(Defaults::default());
    };
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(&path)
        .map_err(|e| CliError::new(Exit::Input, format!("config file {origin}: {e}")))?;
    fill(&parse(&text, &origin)?, raw, cli, &origin)
}

/// The file's entries: each key with its values (one, or a list's for a repeatable option).
fn parse(text: &str, origin: &str) -> Result<Vec<(String, Vec<String>)>, CliError> {
    let table: toml::Table = text
        .parse()
        .map_err(|e| CliError::new(Exit::Input, format!("config file {origin}: {e}")))?;
    table
        .into_iter()
        .map(|(key, value)| {
            let values = match value {
                toml::Value::Array(items) => items.into_iter().map(scalar).collect(),
                value => scalar(value).map(|text| vec![text]),
            };
            let values = values.map_err(|other| {
                CliError::new(
                    Exit::Input,
                    format!(
                        "config file {origin}: {key} must be a string, number, boolean or a list of them, not {other}"
                    ),
                )
            })?;
            Ok((key, values))
        })
        .collect()
}

/// A string, number or boolean as an option's text.
fn scalar(value: toml::Value) -> Result<String, toml::Value> {
    match value {
        toml::Value::String(s) => Ok(s),
        toml::Value::Integer(i) => Ok(i.to_string()),
        toml::Value::Float(f) => Ok(f.to_string()),
        toml::Value::Boolean(b) => Ok(b.to_string()),
        other => Err(other),
    }
}

fn fill(
    entries: &[(String, Vec<String>)],
    raw: &[OsString],
    cli: &Command,
    origin: &str,
) -> Result<Defaults, CliError> {
    let mut cli = cli.clone();
    // Gives every subcommand the global options.
    cli.build();
    let (command, given) = running(&cli, raw);
    let mut defaults = Defaults::default();
    for (key, values) in entries {
        if key == "config" {
            return Err(usage(origin, "config cannot name another config file"));
        }
        let Some(arg) = command.get_arguments().find(|a| a.get_long() == Some(key)) else {
            if has_option(&cli, key) {
                continue;
            }
            return Err(usage(origin, format!("--{key} is not an option of das")));
        };
        let in_env = arg
            .get_env()
            .is_some_and(|variable| std::env::var_os(variable).is_some());
        if in_env || given.contains(&arg.get_id().as_str()) {
            continue;
        }
        let action = arg.get_action();
        let text = match values.as_slice() {
            [text] => text,
            _ if matches!(action, ArgAction::Append) && arg.get_env().is_none() => {
                for text in values {
                    defaults.args.push(format!("--{key}={text}").into());
                }
                continue;
            }
            _ => return Err(usage(origin, format!("{key} takes one value, not a list"))),
        };
        if let Some(variable) = arg.get_env() {
            let variable = variable.to_string_lossy().into_owned();
            defaults.env.push((variable, text.clone()));
            continue;
        }
        if !matches!(
            action,
            ArgAction::SetTrue | ArgAction::SetFalse | ArgAction::Count
        ) {
            defaults.args.push(format!("--{key}={text}").into());
            continue;
        }
        let times = match text.as_str() {
            "true" => 1,
            "false" => 0,
            count if matches!(action, ArgAction::Count) => count
                .parse()
                .map_err(|_| usage(origin, format!("{key} is a count: a number")))?,
            _ => return Err(usage(origin, format!("{key} is a flag: true or false"))),
        };
        (0..times).for_each(|_: u32| defaults.args.push(format!("--{key}").into()));
    }
    Ok(defaults)
}

/// The subcommand `raw` runs (as clap will find it: the words that name one), and the ids of
/// the options given on the command line. Read by hand because clap stops at the first error,
/// such as an option the file is there to supply.
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
                .map_or((long, false), |(n, _)| (n, true));
            if let Some(arg) = command.get_arguments().find(|a| a.get_long() == Some(name)) {
                given.push(arg.get_id().as_str());
                if !inline_value && arg.get_action().takes_values() {
                    tokens.next();
                }
            }
        } else if let Some(shorts) = token.strip_prefix('-').filter(|s| !s.is_empty()) {
            for (at, short) in shorts.char_indices() {
                let Some(arg) = command
                    .get_arguments()
                    .find(|a| a.get_short() == Some(short))
                else {
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

/// Whether `command` or any of its subcommands has the long option `--key`.
fn has_option(command: &Command, key: &str) -> bool {
    command.get_arguments().any(|a| a.get_long() == Some(key))
        || command.get_subcommands().any(|sub| has_option(sub, key))
}

fn usage(origin: &str, message: impl std::fmt::Display) -> CliError {
    CliError::new(Exit::Usage, format!("config file {origin}: {message}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::Cli;
    use clap::CommandFactory;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    fn filled(file: &str, list: &[&str]) -> Result<Defaults, CliError> {
        fill(
            &parse(file, "t.toml")?,
            &args(list),
            &Cli::command(),
            "t.toml",
        )
    }

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn options_that_read_a_variable_are_filled_through_it() {
        // `das trd`'s options read DAS_TRD_*, not DAS_<KEY>.
        let got = filled(
            "api = \"http://h/trd/v3\"\ntoken = \"t\"\n",
            &["das", "trd", "whoami"],
        )
        .unwrap();
        let expected = env(&[("DAS_TRD_API", "http://h/trd/v3"), ("DAS_TRD_TOKEN", "t")]);
        assert_eq!(got.env, expected);
        assert!(got.args.is_empty());
    }

    #[test]
    fn options_that_read_none_become_arguments() {
        let got = filled(
            "timeout = 30\nfast = true\njson = false\nverbose = 2\n",
            &["das", "register", "--audio", "a.wav"],
        )
        .unwrap();
        assert_eq!(
            got.args,
            // In the table's order: by key.
            args(&["--fast", "--timeout=30", "--verbose", "--verbose"])
        );
    }

    #[test]
    fn lists_fill_repeatable_options() {
        let got = filled(
            "fault = [\"reject-auth\", \"malformed-event\"]\n",
            &["das", "emulator"],
        )
        .unwrap();
        assert_eq!(
            got.args,
            args(&["--fault=reject-auth", "--fault=malformed-event"])
        );
        let err = filled("timeout = [1, 2]\n", &["das", "register"]).unwrap_err();
        assert!(err.message.contains("one value"), "{}", err.message);
    }

    #[test]
    fn flags_on_the_command_line_win() {
        let got = filled(
            "timeout = 30\naudio = \"b.wav\"\n",
            &["das", "register", "--audio", "a.wav", "--timeout", "5"],
        )
        .unwrap();
        assert_eq!(got, Defaults::default());
    }

    #[test]
    fn another_commands_options_are_left_to_it_and_unknown_keys_refused() {
        let got = filled("api = \"http://h\"\n", &["das", "register"]).unwrap();
        assert_eq!(got, Defaults::default());
        let err = filled("tiemout = 3\n", &["das", "register"]).unwrap_err();
        assert!(err.message.contains("--tiemout") && err.message.contains("t.toml"));
        assert_eq!(err.exit as i32, Exit::Usage as i32);
        let err = filled("fast = \"yes\"\n", &["das", "register"]).unwrap_err();
        assert!(err.message.contains("flag"), "{}", err.message);
    }

    #[test]
    fn arguments_go_before_a_double_dash() {
        let defaults = Defaults {
            env: Vec::new(),
            args: args(&["--fast"]),
        };
        assert_eq!(
            defaults.added_to(args(&["das", "x", "--", "y"])),
            args(&["das", "x", "--fast", "--", "y"])
        );
    }

    #[test]
    fn tables_and_bad_syntax_are_refused_with_the_file_name() {
        let err = parse("[section]\nx = 1\n", "cfg.toml").unwrap_err();
        assert!(err.message.contains("cfg.toml") && err.message.contains("section"));
        assert!(parse("url = ", "cfg.toml").is_err());
    }

    #[test]
    fn the_config_flag_is_found_in_either_spelling() {
        assert_eq!(
            config_path(&args(&["das", "--config", "a.toml", "register"])),
            Some(PathBuf::from("a.toml"))
        );
        assert_eq!(
            config_path(&args(&["das", "register", "--config=b.toml"])),
            Some(PathBuf::from("b.toml"))
        );
    }
}
