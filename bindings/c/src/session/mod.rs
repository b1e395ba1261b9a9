//! das-Peak Streaming sessions for C: a `das_session` built from a `das_config`, started with
//! one blocking call (or one that returns at once and queues the outcome as an event), fed
//! with audio by one thread while another polls its ordered event queue (with a timeout, or
//! through a file descriptor for select/epoll), and closed from any thread (waiting for the
//! disconnect or not).

mod ffi;
mod queue;
mod sink;
mod start;
mod value;

pub use ffi::das_session;
pub use queue::{EventQueue, Wait};
pub use value::SessionValue;
