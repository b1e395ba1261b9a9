//! The emulator's integration tests, as one test binary (the dependency graph is linked once):
//! each module is one subject, driven by libdas's own clients, raw Socket.IO/WebSocket peers
//! and the python-socketio example. Filter by module, e.g.
//! `cargo test -p libdas-emulator --test emulator reliability_`.

mod common;

mod audiohook;
mod collected_audio;
mod doc_example;
mod event_timing;
mod faults;
mod https_proxy;
mod proxy;
mod reliability_audio;
mod reliability_auth;
mod reliability_hostile;
mod reliability_load;
mod reliability_receiver_load;
mod reliability_restart;
mod reliability_signalling;
mod sessions;
mod signalling;
mod socks_proxy;
mod token;
mod trd;
mod trd_jobs;
mod trd_tls;
mod trust;
mod twilio;
mod voiceprint;
