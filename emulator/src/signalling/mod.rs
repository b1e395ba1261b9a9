//! Socket.IO signalling: bearer-token connect middleware, the `/socket.io/register` and
//! `/socket.io/verify` namespaces, `initialize` validation and event emission.

mod initialize;
mod namespace;
mod sink;

pub use initialize::{parse_initialize, InitializeError};
pub(crate) use namespace::register_namespaces;
pub(crate) use sink::EventSink;
