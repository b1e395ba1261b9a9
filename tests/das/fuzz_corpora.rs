//! Replays every file of every committed fuzz corpus (`fuzz/corpus/<target>/`) through its
//! target, so crashes found once stay fixed. A missing or empty corpus fails the test.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use das_fuzz_targets::TARGETS;

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target)
}

#[test]
fn every_corpus_file_passes_its_target() {
    let mut failures = Vec::new();
    let mut replayed = 0;
    for &(name, target) in TARGETS {
        let started = std::time::Instant::now();
        let dir = corpus_dir(name);
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("corpus {} is missing: {e}", dir.display()));
        let mut files: Vec<PathBuf> = entries
            .map(|entry| entry.expect("corpus entry").path())
            .filter(|path| path.is_file())
            .collect();
        assert!(!files.is_empty(), "corpus {} is empty", dir.display());
        files.sort();
        let count = files.len();
        for file in files {
            let data = std::fs::read(&file).expect("corpus file");
            if let Err(panic) = catch_unwind(AssertUnwindSafe(|| target(&data))) {
                let message = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("non-string panic");
                failures.push(format!("{name}: {}: {message}", file.display()));
            }
            replayed += 1;
        }
        eprintln!("{name}: {count} files in {:?}", started.elapsed());
    }
    assert!(
        failures.is_empty(),
        "{} of {replayed} corpus files failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
