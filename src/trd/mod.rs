//! CPqD TRD (Transcrição de Diálogos) webhooks: a typed, tolerant parser for job results, token
//! and job-id checks, a receiver that loses no delivery (feature `receiver`), and a client for
//! the job API (create, status, result, list, stop, retry, delete, query, `transcribe`) and
//! `webhook/whoami` / `webhook/validate`.

pub mod client;
mod config;
mod fast;
mod model;
mod parse;
#[cfg(feature = "receiver")]
pub mod receiver;
mod seq;
mod status;
mod tape;
mod tasks;
mod timestamp;
mod transcript;
mod verify;
mod wire;

pub use crate::tls::ensure_crypto_provider;
#[cfg(feature = "receiver")]
pub use client::JobWebhooks;
pub use client::{
    license_server_token, CreateJob, Credentials, JobPage, JobQuery, JobRecords, ListJobs,
    Progress, ProgressHandler, RetryPolicy, Transcribe, TrdClient, TrdClientBuilder, TrdError,
    TrdErrorKind, UploadProgress, ValidateOptions, WaitFor,
};
pub use config::ConfigView;
pub use model::{
    Alternative, DtmfTone, Job, JobResult, Media, MediaInput, MediaOutput, OutputChannel, Segment,
    Word,
};
pub use parse::{parse_webhook, ParseError, ParseErrorKind};
#[cfg(feature = "receiver")]
pub use receiver::{Delivery, ReceiverBuilder, ReceiverError, Tls, WebhookReceiver};
pub use status::{JobStatus, SegmentStatus};
pub use tasks::{AgeEstimate, EmotionEstimate, GenderEstimate, TaskResults};
pub use timestamp::{DateTime, Timestamp};
pub use transcript::{SpeakerId, TimedWord};
pub use verify::{check_token, tokens_equal, verify_job_id, verify_token, VerifyError};
