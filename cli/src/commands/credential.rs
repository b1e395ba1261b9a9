//! Where `das register` keeps the credential of a successful registration: the file named by
//! `--credential-out`, else (readable view) a new private file named after the call id in
//! `$XDG_DATA_HOME/das/credentials` (by default `~/.local/share/das/credentials`), never one
//! that exists. The readable view then says where it is and shows the `das verify` command.

use std::fs::{DirBuilder, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use super::verify_command::TypedOptions;
use crate::args::SessionArgs;
use crate::exit::{CliError, Exit};
use crate::render::Renderer;

/// Numbered names tried after `<call id>.credential` before giving up.
const MAX_SUFFIX: u32 = 100;

pub struct CredentialStore {
    place: Place,
    typed: TypedOptions,
}

enum Place {
    /// `--credential-out`: the user's file, replaced if it exists.
    Given(PathBuf),
    /// A new file in this directory.
    NewFileIn(PathBuf),
    /// `--json` without `--credential-out`: the credential is in the result line already.
    ResultLineOnly,
    /// Neither XDG_DATA_HOME nor HOME says where data goes.
    NoDataDirectory,
}

impl CredentialStore {
    pub fn for_register(args: &SessionArgs, typed: TypedOptions) -> CredentialStore {
        let place = match (&args.credential_out, args.json) {
            (Some(path), _) => Place::Given(path.clone()),
            (None, true) => Place::ResultLineOnly,
            (None, false) => match data_directory() {
                Some(data) => Place::NewFileIn(data.join("das").join("credentials")),
                None => Place::NoDataDirectory,
            },
        };
        CredentialStore { place, typed }
    }

    /// Saves `credential` and, in the readable view, says where and how to verify against it.
    /// When it cannot be saved the readable view shows the credential itself, so it is not lost.
    pub fn keep(
        &self,
        credential: &str,
        call_id: &str,
        renderer: &Renderer,
    ) -> Result<(), CliError> {
        let saved = match &self.place {
            Place::ResultLineOnly => return Ok(()),
            Place::Given(path) => write(path, credential, false).map(|()| path.clone()),
            Place::NewFileIn(directory) => write_new(directory, call_id, credential),
            Place::NoDataDirectory => Err(std::io::Error::new(
                ErrorKind::NotFound,
                "neither XDG_DATA_HOME nor HOME is set; name a file with --credential-out",
            )),
        };
        match saved {
            Ok(path) => {
                renderer.note(&format!("  credential saved to {}", path.display()));
                renderer.note(&format!(
                    "  verify with: {}",
                    self.typed.verify_command(&path)
                ));
                for variable in self.typed.secret_variables() {
                    renderer.note(&format!(
                        "    (with {variable} set: secrets are not echoed)"
                    ));
                }
                Ok(())
            }
            Err(error) => {
                renderer.note(&format!("  credential: {credential}"));
                Err(CliError::new(
                    Exit::Failure,
                    format!("cannot save the credential: {error}"),
                ))
            }
        }
    }
}

/// `$XDG_DATA_HOME` when set to an absolute path (as the XDG spec asks), else
/// `$HOME/.local/share`.
fn data_directory() -> Option<PathBuf> {
    let absolute = |name| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|path| path.is_absolute())
    };
    absolute("XDG_DATA_HOME").or_else(|| absolute("HOME").map(|home| home.join(".local/share")))
}

/// Writes `<call id>.credential` in `directory`, or `<call id>-2.credential` and so on when
/// that exists.
fn write_new(directory: &Path, call_id: &str, credential: &str) -> std::io::Result<PathBuf> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(directory)
        .map_err(|e| in_path(e, directory))?;
    let stem = file_stem(call_id);
    for n in 1..=MAX_SUFFIX {
        let name = match n {
            1 => format!("{stem}.credential"),
            n => format!("{stem}-{n}.credential"),
        };
        let path = directory.join(name);
        match write(&path, credential, true) {
            Ok(()) => return Ok(path),
            Err(error) if error.kind() == ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(error),
        }
    }
    Err(std::io::Error::new(
        ErrorKind::AlreadyExists,
        format!(
            "{} already holds {MAX_SUFFIX} credentials of call {call_id}",
            directory.display()
        ),
    ))
}

/// Writes the credential readable by its owner only; `new` refuses an existing file.
fn write(path: &Path, credential: &str, new: bool) -> std::io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).mode(0o600);
    if new {
        options.create_new(true);
    } else {
        options.create(true).truncate(true);
    }
    let mut file = options.open(path).map_err(|e| in_path(e, path))?;
    file.write_all(format!("{credential}\n").as_bytes())
        .map_err(|e| in_path(e, path))
}

fn in_path(error: std::io::Error, path: &Path) -> std::io::Error {
    std::io::Error::new(error.kind(), format!("{}: {error}", path.display()))
}

/// A call id as a file name: characters other than letters, digits, `-`, `_` and `.` become
/// `_`, and it never starts with a dot.
fn file_stem(call_id: &str) -> String {
    let stem: String = call_id
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' | '.' => c,
            _ => '_',
        })
        .collect();
    if stem.is_empty() || stem.starts_with('.') {
        format!("call{stem}")
    } else {
        stem
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_ids_become_plain_file_names() {
        assert_eq!(
            file_stem("0b5e2c1a-9d7f-4e1b-8a3c-2f6d4b9e7a10"),
            "0b5e2c1a-9d7f-4e1b-8a3c-2f6d4b9e7a10"
        );
        assert_eq!(file_stem("../etc/passwd"), "call.._etc_passwd");
        assert_eq!(file_stem("a b/c"), "a_b_c");
        assert_eq!(file_stem(""), "call");
    }
}
