//! The core's integration tests, as one test binary (the dependency graph is linked once):
//! each module is one subject, run against real peers on loopback. Filter by module, e.g.
//! `cargo test --test das socketio_python::` (from the workspace root).

mod support;

mod audiohook_client_compliance;
#[cfg(feature = "audiohook-server")]
mod audiohook_server_compliance;
#[cfg(feature = "audiohook-server")]
mod audiohook_session;
mod auth;
#[cfg(feature = "audiohook-server")]
mod channel;
mod fuzz_corpora;
mod session;
mod session_sink;
mod socketio_node;
mod socketio_python;
mod socketio_raw;
mod socketio_sink;
mod socketio_socketioxide;
#[cfg(feature = "audiohook-server")]
mod tls;
#[cfg(feature = "receiver")]
mod trd_client;
#[cfg(feature = "receiver")]
mod trd_jobs_fastapi;
mod trd_parse;
#[cfg(feature = "receiver")]
mod trd_receiver;
mod twilio_client;
