//! das-Peak Streaming sessions for C: a `das_session` built from a `das_config`, started with
//! one blocking call (or one that returns at once and queues the outcome as an event), fed
//! with audio by one thread while another polls its ordered event queue (with a timeout, or
//! through a file descriptor for select/epoll), and closed from any thread (waiting for the
//! disconnect or not).

mod ffi;
mod sink;
mod start;
mod value;

pub use das_core::runtime::queue::Wait;
pub use ffi::das_session;

/// A C session's event queue: the core's, carrying the C binding's own events as well.
pub type SessionQueue = das_core::runtime::queue::EventQueue<crate::event::QueuedEvent>;
pub use value::SessionValue;
