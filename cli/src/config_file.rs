//! `--config FILE`: a TOML table of `DAS_*` variables, named without `DAS_` in lower case with
//! dashes (`client-secret` for `DAS_CLIENT_SECRET`, `trd-token` for `DAS_TRD_TOKEN`). Variables,
//! unlike long option names, mean one thing in every command (`--token` is TRD's bearer in
//! `das trd` and the webhook's in `das webhook serve`), so one file serves every command.
//!
//! An entry sets its variable only for an option of the command being run (the others' secrets
//! are not handed on, to a `webhook serve --exec` command say), and only where neither a flag
//! nor the environment settles that option: not when either sets it, nor an option it conflicts
//! with. A key that names no variable of das is refused, so that a misspelt one is not ignored
//! in silence.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Arg, Command};

use crate::command_line::{conflicts, running};
use crate::exit::{CliError, Exit};

/// Variables das reads that are not an option's: the log filter.
const OTHER_VARIABLES: &[&str] = &["DAS_LOG"];

/// `--config FILE`/`--config=FILE` in the raw arguments, else a non-empty `DAS_CONFIG`.
fn config_path(args: &[OsString]) -> Option<PathBuf> {
    config_flag(args).or_else(|| {
        std::env::var_os("DAS_CONFIG")
            .filter(|path| !path.is_empty())
            .map(PathBuf::from)
    })
}

/// `--config FILE`/`--config=FILE` before any `--` (after which words are operands).
fn config_flag(args: &[OsString]) -> Option<PathBuf> {
    let mut iter = args.iter().skip(1);
    while let Some(arg) = iter.next() {
        let arg = arg.to_string_lossy();
        if arg == "--" {
            break;
        }
        if arg == "--config" {
            return iter.next().map(PathBuf::from);
        }
        if let Some(path) = arg.strip_prefix("--config=") {
            return Some(PathBuf::from(path));
        }
    }
    None
}

/// The environment variable a key names: `client-secret` → `DAS_CLIENT_SECRET`.
pub fn env_name(key: &str) -> String {
    format!("DAS_{}", key.replace('-', "_").to_ascii_uppercase())
}

/// Reads the config file, if any, into the `(variable, value)` pairs to set for `args` (the
/// arguments, the program's name first); `cli`, built (`Command::build`), tells which
/// variables das reads. Called before any thread starts, so the caller may set them. `--help`,
/// `--version` and `das help …` read no file: a broken one must not hide the help that would
/// tell how to mend it.
pub fn pending_env(args: &[OsString], cli: &Command) -> Result<FromFile, CliError> {
    let (command, given) = running(cli, args);
    let asks_for_help = given.iter().any(|id| matches!(*id, "help" | "version"));
    let Some(path) = config_path(args).filter(|_| !asks_for_help) else {
        return Ok(FromFile::default());
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| CliError::new(Exit::Input, format!("config file {}: {e}", path.display())))?;
    let entries = parse(&text, &path.display().to_string(), &variables(cli))?;
    let in_env = |name: &str| std::env::var_os(name).is_some();
    let variables = select(entries, command, &given, in_env);
    Ok(FromFile { path, variables })
}

/// The variables a config file sets, and the file.
#[derive(Debug, Default)]
pub struct FromFile {
    pub path: PathBuf,
    pub variables: Vec<(String, String)>,
}

/// `config file PATH set DAS_A, DAS_B` (names only: values may be secrets).
impl std::fmt::Display for FromFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self
            .variables
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        write!(
            f,
            "config file {} set {}",
            self.path.display(),
            names.join(", ")
        )
    }
}

/// The entries to set for `command`, run with the options `given`: those of its options that
/// neither a flag nor the environment (`in_env`) settles, directly or through a conflict.
fn select(
    entries: Vec<(String, String)>,
    command: &Command,
    given: &[&str],
    in_env: impl Fn(&str) -> bool,
) -> Vec<(String, String)> {
    let reads = |arg: &Arg, name: &str| arg.get_env().is_some_and(|variable| variable == name);
    let settled: Vec<&Arg> = command
        .get_arguments()
        .filter(|arg| {
            given.contains(&arg.get_id().as_str())
                || arg.get_env().is_some_and(|v| in_env(&v.to_string_lossy()))
        })
        .collect();
    entries
        .into_iter()
        .filter(|(name, _)| !in_env(name))
        .filter(|(name, _)| {
            if OTHER_VARIABLES.contains(&name.as_str()) {
                return true;
            }
            command
                .get_arguments()
                .find(|arg| reads(arg, name))
                .is_some_and(|arg| {
                    !settled
                        .iter()
                        .any(|s| s.get_id() == arg.get_id() || conflicts(command, s, arg))
                })
        })
        .collect()
}

/// Every variable an option of `command` or of its subcommands reads, and das's others.
fn variables(command: &Command) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = OTHER_VARIABLES.iter().map(|n| n.to_string()).collect();
    collect_variables(command, &mut names);
    names
}

fn collect_variables(command: &Command, names: &mut BTreeSet<String>) {
    let read = command.get_arguments().filter_map(|arg| arg.get_env());
    names.extend(read.map(|name| name.to_string_lossy().into_owned()));
    for sub in command.get_subcommands() {
        collect_variables(sub, names);
    }
}

fn parse(
    text: &str,
    origin: &str,
    known: &BTreeSet<String>,
) -> Result<Vec<(String, String)>, CliError> {
    let table: toml::Table = text.parse().map_err(|e| syntax_error(text, origin, &e))?;
    let mut pending = Vec::new();
    for (key, value) in table {
        let value = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            other => {
                return Err(CliError::new(
                    Exit::Input,
                    format!(
                    "config file {origin}: {key} must be a string, number or boolean, not {other}"
                ),
                ))
            }
        };
        let spelt_as_documented = key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !spelt_as_documented {
            return Err(CliError::new(
                Exit::Usage,
                format!(
                    "config file {origin}: `{key}`: keys are in lower case with dashes \
                     (`{}`)",
                    key.replace('_', "-").to_ascii_lowercase()
                ),
            ));
        }
        if key == "config" {
            return Err(CliError::new(
                Exit::Usage,
                format!("config file {origin}: a config file cannot name another"),
            ));
        }
        let name = env_name(&key);
        if !known.contains(&name) {
            return Err(CliError::new(
                Exit::Usage,
                format!(
                    "config file {origin}: {key} names no variable of das ({name}); keys are \
                     the [env: DAS_…] names `--help` shows, without DAS_"
                ),
            ));
        }
        pending.push((name, value));
    }
    Ok(pending)
}

/// A TOML syntax error on one line, placed by line and column: the parser's own text spans
/// several, which a terminal-safe message would show as `\n`.
fn syntax_error(text: &str, origin: &str, error: &toml::de::Error) -> CliError {
    let place = error.span().map_or(String::new(), |span| {
        let before = &text[..span.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.chars().rev().take_while(|&c| c != '\n').count() + 1;
        format!(", line {line}, column {column}")
    });
    let message = error.message().trim_end();
    CliError::new(
        Exit::Input,
        format!("config file {origin}{place}: {message}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::Cli;
    use clap::CommandFactory;

    fn pending(text: &str) -> Result<Vec<(String, String)>, CliError> {
        parse(text, "t.toml", &variables(&Cli::command()))
    }

    #[test]
    fn keys_map_to_their_environment_variables() {
        assert_eq!(env_name("client-secret"), "DAS_CLIENT_SECRET");
        let pending = pending(
            "url = \"https://h/socket.io\"\naudio-total-duration = 5.5\ntrd-token = \"t\"\n",
        )
        .unwrap();
        assert!(pending.contains(&("DAS_URL".into(), "https://h/socket.io".into())));
        assert!(pending.contains(&("DAS_AUDIO_TOTAL_DURATION".into(), "5.5".into())));
        assert!(pending.contains(&("DAS_TRD_TOKEN".into(), "t".into())));
    }

    #[test]
    fn every_variable_of_every_command_is_known_and_a_misspelt_key_is_refused() {
        let known = variables(&Cli::command());
        for name in [
            "DAS_WEBHOOK_TOKEN",
            "DAS_AUDIOHOOK_CLIENT_SECRET",
            "DAS_COLOR",
            "DAS_LOG",
        ] {
            assert!(known.contains(name), "{name}");
        }
        let err = pending("trd-tokne = \"t\"\n").unwrap_err();
        assert_eq!(err.exit as i32, Exit::Usage as i32);
        assert!(err.message.contains("t.toml") && err.message.contains("DAS_TRD_TOKNE"));
    }

    /// What the file sets for `list`, with `env` the variables the environment sets.
    fn selected(file: &str, list: &[&str], env: &[&str]) -> Vec<String> {
        let mut cli = Cli::command();
        cli.build();
        let raw: Vec<OsString> = list.iter().map(OsString::from).collect();
        let (command, given) = running(&cli, &raw);
        let entries = parse(file, "t.toml", &variables(&cli)).unwrap();
        let chosen = select(entries, command, &given, |name| env.contains(&name));
        chosen.into_iter().map(|(name, _)| name).collect()
    }

    #[test]
    fn only_the_running_commands_unsettled_variables_are_set() {
        let file =
            "trd-token = \"t\"\nclient-secret = \"s\"\nwebhook-token = \"w\"\nlog = \"debug\"\n";
        // Another command's secrets are not handed on (to a `--exec` command, say).
        let serve = selected(file, &["das", "webhook", "serve"], &[]);
        assert_eq!(serve, ["DAS_LOG", "DAS_WEBHOOK_TOKEN"]);
        let whoami = selected(file, &["das", "trd", "whoami"], &[]);
        assert_eq!(whoami, ["DAS_LOG", "DAS_TRD_TOKEN"]);
        // A flag or the environment settles its option.
        let typed = selected(
            file,
            &["das", "trd", "whoami", "--token", "x"],
            &["DAS_LOG"],
        );
        assert!(typed.is_empty(), "{typed:?}");
        assert!(selected(file, &["das", "webhook", "serve", "--no-token"], &[]) == ["DAS_LOG"]);
    }

    #[test]
    fn the_environment_wins_over_the_file_also_through_a_conflict() {
        let file = "trd-license-url = \"http://l/auth/token\"\ntrd-username = \"u\"\n";
        let from_file = selected(file, &["das", "trd", "whoami"], &[]);
        assert_eq!(from_file, ["DAS_TRD_LICENSE_URL", "DAS_TRD_USERNAME"]);
        let token_in_env = selected(file, &["das", "trd", "whoami"], &["DAS_TRD_TOKEN"]);
        assert!(token_in_env.is_empty(), "{token_in_env:?}");
    }

    #[test]
    fn a_config_file_cannot_name_another() {
        let err = pending("config = \"other.toml\"\n").unwrap_err();
        assert_eq!(err.exit as i32, Exit::Usage as i32);
    }

    #[test]
    fn tables_and_bad_syntax_are_refused_with_the_file_name() {
        let err = pending("[section]\nx = 1\n").unwrap_err();
        assert!(err.message.contains("t.toml") && err.message.contains("section"));
        let err = pending("url = \"u\"\ntrd-token = \n").unwrap_err();
        assert_eq!(err.exit as i32, Exit::Input as i32);
        assert!(!err.message.contains('\n'), "{}", err.message);
        let place = "config file t.toml, line 2, column 13: ";
        assert!(err.message.starts_with(place), "{}", err.message);
    }

    #[test]
    fn keys_spelt_otherwise_than_documented_are_refused() {
        // One variable must not be reachable by two keys, one silently winning.
        for key in ["trd_token", "TRD-TOKEN", "Trd-Token", "Config"] {
            let err = pending(&format!("{key} = \"x\"\n")).unwrap_err();
            assert_eq!(err.exit as i32, Exit::Usage as i32, "{key}");
            assert!(
                err.message.contains("lower case with dashes"),
                "{}",
                err.message
            );
        }
    }

    #[test]
    fn help_and_version_read_no_file() {
        let args = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        let mut cli = Cli::command();
        cli.build();
        for asked in [
            &["das", "--config", "/absent.toml", "trd", "whoami", "--help"][..],
            &["das", "--config", "/absent.toml", "-V"],
            &["das", "--config", "/absent.toml", "help", "trd", "whoami"],
            &["das", "--config", "/absent.toml", "trd", "help", "whoami"],
        ] {
            assert!(pending_env(&args(asked), &cli)
                .unwrap()
                .variables
                .is_empty());
        }
        let run = args(&["das", "--config", "/absent.toml", "trd", "whoami"]);
        assert_eq!(
            pending_env(&run, &cli).unwrap_err().exit as i32,
            Exit::Input as i32
        );
    }

    #[test]
    fn the_config_flag_is_found_in_either_spelling() {
        let args = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            config_flag(&args(&["das", "--config", "a.toml", "register"])),
            Some(PathBuf::from("a.toml"))
        );
        assert_eq!(
            config_flag(&args(&["das", "register", "--config=b.toml"])),
            Some(PathBuf::from("b.toml"))
        );
        // After `--`, a file named `--config=r.json` is an operand.
        let operand = args(&["das", "webhook", "parse", "--", "--config=r.json"]);
        assert_eq!(config_flag(&operand), None);
    }
}
