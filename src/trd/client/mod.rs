//! Client for TRD's REST API v3: jobs (create with a streamed upload, status, result, list,
//! stop, retry, delete, query) and one-call `transcribe`, plus the webhook endpoints
//! (`webhook/whoami`, `webhook/validate`). Bearer tokens are static or obtained from the CPqD
//! license server; HTTP Basic also works; 429/503 are retried.

mod auth;
mod error;
mod http;
mod jobs;
mod query;
mod retry;
#[cfg(feature = "receiver")]
mod setup;
mod transcribe;
mod upload;
#[cfg(feature = "receiver")]
mod webhooks;

pub use auth::{license_server_token, Credentials};
pub use error::{TrdError, TrdErrorKind};
pub use http::{TrdClient, TrdClientBuilder, ValidateOptions};
pub use jobs::{JobPage, ListJobs};
pub use query::{JobQuery, JobRecords};
pub use retry::RetryPolicy;
pub use transcribe::{Progress, ProgressHandler, Transcribe, WaitFor};
pub use upload::{CreateJob, UploadProgress};
#[cfg(feature = "receiver")]
pub use webhooks::JobWebhooks;
