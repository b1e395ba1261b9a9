//! The TRD webhook receiver: an HTTP(S) server for `POST /{job_id}` and `POST /{name}/{job_id}`
//! that checks each delivery, hands it to the application through a bounded queue and, with a
//! spool directory, keeps it on disk until the application acknowledges it.

mod builder;
mod delivery;
mod error;
mod handler;
mod seen;
mod server;
mod spool;
mod tls;

pub use builder::{ReceiverBuilder, Tls};
pub use delivery::Delivery;
pub use error::ReceiverError;
pub use server::WebhookReceiver;
