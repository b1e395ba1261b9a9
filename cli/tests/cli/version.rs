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
    // Built from this checkout: the commit is HEAD's.
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run git");
    assert!(head.status.success(), "the tests run in a git checkout");
    assert_eq!(commit, String::from_utf8_lossy(&head.stdout).trim());
}
