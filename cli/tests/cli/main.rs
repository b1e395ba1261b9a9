//! The `das` command's integration tests, as one test binary (the dependency graph is linked
//! once): each module runs `das` as a process against the emulator, TRD stand-ins or another
//! `das`. Filter by module, e.g. `cargo test -p das-cli --test cli webhook_serve::`.

mod support;

mod audiohook;
mod colours;
mod credential_hint;
mod listen_host;
mod reliability_webhook;
mod sessions;
mod trd;
mod trusted_roots;
mod webhook_parse;
mod webhook_serve;
