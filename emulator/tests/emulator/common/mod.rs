//! Helpers shared by the modules of the emulator's test binary.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use das_emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

/// The Python interpreter with the test peers, from `scripts/test`.
pub fn python() -> String {
    std::env::var("DAS_TEST_PYTHON").unwrap_or_else(|_| {
        panic!("DAS_TEST_PYTHON is not set: run the suite through scripts/test (it creates .venv)")
    })
}

pub fn repo_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}

pub fn sample(name: &str) -> PathBuf {
    repo_path(&format!("samples/{name}"))
}

/// A reqwest client; libdas installs the crypto provider rustls needs (once per process).
pub fn http() -> reqwest::Client {
    das::trd::ensure_crypto_provider();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("http client")
}

pub async fn start(config: EmulatorConfig) -> EmulatorHandle {
    Emulator::start(config).await.expect("emulator starts")
}

/// Runs a Python peer script and returns its stdout lines; fails on timeout or error exit.
pub async fn run_peer(script: &str, args: &[String]) -> Vec<String> {
    let mut child = Command::new(python())
        .arg(repo_path(&format!("tests/peers/{script}")))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("python peer starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut out = Vec::new();
    let collect = async {
        while let Some(line) = lines.next_line().await.expect("peer stdout readable") {
            out.push(line);
        }
        child.wait_with_output().await.expect("peer exits")
    };
    let output = tokio::time::timeout(Duration::from_secs(40), collect)
        .await
        .expect("python peer finished in time");
    assert!(
        output.status.success(),
        "peer {script} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

pub mod audio;
pub mod proxy_bed;
pub mod reliability;
pub mod sio;
