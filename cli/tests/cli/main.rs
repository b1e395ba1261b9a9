//! The `das` command's integration tests, as one test binary (the dependency graph is linked
//! once): each module runs `das` as a process against the emulator, TRD stand-ins or another
//! `das`. Filter by module, e.g. `cargo test -p libdas-cli --test cli webhook_serve::`.

mod support;

mod audiohook;
mod colours;
mod credential_hint;
mod emulator_process;
mod genesys_flow;
mod listen_host;
mod proxy;
mod reliability_hostile;
mod reliability_webhook;
mod sessions;
mod trd;
mod trd_jobs;
mod trusted_roots;
mod version;
mod webhook_parse;
mod webhook_serve;
