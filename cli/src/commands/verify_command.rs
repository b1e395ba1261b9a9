//! The `das verify` command shown after a registration: the options typed for `das register`
//! that a verification needs too, so the shown command reaches the same service. Options
//! read from the environment or `--config` need no repeating; secrets typed on the command
//! line are shown as their environment variable, never echoed.

use std::path::Path;

use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, CommandFactory};

use crate::args::Cli;

/// Options of `das register` that do not carry over to `das verify`: the credential file and
/// call id belong to the registration, a register namespace does not fit a verification.
const REGISTER_ONLY: [&str; 4] = ["credential_out", "call_id", "namespace", "json"];

/// Shell words of the options typed for `das register`, secrets replaced.
#[derive(Debug, Default)]
pub struct TypedOptions {
    words: Vec<String>,
    /// Environment variables standing in for secrets typed on the command line.
    secret_variables: Vec<String>,
}

impl TypedOptions {
    /// From the parsed command line of `das register …` (empty for any other command).
    pub fn of_register(matches: &ArgMatches) -> TypedOptions {
        let mut typed = TypedOptions::default();
        let Some(register) = matches.subcommand_matches("register") else {
            return typed;
        };
        let mut cli = Cli::command();
        // Global options such as --config are copied into each subcommand by `build`.
        cli.build();
        let Some(definition) = cli.find_subcommand("register") else {
            return typed;
        };
        // The audio last, where it is easiest to swap for the call to verify.
        let (audio, others): (Vec<_>, Vec<_>) = definition
            .get_arguments()
            .partition(|arg| arg.get_id() == "audio");
        for arg in others.into_iter().chain(audio) {
            let id = arg.get_id().as_str();
            let (Some(long), Some(ValueSource::CommandLine)) =
                (arg.get_long(), register.value_source(id))
            else {
                continue;
            };
            if REGISTER_ONLY.contains(&id) {
                continue;
            }
            if matches!(arg.get_action(), ArgAction::SetTrue) {
                typed.words.push(format!("--{long}"));
                continue;
            }
            if !arg.get_action().takes_values() {
                continue;
            }
            let secret_variable = arg
                .is_hide_env_values_set()
                .then(|| arg.get_env())
                .flatten();
            for value in register.get_raw(id).into_iter().flatten() {
                typed.words.push(format!("--{long}"));
                match secret_variable {
                    Some(variable) => {
                        let variable = variable.to_string_lossy().into_owned();
                        typed.words.push(format!("\"${variable}\""));
                        typed.secret_variables.push(variable);
                    }
                    None => typed.words.push(shell_quote(&value.to_string_lossy())),
                }
            }
        }
        typed
    }

    /// `das verify --credential FILE …` with the options typed for the registration.
    pub fn verify_command(&self, credential: &Path) -> String {
        let mut words = vec![
            "das".to_owned(),
            "verify".to_owned(),
            "--credential".to_owned(),
            shell_quote(&credential.to_string_lossy()),
        ];
        words.extend(self.words.iter().cloned());
        words.join(" ")
    }

    /// Variables the verify command expects set because their secrets are not shown.
    pub fn secret_variables(&self) -> &[String] {
        &self.secret_variables
    }
}

/// `word` as one POSIX shell word: unchanged when it holds only safe characters, else in
/// single quotes.
fn shell_quote(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(args: &[&str]) -> TypedOptions {
        let matches = Cli::command().get_matches_from(args);
        TypedOptions::of_register(&matches)
    }

    #[test]
    fn typed_options_carry_over_and_register_only_ones_do_not() {
        let typed = typed(&[
            "das",
            "--config",
            "my conf.toml",
            "register",
            "--audio",
            "call.wav",
            "--fast",
            "--url",
            "https://h/socket.io",
            "--call-id",
            "c1",
            "--credential-out",
            "c.txt",
            "--namespace",
            "/socket.io/register",
        ]);
        assert_eq!(
            typed.verify_command(Path::new("/d/it's.credential")),
            "das verify --credential '/d/it'\\''s.credential' --url https://h/socket.io --fast \
             --config 'my conf.toml' --audio call.wav"
        );
        assert!(typed.secret_variables().is_empty());
    }

    #[test]
    fn secrets_typed_on_the_command_line_are_shown_as_their_variable() {
        let typed = typed(&[
            "das",
            "register",
            "--audio",
            "a.wav",
            "--client-secret",
            "s3cr3t",
            "--audiohook-client-secret",
            "QUJD",
        ]);
        let command = typed.verify_command(Path::new("c"));
        assert!(
            !command.contains("s3cr3t") && !command.contains("QUJD"),
            "{command}"
        );
        assert!(command.contains("--client-secret \"$DAS_CLIENT_SECRET\""));
        assert_eq!(
            typed.secret_variables(),
            ["DAS_CLIENT_SECRET", "DAS_AUDIOHOOK_CLIENT_SECRET"]
        );
    }

    #[test]
    fn other_commands_have_no_typed_register_options() {
        let matches = Cli::command().get_matches_from(["das", "emulator", "--port", "0"]);
        assert!(TypedOptions::of_register(&matches)
            .verify_command(Path::new("c"))
            .ends_with("--credential c"));
    }
}
