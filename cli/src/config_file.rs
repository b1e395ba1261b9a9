//! `--config FILE`: a TOML table of long option names and values. Each entry becomes the
//! option's `DAS_*` environment variable unless that is already set, so the precedence is
//! flags, then environment, then the file.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::exit::{CliError, Exit};

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

/// The environment variable an option name maps to: `client-secret` → `DAS_CLIENT_SECRET`.
pub fn env_name(option: &str) -> String {
    format!("DAS_{}", option.replace('-', "_").to_ascii_uppercase())
}

/// Reads the config file, if any, into `(variable, value)` pairs not already in the
/// environment. Called before any thread starts, so the caller may set them.
pub fn pending_env(args: &[OsString]) -> Result<Vec<(String, String)>, CliError> {
    let Some(path) = config_path(args) else {
        return Ok(Vec::new());
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| CliError::new(Exit::Input, format!("config file {}: {e}", path.display())))?;
    parse(&text, &path.display().to_string())
}

fn parse(text: &str, origin: &str) -> Result<Vec<(String, String)>, CliError> {
    let table: toml::Table = text
        .parse()
        .map_err(|e| CliError::new(Exit::Input, format!("config file {origin}: {e}")))?;
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
        let name = env_name(&key);
        if std::env::var_os(&name).is_none() {
            pending.push((name, value));
        }
    }
    Ok(pending)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_map_to_their_environment_variables() {
        assert_eq!(env_name("client-secret"), "DAS_CLIENT_SECRET");
        let pending = parse(
            "url = \"https://h/socket.io\"\naudio-total-duration = 5.5\n",
            "t",
        )
        .unwrap();
        assert!(pending.contains(&("DAS_URL".into(), "https://h/socket.io".into())));
        assert!(pending.contains(&("DAS_AUDIO_TOTAL_DURATION".into(), "5.5".into())));
    }

    #[test]
    fn tables_and_bad_syntax_are_refused_with_the_file_name() {
        let err = parse("[section]\nx = 1\n", "cfg.toml").unwrap_err();
        assert!(err.message.contains("cfg.toml") && err.message.contains("section"));
        assert!(parse("url = ", "cfg.toml").is_err());
    }

    #[test]
    fn the_config_flag_is_found_in_either_spelling() {
        let args = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
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
