//! The native half of the `das` Python package (`das._native`): thin PyO3 wrappers over the
//! Rust core on one shared tokio runtime. The public API is the pure-Python package `das`.

// One borrow of a descriptor the caller lends (drive.rs) is the only unsafe code.
#![deny(unsafe_code)]
// Only Python reaches these types, through PyO3: a Rust `Debug` would have no reader.
#![allow(missing_debug_implementations)]

mod auth;
mod blocked;
mod cancel;
mod channel;
mod convert;
mod drive;
mod errors;
mod event;
mod exit;
mod fork;
mod log;
mod proxy;
mod runtime;
mod session;
mod sio;
mod trd;
mod trd_jobs;
mod trd_node;
mod trd_record;
mod trd_view;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    log::install();
    runtime::remember_main_thread(m.py())?;
    fork::register();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(auth::get_access_token, m)?)?;
    m.add_function(wrap_pyfunction!(exit::prepare_exit, m)?)?;
    m.add_function(wrap_pyfunction!(drive::caller_driven, m)?)?;
    m.add_function(wrap_pyfunction!(drive::run, m)?)?;
    m.add_function(wrap_pyfunction!(log::next_log_records, m)?)?;
    m.add_class::<sio::SioConnection>()?;
    m.add_class::<sio::ReconnectionSettings>()?;
    m.add_class::<session::Session>()?;
    m.add_class::<cancel::StartCancel>()?;
    m.add_class::<event::PyEvent>()?;
    m.add_class::<channel::ChannelConfig>()?;
    m.add_class::<channel::AudioChannel>()?;
    m.add_function(wrap_pyfunction!(trd::trd_parse, m)?)?;
    m.add_function(wrap_pyfunction!(trd::check_token, m)?)?;
    m.add_class::<trd_record::TrdField>()?;
    m.add_class::<trd_view::TrdView>()?;
    m.add_class::<trd_view::TrdList>()?;
    m.add_class::<trd_view::TrdListIter>()?;
    m.add_class::<trd::WebhookReceiver>()?;
    m.add_class::<trd::TrdClient>()?;
    m.add_class::<trd_jobs::TrdJobClient>()?;
    m.add_class::<trd_jobs::TrdJobWebhooks>()?;
    m.add_class::<trd_jobs::TrdQuery>()?;
    Ok(())
}
