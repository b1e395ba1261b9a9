//! The `das_*` symbols exported by the built `libdas.so` are exactly the functions `das.h`
//! declares: nothing missing, nothing undocumented.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

/// The cdylib cargo built next to this test executable (`target/<profile>/deps/libdas.so`).
fn cdylib() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let lib = exe.with_file_name("libdas.so");
    assert!(
        lib.exists(),
        "{} not found; build das-c first",
        lib.display()
    );
    lib
}

fn exported_symbols() -> BTreeSet<String> {
    let output = Command::new("nm")
        .args(["-D", "--defined-only", "--format=posix"])
        .arg(cdylib())
        .output()
        .expect("run nm (binutils)");
    assert!(output.status.success(), "nm failed: {output:?}");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| name.starts_with("das_"))
        .map(str::to_owned)
        .collect()
}

/// Names of the functions declared in the header (also what the C++ wrapper must cover): on
/// top-level lines (not comments, macros,
/// enums or typedefs), the identifier right before the first `(`.
pub(crate) fn declared_functions() -> BTreeSet<String> {
    let header =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../include/das.h"))
            .expect("include/das.h");
    header
        .lines()
        .filter(|line| {
            let first = line.chars().next().unwrap_or(' ');
            first.is_ascii_alphabetic() && !line.starts_with("typedef") && !line.starts_with("enum")
        })
        .filter_map(|line| {
            let before_paren = &line[..line.find('(')?];
            let name = before_paren.rsplit([' ', '*']).next()?;
            name.starts_with("das_").then(|| name.to_owned())
        })
        .collect()
}

#[test]
fn exported_symbols_equal_declared_functions() {
    let exported = exported_symbols();
    let declared = declared_functions();
    assert!(
        declared.contains("das_config_new"),
        "header parse found {declared:?}"
    );
    let undeclared: Vec<_> = exported.difference(&declared).collect();
    let missing: Vec<_> = declared.difference(&exported).collect();
    assert!(
        undeclared.is_empty() && missing.is_empty(),
        "exported but not in das.h: {undeclared:?}; in das.h but not exported: {missing:?}"
    );
}
