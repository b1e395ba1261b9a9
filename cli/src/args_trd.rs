//! Arguments of `das trd transcribe` and `das trd job …`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::args_tools::TrdArgs;

#[derive(Debug, Clone, Args)]
pub struct TranscribeArgs {
    #[command(flatten)]
    pub trd: TrdArgs,
    /// Recordings to transcribe (each uploaded streamed from disk, all at once).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// A `config` item for every job: key=value (repeatable) or one JSON object. (`--config`
    /// is taken: it names the TOML defaults file of every `das` command.)
    #[arg(long = "job-config", short = 'C', value_name = "K=V|JSON")]
    pub job_config: Vec<String>,
    /// Tag every job with this identifier.
    #[arg(long)]
    pub tag: Option<String>,
    /// Receive results at this URL (scheme://host:port, as TRD reaches this machine): a
    /// receiver is started on its port (self-signed HTTPS, or plain HTTP for http://) and
    /// registered with webhook/validate.
    #[arg(long, value_name = "URL", conflicts_with = "poll")]
    pub webhook: Option<String>,
    /// Skip webhook/validate (on-premises TRD without it).
    #[arg(long, requires = "webhook")]
    pub no_validate: bool,
    /// Learn that jobs are done by polling job/status (the default without --webhook).
    #[arg(long)]
    pub poll: bool,
    /// Print each result as one JSON line instead of a summary.
    #[arg(long)]
    pub json: bool,
    /// Write each result to DIR/<file name>.json.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Seconds to wait for each result after its upload.
    #[arg(long, value_name = "SECS", default_value_t = 1800)]
    pub timeout: u64,
    /// Send job/stop for a job whose result did not come in time.
    #[arg(long)]
    pub stop_on_timeout: bool,
    /// Delete each job from TRD once its result is saved.
    #[arg(long)]
    pub delete_after: bool,
}

#[derive(Debug, Subcommand)]
pub enum JobCommand {
    /// Print a job's status (JSON of `job`).
    Status(JobIdArgs),
    /// Print a job's result: a summary, or the document with --json.
    Result {
        #[command(flatten)]
        id: JobIdArgs,
        /// Print the result document as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List jobs, one JSON line each, then `total N` on stderr when TRD says.
    List {
        #[command(flatten)]
        trd: TrdArgs,
        #[arg(long)]
        page: Option<u32>,
        #[arg(long)]
        limit: Option<u32>,
        #[arg(long)]
        tag: Option<String>,
    },
    /// Stop a queued or running job.
    Stop(JobIdArgs),
    /// Run a finished or failed job again.
    Retry(JobIdArgs),
    /// Delete a job and its result.
    Delete(JobIdArgs),
    /// Query jobs; prints each record as one JSON line as it arrives.
    Query(QueryArgs),
}

#[derive(Debug, Clone, Args)]
pub struct JobIdArgs {
    #[command(flatten)]
    pub trd: TrdArgs,
    /// The job id.
    pub job_id: String,
}

#[derive(Debug, Clone, Args)]
pub struct QueryArgs {
    #[command(flatten)]
    pub trd: TrdArgs,
    /// Jobs with this tag (repeatable).
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    /// Jobs of this file name (repeatable).
    #[arg(long = "filename")]
    pub filenames: Vec<String>,
    /// Jobs in this status (repeatable).
    #[arg(long = "status")]
    pub statuses: Vec<String>,
    /// Only this job field in each record (repeatable).
    #[arg(long = "projection")]
    pub projection: Vec<String>,
    /// Include the segments.
    #[arg(long)]
    pub result: bool,
    #[arg(long)]
    pub page: Option<u32>,
    #[arg(long)]
    pub limit: Option<u32>,
    /// Created at or after this ISO 8601 time.
    #[arg(long)]
    pub start_date: Option<String>,
    /// Created at or before this ISO 8601 time.
    #[arg(long)]
    pub end_date: Option<String>,
}
