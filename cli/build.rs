//! Stamps the git commit the `das` binary is built from into `das --version` (DAS_GIT_COMMIT):
//! the one `cargo package` recorded in a published .crate, else git's in this checkout, else
//! "unknown" (a source tree without either).

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let commit = packaged_commit()
        .or_else(checkout_commit)
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=DAS_GIT_COMMIT={commit}");
}

/// The commit in `.cargo_vcs_info.json` (`{"git": {"sha1": "…"}}`), present only in a .crate.
fn packaged_commit() -> Option<String> {
    let path = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?).join(".cargo_vcs_info.json");
    println!("cargo:rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(path).ok()?;
    let sha1 = text.split("\"sha1\"").nth(1)?.split('"').nth(1)?;
    Some(sha1.chars().take(12).collect())
}

/// HEAD of the libdas checkout this crate sits in (`cli/` of its work tree: an enclosing
/// repository of something else does not count), and the files whose change moves HEAD.
fn checkout_commit() -> Option<String> {
    if git(&["rev-parse", "--show-prefix"])? != "cli/" {
        return None;
    }
    let head = git(&["rev-parse", "--short=12", "HEAD"])?;
    let branch = git(&["symbolic-ref", "-q", "HEAD"]);
    for path in ["HEAD", "packed-refs"].into_iter().chain(branch.as_deref()) {
        if let Some(file) = git(&["rev-parse", "--git-path", path]) {
            println!("cargo:rerun-if-changed={file}");
        }
    }
    Some(head)
}

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    output.status.success().then(|| text.trim().to_owned())
}
