//! `include/das.h` must equal what cbindgen generates from the current sources.
//! `DAS_BLESS=1 cargo test -p das-c --test abi header::` rewrites it.

use std::path::PathBuf;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn committed_header_path() -> PathBuf {
    crate_dir().join("../../include/das.h")
}

fn generate() -> String {
    let config =
        cbindgen::Config::from_file(crate_dir().join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_crate(crate_dir())
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("the header is UTF-8")
}

#[test]
fn committed_header_is_current() {
    let fresh = generate();
    let path = committed_header_path();
    if std::env::var_os("DAS_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &fresh).expect("write include/das.h");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != fresh {
        let first_difference = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(fresh.lines().count()));
        panic!(
            "include/das.h is stale (first difference at line {}: committed {:?}, generated {:?}).\n\
             Regenerate it with: DAS_BLESS=1 cargo test -p das-c --test abi header::",
            first_difference + 1,
            committed.lines().nth(first_difference),
            fresh.lines().nth(first_difference),
        );
    }
}

#[test]
fn version_macros_match_cargo_toml() {
    let header = std::fs::read_to_string(committed_header_path()).expect("include/das.h");
    for (name, value) in [
        ("DAS_VERSION_MAJOR", env!("CARGO_PKG_VERSION_MAJOR")),
        ("DAS_VERSION_MINOR", env!("CARGO_PKG_VERSION_MINOR")),
        ("DAS_VERSION_PATCH", env!("CARGO_PKG_VERSION_PATCH")),
    ] {
        let line = format!("#define {name} {value}");
        assert!(header.lines().any(|l| l == line), "das.h lacks `{line}`");
    }
}

/// Every macro is `DAS_`-prefixed: a generated helper such as `das_result_ALL` (an array of
/// names C does not declare) or an unprefixed `MAX_TIMEOUT_MS` would collide or not compile.
#[test]
fn every_macro_is_das_prefixed() {
    let header = generate();
    let unprefixed: Vec<&str> = header
        .lines()
        .filter_map(|line| line.strip_prefix("#define "))
        .filter(|definition| !definition.starts_with("DAS_"))
        .collect();
    assert!(unprefixed.is_empty(), "{unprefixed:#?}");
}
