//! Session events for C: the `das_event` handle, its kind as a stable number, borrowed name and
//! JSON, and typed getters that answer `DAS_RESULT_NOT_PRESENT` when the kind has no such field.

mod ffi;
mod queued;
mod value;

pub use ffi::das_event;
pub use queued::QueuedEvent;
pub use value::{das_event_kind, das_verdict, EventValue};
