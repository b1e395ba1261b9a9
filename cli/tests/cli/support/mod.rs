//! Running `das` servers as child processes: read their stdout line by line with a deadline,
//! stop them with a signal, never leave them behind.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Bound on every wait in these tests.
pub const WAIT: Duration = Duration::from_secs(20);

/// The `das` binary under test.
pub fn das() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin!("das"))
}

/// The `das` binary under test, with assert_cmd's assertions.
pub fn das_cmd() -> assert_cmd::Command {
    assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("das"))
}

/// A file of the workspace (fixtures, samples).
pub fn workspace_file(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}

/// A `das` process in the background whose stdout lines are collected.
pub struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    /// Every line read so far, for failure messages.
    pub seen: Vec<String>,
}

impl Running {
    pub fn start(args: &[&str]) -> Running {
        let mut child = das()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start das");
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The next line for which `wanted` holds, skipping others; panics after [`WAIT`].
    pub fn line(&mut self, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if wanted(&line) {
                        return line;
                    }
                }
                Err(_) => panic!("no matching line; output so far: {:#?}", self.seen),
            }
        }
    }

    /// Every line still to come from a process that exited (its stdout closed); panics
    /// after [`WAIT`].
    pub fn rest(&mut self) -> Vec<String> {
        let deadline = Instant::now() + WAIT;
        let mut rest = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    rest.push(line);
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return rest,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    panic!("stdout still open; output so far: {:#?}", self.seen)
                }
            }
        }
    }

    /// The process id (for its /proc figures).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The address a server printed as `listening on URL`.
    pub fn url(&mut self) -> String {
        let line = self.line(|l| l.starts_with("listening on "));
        line.trim_start_matches("listening on ").to_owned()
    }

    /// Waits for the process to exit on its own; panics after [`WAIT`].
    pub fn exit_status(&mut self) -> ExitStatus {
        self.exit_within("das still running")
    }

    /// The exit status once the process ends; panics with `late` after [`WAIT`].
    fn exit_within(&mut self, late: &str) -> ExitStatus {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for das") {
                return status;
            }
            assert!(Instant::now() < deadline, "{late}: {:#?}", self.seen);
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends `signal` (e.g. `INT`) and waits for the exit; panics after [`WAIT`].
    pub fn stop(&mut self, signal: &str) -> ExitStatus {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} failed");
        self.exit_within(&format!("das did not stop after SIG{signal}"))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `das emulator --port 0` in the background, and the lines it prints (`name  value`).
pub struct BackgroundEmulator {
    /// Killed on drop.
    _process: Running,
    lines: Vec<(String, String)>,
}

impl BackgroundEmulator {
    /// Starts it and reads its banner, up to "Ctrl-C stops it."; panics after [`WAIT`].
    pub fn start() -> Self {
        let mut process = Running::start(&["emulator", "--port", "0"]);
        process.line(|line| line.starts_with("Ctrl-C"));
        let lines = process
            .seen
            .iter()
            .filter_map(|line| line.trim().split_once("  "))
            .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
            .collect();
        Self {
            _process: process,
            lines,
        }
    }

    /// Every value printed under `name`, in order ("TRD license" has its URL, then its user).
    pub fn values(&self, name: &str) -> Vec<&str> {
        let named = self.lines.iter().filter(|(n, _)| n == name);
        named.map(|(_, value)| value.as_str()).collect()
    }

    /// The first value printed under `name`.
    pub fn get(&self, name: &str) -> &str {
        self.values(name).first().copied().expect(name)
    }
}
