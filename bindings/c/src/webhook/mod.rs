//! CPqD TRD webhooks for C: the pure parser with typed getters (`das_webhook_*`), the HTTPS
//! receiver and its deliveries (`das_webhook_receiver_*`, `das_delivery_*`), and the TRD client
//! calls `das_trd_whoami` / `das_trd_validate`.

mod client;
mod delivery;
mod document;
mod job;
mod receiver;
mod segments;

pub use delivery::das_delivery;
pub use document::{das_job_status, das_webhook, Webhook, DAS_MAX_BODY_LEN};
pub use receiver::das_webhook_receiver;
