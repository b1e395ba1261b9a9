//! The server side of a load bench in a child process: the bench binary re-executed with
//! `--serve [ARGS]`, which prints its port as its first line, so the client's figures are its
//! own (shared by the benches of the core and of the emulator through `#[path]`).

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

pub struct ServeChild {
    child: Child,
    pub port: u16,
    control: ChildStdin,
    replies: BufReader<ChildStdout>,
}

impl ServeChild {
    /// Starts `<this binary> --serve ARGS` and reads the port it bound.
    pub fn spawn<S: AsRef<OsStr>>(args: &[S]) -> ServeChild {
        let mut child = Command::new(std::env::current_exe().expect("own path"))
            .arg("--serve")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("server process");
        let control = child.stdin.take().expect("stdin");
        let mut replies = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        replies.read_line(&mut line).expect("server port");
        let port = line.trim().parse().expect("port number");
        ServeChild {
            child,
            port,
            control,
            replies,
        }
    }

    /// The child's pid, as `/proc` paths take it.
    pub fn pid(&self) -> String {
        self.child.id().to_string()
    }

    /// Sends one command line and returns the child's one-line answer.
    pub fn ask(&mut self, command: &str) -> String {
        writeln!(self.control, "{command}").expect("server stdin");
        let mut line = String::new();
        self.replies.read_line(&mut line).expect("server answer");
        line
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
