//! TRD jobs for C: a client handle (`das_trd_client_*`), a job request (`das_trd_job_*`), the
//! blocking job calls (`das_trd_create_job`, `das_trd_call` for status, result, stop and
//! retry, `das_trd_delete_job`, `das_trd_list_jobs`), streamed queries (`das_trd_query_*`) and
//! `das_trd_transcribe` by polling or through a shared receiver (`das_trd_webhooks_*`). Jobs
//! and results come back as `das_webhook` handles, read with the `das_webhook_*` getters.

mod calls;
mod client;
mod error;
mod job;
mod query;
mod transcribe;
mod webhook_calls;

pub use client::das_trd_client;
pub(crate) use error::trd_error;
pub use job::das_trd_job;
pub use query::das_trd_query;
pub use transcribe::das_trd_webhooks;
pub(crate) use webhook_calls::{validate, whoami};
