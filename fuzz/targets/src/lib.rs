//! The fuzz targets of libdas: one function per decoder, each taking arbitrary bytes and
//! panicking (via `assert!`) only when an invariant breaks: a round trip that changes the value,
//! a length that disagrees with its header, a forged signature. Bad input itself must come back
//! as a typed error. cargo-fuzz (`fuzz/fuzz_targets/`) and the corpus replay test
//! (`tests/das/fuzz_corpora.rs` of the core) call the same functions.

#![forbid(unsafe_code)]

mod audiohook;
mod socketio;
mod trd;
mod wav;

pub use audiohook::{audiohook_message, signature_input};
pub use socketio::{eio_packet, sio_packet};
pub use trd::trd_webhook;
pub use wav::wav_reader;

/// A fuzz target: any bytes in, a panic only when an invariant breaks.
pub type Target = fn(&[u8]);

/// Every target by its cargo-fuzz name (also its corpus directory under `fuzz/corpus/`).
pub const TARGETS: &[(&str, Target)] = &[
    ("trd_webhook", trd_webhook),
    ("eio_packet", eio_packet),
    ("sio_packet", sio_packet),
    ("audiohook_message", audiohook_message),
    ("signature_input", signature_input),
    ("wav_reader", wav_reader),
];
