//! Colours in log lines (stderr) and the readable view (stdout): by default only on a
//! terminal and without NO_COLOR; `--color always|never` decides regardless of both.

use std::fs::File;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::support::workspace_file;

/// Whether `bytes` hold an ANSI colour sequence (`ESC [ digits/semicolons m`). Cursor
/// movements of the progress bar are not colours.
fn has_colours(bytes: &[u8]) -> bool {
    bytes.windows(2).enumerate().any(|(at, pair)| {
        pair == b"\x1b["
            && bytes[at + 2..]
                .iter()
                .find(|b| !(b.is_ascii_digit() || **b == b';'))
                == Some(&b'm')
    })
}

/// `das -v <colour args> register` of a sample against the embedded emulator, its
/// credential saved under `data_home`.
fn register(data_home: &Path, colour_args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_das"));
    command
        .arg("-v")
        .args(colour_args)
        .args(["register", "--fast", "--audio"])
        .arg(workspace_file("samples/speaker-a.wav"))
        .env("XDG_DATA_HOME", data_home)
        .env_remove("NO_COLOR")
        .env_remove("DAS_COLOR")
        .env_remove("DAS_URL");
    command
}

fn succeed(command: &mut Command) -> Output {
    let output = command.output().expect("run das");
    assert!(output.status.success(), "{output:?}");
    output
}

#[test]
fn log_lines_written_to_a_file_carry_no_colours() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.txt");
    let output = succeed(register(dir.path(), &[]).stderr(File::create(&log).unwrap()));
    let logged = std::fs::read(&log).unwrap();
    assert!(String::from_utf8_lossy(&logged).contains("INFO"));
    assert!(
        !logged.contains(&0x1b),
        "{}",
        String::from_utf8_lossy(&logged)
    );
    assert!(!output.stdout.contains(&0x1b));
}

#[test]
fn color_always_colours_logs_and_the_readable_view_even_when_redirected_or_no_color() {
    let dir = tempfile::tempdir().unwrap();
    for no_color in [None, Some("1")] {
        let mut command = register(dir.path(), &["--color", "always"]);
        if let Some(value) = no_color {
            command.env("NO_COLOR", value);
        }
        let output = succeed(&mut command);
        assert!(has_colours(&output.stderr), "NO_COLOR={no_color:?}");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.contains("\x1b[32m✓\x1b[0m Registration: approved"),
            "{stdout}"
        );
    }
}

#[test]
fn das_color_and_the_config_file_set_the_choice_too() {
    let dir = tempfile::tempdir().unwrap();
    let output = succeed(register(dir.path(), &[]).env("DAS_COLOR", "always"));
    assert!(has_colours(&output.stderr));
    let config = dir.path().join("das.toml");
    std::fs::write(&config, "color = \"always\"\n").unwrap();
    let output = succeed(&mut register(
        dir.path(),
        &["--config", config.to_str().unwrap()],
    ));
    assert!(has_colours(&output.stderr));
}

/// Runs `das` on a pseudo-terminal (util-linux `script`): stdout and stderr both go there.
fn on_a_terminal(colour_args: &[&str], no_color: Option<&str>) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let command = register(dir.path(), colour_args);
    let mut line = vec![command.get_program().to_string_lossy().into_owned()];
    line.extend(command.get_args().map(|a| a.to_string_lossy().into_owned()));
    let quoted: Vec<String> = line.iter().map(|w| format!("'{w}'")).collect();
    let mut script = Command::new("script");
    script
        .args(["-qec", &quoted.join(" "), "/dev/null"])
        .stdin(Stdio::null())
        .env_remove("NO_COLOR")
        .env_remove("DAS_COLOR")
        .env_remove("DAS_URL")
        .env("XDG_DATA_HOME", dir.path());
    if let Some(value) = no_color {
        script.env("NO_COLOR", value);
    }
    succeed(&mut script).stdout
}

#[test]
fn on_a_terminal_colours_are_on_unless_no_color_or_never() {
    assert!(has_colours(&on_a_terminal(&[], None)));
    // NO_COLOR counts only when not empty (no-color.org).
    assert!(has_colours(&on_a_terminal(&[], Some(""))));
    assert!(!has_colours(&on_a_terminal(&[], Some("1"))));
    assert!(!has_colours(&on_a_terminal(&["--color", "never"], None)));
}

#[test]
fn the_colour_probe_tells_colours_from_cursor_moves() {
    assert!(has_colours(b"a\x1b[32mgreen\x1b[0m"));
    assert!(has_colours(b"\x1b[m"));
    assert!(!has_colours(b"\r\x1b[2K\x1b[1Abar"));
    assert!(!has_colours(b"plain"));
}
