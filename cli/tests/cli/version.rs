//! `das --version` names the version and the commit the binary was built from.

use std::process::Command;

#[test]
fn version_names_the_crate_version_and_the_commit() {
    let output = Command::new(env!("CARGO_BIN_EXE_das"))
        .arg("--version")
        .output()
        .expect("run das --version");
    assert!(output.status.success(), "{output:?}");
    let line = String::from_utf8(output.stdout).expect("UTF-8");
    let expected_start = format!("das {} (commit ", env!("CARGO_PKG_VERSION"));
    let commit = line
        .trim_end()
        .strip_prefix(&expected_start)
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{line:?} is not `{expected_start}COMMIT)`"));
    // Built from this checkout: the commit is HEAD or, when a commit landed after the build,
    // one of its ancestors.
    assert_eq!(commit.len(), 12, "{line:?}");
    let ancestor = Command::new("git")
        .args(["merge-base", "--is-ancestor", commit, "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("run git");
    assert!(
        ancestor.success(),
        "{commit} is not a commit in the history of HEAD"
    );
}
