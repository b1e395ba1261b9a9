//! `transcribe`: one call that creates a job and waits for its result, by webhook or by polling
//! `job/status` with backoff, within a deadline; what trd-sdk-python's `transcribe` does.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::error::TrdError;
use super::http::TrdClient;
use super::upload::CreateJob;
#[cfg(feature = "receiver")]
use super::webhooks::JobWebhooks;
use crate::trd::{Job, JobResult, JobStatus};

/// How often a webhook wait also polls `job/status`, by default.
const BACKUP_POLL: Duration = Duration::from_secs(60);

/// Shortest wait between polls, whatever the options say.
const MIN_POLL: Duration = Duration::from_millis(100);

/// Transient poll failures in a row after which the last one is returned: about a minute of
/// a failing gateway at the longest default interval.
const MAX_FAILED_POLLS: u32 = 8;

/// A step of a `transcribe` call, for progress displays.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// Bytes of the recording sent so far (starts again from 0 if the upload is retried).
    Uploading {
        /// Bytes sent.
        sent: u64,
        /// The file's size.
        total: u64,
    },
    /// TRD accepted the job.
    Created(&'a Job),
    /// A polled status (polling only).
    Status(&'a Job),
    /// The result arrived.
    Finished(&'a JobResult),
}

/// Called at each [`Progress`] step.
pub type ProgressHandler = Arc<dyn Fn(&Progress<'_>) + Send + Sync>;

/// How `transcribe` learns that the job is done.
#[derive(Debug, Clone)]
pub enum WaitFor {
    /// The result is delivered to this shared receiver, whose URL is added to the job's
    /// callback URLs.
    #[cfg(feature = "receiver")]
    Webhook(JobWebhooks),
    /// `job/status` is polled, first after `first` and then at doubling intervals up to `max`;
    /// the result is then fetched with `job/result`.
    Poll {
        /// Wait before the first poll.
        first: Duration,
        /// Longest wait between polls.
        max: Duration,
    },
}

/// Options of [`TrdClient::transcribe`].
#[derive(Clone)]
pub struct Transcribe {
    pub(crate) wait: WaitFor,
    pub(crate) backup_poll: Option<Duration>,
    pub(crate) timeout: Duration,
    pub(crate) stop_on_timeout: bool,
    pub(crate) delete_after: bool,
    pub(crate) progress: Option<ProgressHandler>,
}

impl fmt::Debug for Transcribe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transcribe")
            .field("wait", &self.wait)
            .field("backup_poll", &self.backup_poll)
            .field("timeout", &self.timeout)
            .field("stop_on_timeout", &self.stop_on_timeout)
            .field("delete_after", &self.delete_after)
            .finish_non_exhaustive()
    }
}

impl Transcribe {
    /// Waits by polling `job/status` (first after 500 ms, then doubling up to 10 s).
    pub fn poll() -> Self {
        Self::new(WaitFor::Poll {
            first: Duration::from_millis(500),
            max: Duration::from_secs(10),
        })
    }

    /// Waits for the result to reach `hooks` (registered as a callback URL of the job).
    #[cfg(feature = "receiver")]
    pub fn webhook(hooks: JobWebhooks) -> Self {
        Self::new(WaitFor::Webhook(hooks))
    }

    /// Waits as `wait` says.
    pub fn new(wait: WaitFor) -> Self {
        Transcribe {
            wait,
            backup_poll: Some(BACKUP_POLL),
            timeout: Duration::from_secs(30 * 60),
            stop_on_timeout: false,
            delete_after: false,
            progress: None,
        }
    }

    /// Longest wait for the result after the job is created. Default 30 minutes.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// While waiting for a webhook, polls `job/status` every `every` too (`None`: never), and
    /// takes the result from `job/result` once the job is done: TRD may fail to reach the
    /// webhook (`callback_failure_reason`), and the wait would then last until the timeout.
    /// Default every 60 s.
    pub fn backup_poll(mut self, every: Option<Duration>) -> Self {
        self.backup_poll = every;
        self
    }

    /// Sends `job/stop` when the wait runs out. Default off.
    pub fn stop_on_timeout(mut self, stop: bool) -> Self {
        self.stop_on_timeout = stop;
        self
    }

    /// Deletes the job from TRD once its result is in hand (as trd-sdk-python's
    /// `delete_after`). Default off.
    pub fn delete_after(mut self, delete: bool) -> Self {
        self.delete_after = delete;
        self
    }

    /// Calls `progress` at each step.
    pub fn on_progress(mut self, progress: impl Fn(&Progress<'_>) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    fn report(&self, step: Progress<'_>) {
        if let Some(progress) = &self.progress {
            progress(&step);
        }
    }
}

impl TrdClient {
    /// Creates the job and waits for its result.
    ///
    /// A `COMPLETED` job gives its result; a `FAILED` one [`TrdError::JobFailed`] with its
    /// `failure_reason`; no result within the timeout [`TrdError::WaitTimeout`] (after
    /// `job/stop` when [`Transcribe::stop_on_timeout`] is set). Errors of `job/create` are
    /// returned as they are.
    pub async fn transcribe(
        &self,
        job: &CreateJob,
        options: &Transcribe,
    ) -> Result<JobResult, TrdError> {
        let mut job = job.clone();
        #[cfg(feature = "receiver")]
        if let WaitFor::Webhook(hooks) = &options.wait {
            job = job.callback_url(hooks.url());
        }
        if let Some(progress) = options.progress.clone() {
            let own = job.progress.take();
            job = job.on_progress(move |sent, total| {
                if let Some(own) = &own {
                    own(sent, total);
                }
                progress(&Progress::Uploading { sent, total });
            });
        }
        let created = self.create_job(&job).await?;
        options.report(Progress::Created(&created));
        let deadline = crate::deadline::deadline_in(options.timeout);
        let mut last_status = None;
        let result = match &options.wait {
            #[cfg(feature = "receiver")]
            WaitFor::Webhook(hooks) => {
                let delivered = hooks.wait(&created.id, options.timeout);
                let polled = self.backup_poll(&created.id, deadline, options, &mut last_status);
                tokio::select! {
                    delivered = delivered => delivered,
                    Some(polled) = polled => Some(polled),
                }
            }
            WaitFor::Poll { first, max } => self
                .poll_until_done(
                    &created.id,
                    (*first, *max),
                    deadline,
                    options,
                    &mut last_status,
                )
                .await
                .map_err(|source| TrdError::InJob {
                    job_id: created.id.clone(),
                    source: Box::new(source),
                })?,
        };
        let Some(result) = result else {
            return Err(self.timed_out(&created.id, options, last_status).await);
        };
        options.report(Progress::Finished(&result));
        if options.delete_after {
            if let Err(error) = self.delete(&created.id).await {
                tracing::warn!(job_id = %created.id, %error, "cannot delete the finished job");
            }
        }
        if result.job.status == JobStatus::Failed {
            return Err(TrdError::JobFailed {
                job_id: created.id,
                reason: result.job.failure_reason.clone().unwrap_or_default(),
            });
        }
        Ok(result)
    }

    /// Polls until the job is `COMPLETED` or `FAILED`, then fetches its result; `None` when the
    /// deadline passes first. A transient failure (a busy or failing gateway, a broken
    /// connection, no answer) is polled again: one bad answer must not end a long wait. A
    /// result that is not the job's final one (another job's, or one still in progress while
    /// the status said done) is a protocol error, or polled again.
    ///
    /// `last_status` keeps the status of the last poll that answered, for the timeout's error.
    async fn poll_until_done(
        &self,
        job_id: &str,
        (first, max): (Duration, Duration),
        deadline: Instant,
        options: &Transcribe,
        last_status: &mut Option<JobStatus>,
    ) -> Result<Option<JobResult>, TrdError> {
        let mut interval = first.max(MIN_POLL);
        // Transient failures in a row: a failure that lasts is reported, not waited out.
        let mut failures = 0;
        let mut told_undocumented = false;
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            tokio::time::sleep(interval.min(deadline - now)).await;
            interval = (interval * 2).min(max.max(MIN_POLL));
            let job = match self.status(job_id).await {
                Ok(job) => job,
                Err(error) if poll_again(&error, &mut failures, job_id, "job/status") => continue,
                Err(error) => return Err(error),
            };
            failures = 0;
            options.report(Progress::Status(&job));
            if let JobStatus::Other(status) = &job.status {
                if !std::mem::replace(&mut told_undocumented, true) {
                    tracing::warn!(
                        %job_id, %status,
                        "job/status is one TRD does not document; polling on until COMPLETED or FAILED"
                    );
                }
            }
            let done = is_final(&job.status);
            *last_status = Some(job.status);
            if !done {
                continue;
            }
            match self.result(job_id).await {
                Ok(result) if result.job.id != job_id => {
                    return Err(TrdError::InvalidResponse(format!(
                        "job/result/{job_id} answered the result of job {:?}",
                        result.job.id
                    )))
                }
                Ok(result) if is_final(&result.job.status) => return Ok(Some(result)),
                Ok(result) => tracing::warn!(
                    %job_id, status = %result.job.status,
                    "job/result is not final although job/status said so; polling again"
                ),
                Err(error) if poll_again(&error, &mut failures, job_id, "job/result") => {}
                Err(error) => return Err(error),
            }
        }
    }

    /// The result found by polling beside a webhook wait; `None` (at once when there is no
    /// backup poll, or after a failure that is not transient: the webhook may still come)
    /// leaves the result to the webhook.
    #[cfg(feature = "receiver")]
    async fn backup_poll(
        &self,
        job_id: &str,
        deadline: Instant,
        options: &Transcribe,
        last_status: &mut Option<JobStatus>,
    ) -> Option<JobResult> {
        let every = options.backup_poll?;
        match self
            .poll_until_done(job_id, (every, every), deadline, options, last_status)
            .await
        {
            Ok(polled) => polled,
            Err(error) => {
                tracing::warn!(%job_id, %error, "the backup poll stopped; waiting for the webhook");
                None
            }
        }
    }

    async fn timed_out(
        &self,
        job_id: &str,
        options: &Transcribe,
        last_status: Option<JobStatus>,
    ) -> TrdError {
        let stopped = options.stop_on_timeout && {
            match self.stop(job_id).await {
                Ok(_) => true,
                Err(error) => {
                    tracing::warn!(%job_id, %error, "cannot stop the job after the wait ran out");
                    false
                }
            }
        };
        TrdError::WaitTimeout {
            job_id: job_id.to_owned(),
            waited: options.timeout,
            stopped,
            last_status,
        }
    }
}

/// Whether a poll that failed with `error` is made again: a transient failure, fewer than
/// [`MAX_FAILED_POLLS`] in a row (`failures` counts them).
fn poll_again(error: &TrdError, failures: &mut u32, job_id: &str, call: &str) -> bool {
    *failures += 1;
    let again = error.is_transient() && *failures < MAX_FAILED_POLLS;
    if again {
        tracing::warn!(%job_id, %error, "{call} failed; polling again");
    }
    again
}

/// Whether a job in `status` has its last result.
fn is_final(status: &JobStatus) -> bool {
    matches!(status, JobStatus::Completed | JobStatus::Failed)
}
