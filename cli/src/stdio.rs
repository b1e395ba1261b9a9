//! The command's output. `println!` panics when standard output is a pipe whose reader has
//! gone (`das … | head`); these macros end the command quietly instead, as the reader asked,
//! and report any other failure to write. A closed stderr is no reason to stop: what it would
//! have said is lost, the work goes on.

use std::fmt;
use std::io::{self, Write};

use crate::exit::Exit;

/// `print!` to stdout.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::stdio::write_out(format_args!($($arg)*))
    };
}

/// `println!` to stdout.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::stdio::write_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprintln!`, ignoring a stderr that cannot be written.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::stdio::write_err(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {errln, out, outln};

pub fn write_out(text: fmt::Arguments<'_>) {
    if let Err(error) = io::stdout().lock().write_fmt(text) {
        // `process::exit`: the command has nowhere left to say anything.
        if error.kind() == io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        write_err(format_args!(
            "das: cannot write to standard output: {error}\n"
        ));
        std::process::exit(Exit::Failure as i32);
    }
}

pub fn write_err(text: fmt::Arguments<'_>) {
    let _ = io::stderr().lock().write_fmt(text);
}
