//! `--color auto|always|never`: whether log lines (stderr) and the readable view (stdout)
//! carry ANSI colours. `auto` colours a stream only when it is a terminal and `NO_COLOR` is
//! unset or empty (no-color.org); an explicit `always` or `never` wins over `NO_COLOR`.

use std::io::IsTerminal;

use clap::ValueEnum;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether output written to `stream` gets colours.
    pub fn colours(self, stream: &impl IsTerminal) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => stream.is_terminal() && !no_color_requested(),
        }
    }
}

fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty())
}
