//! `das._native` items behind `das.trd.Client`: the TRD job calls and `transcribe`, a shared
//! webhook receiver for many jobs (`TrdJobWebhooks`) and streamed query records
//! (`TrdQuery`). Jobs and results come back as the same lazy views as webhook bodies.

use std::path::PathBuf;
use std::sync::Arc;

use das::trd::{
    CreateJob, JobQuery, JobRecords, JobResult, JobWebhooks, ListJobs, Transcribe, TrdClient,
    ValidateOptions,
};
use pyo3::prelude::*;
use tokio::sync::Mutex;

use crate::errors::{das_error, Kind};
use crate::runtime::block_on;
use crate::trd::{receiver_builder, seconds, trd_error};
use crate::trd_view::{result_view, TrdView};

/// The job calls of one TRD API: made by `TrdClient.jobs()`, sharing its client (one
/// construction path for every TRD call).
#[pyclass(module = "das._native", frozen)]
pub struct TrdJobClient {
    client: Arc<TrdClient>,
}

impl TrdJobClient {
    pub fn new(client: Arc<TrdClient>) -> Self {
        Self { client }
    }
}

fn job_request(
    path: PathBuf,
    config: Vec<String>,
    callback_urls: Vec<String>,
    tag: Option<String>,
) -> CreateJob {
    let mut job = CreateJob::new(path);
    for item in config {
        job = job.config(item);
    }
    for url in callback_urls {
        job = job.callback_url(url);
    }
    if let Some(tag) = tag {
        job = job.tag(tag);
    }
    job
}

#[pymethods]
impl TrdJobClient {
    /// `job/create`: the created job's document (`job` only).
    #[pyo3(signature = (path, *, config=Vec::new(), callback_urls=Vec::new(), tag=None))]
    fn create_job(
        &self,
        py: Python<'_>,
        path: PathBuf,
        config: Vec<String>,
        callback_urls: Vec<String>,
        tag: Option<String>,
    ) -> PyResult<TrdView> {
        let job = job_request(path, config, callback_urls, tag);
        let created = block_on(py, self.client.create_job(&job))?.map_err(trd_error)?;
        Ok(result_view(created.into()))
    }

    /// `job/status/{id}`, `job/result/{id}`, `job/stop/{id}` or `job/retry/{id}` (`call`).
    fn call(&self, py: Python<'_>, call: &str, job_id: &str) -> PyResult<TrdView> {
        let client = &self.client;
        let answer = match call {
            "status" => block_on(py, client.status(job_id))?.map(JobResult::from),
            "result" => block_on(py, client.result(job_id))?,
            "stop" => block_on(py, client.stop(job_id))?.map(JobResult::from),
            "retry" => block_on(py, client.retry(job_id))?.map(JobResult::from),
            other => {
                return Err(das_error(
                    Kind::InvalidArgument,
                    format!("unknown job call {other:?}"),
                ))
            }
        };
        Ok(result_view(answer.map_err(trd_error)?))
    }

    /// `DELETE job/{id}`.
    fn delete(&self, py: Python<'_>, job_id: &str) -> PyResult<()> {
        block_on(py, self.client.delete(job_id))?.map_err(trd_error)
    }

    /// `GET job`: `(job documents, total or None)`.
    #[pyo3(signature = (*, page=None, limit=None, tag=None))]
    fn list(
        &self,
        py: Python<'_>,
        page: Option<u32>,
        limit: Option<u32>,
        tag: Option<String>,
    ) -> PyResult<(Vec<TrdView>, Option<u64>)> {
        let filter = ListJobs { page, limit, tag };
        let page = block_on(py, self.client.list(&filter))?.map_err(trd_error)?;
        let jobs = page
            .jobs
            .into_iter()
            .map(|j| result_view(j.into()))
            .collect();
        Ok((jobs, page.total))
    }

    /// `GET query/job` with a JSON filter (`tags`, `filenames`, `statuses`, `projection`,
    /// `with_result`, `page`, `limit`, `start_date`, `end_date`).
    fn query(&self, py: Python<'_>, filter_json: &str) -> PyResult<TrdQuery> {
        let filter: JobQuery = serde_json::from_str(filter_json)
            .map_err(|e| das_error(Kind::InvalidArgument, format!("query filter: {e}")))?;
        let records = block_on(py, self.client.query(&filter))?.map_err(trd_error)?;
        Ok(TrdQuery {
            records: Mutex::new(records),
        })
    }

    /// Creates the job and waits for its result: through `webhooks`, or by polling when
    /// `None`. Raises `JobFailedError` for a `FAILED` job, `TimeoutError` when none came.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (path, *, config=Vec::new(), callback_urls=Vec::new(), tag=None,
        webhooks=None, timeout=1800.0, stop_on_timeout=false, delete_after=false))]
    fn transcribe(
        &self,
        py: Python<'_>,
        path: PathBuf,
        config: Vec<String>,
        callback_urls: Vec<String>,
        tag: Option<String>,
        webhooks: Option<&TrdJobWebhooks>,
        timeout: f64,
        stop_on_timeout: bool,
        delete_after: bool,
    ) -> PyResult<TrdView> {
        let job = job_request(path, config, callback_urls, tag);
        let options = match webhooks {
            Some(webhooks) => Transcribe::webhook(webhooks.hooks.clone()),
            None => Transcribe::poll(),
        }
        .timeout(seconds(timeout, "timeout")?)
        .stop_on_timeout(stop_on_timeout)
        .delete_after(delete_after);
        let result = block_on(py, self.client.transcribe(&job, &options))?.map_err(trd_error)?;
        Ok(result_view(result))
    }

    /// Starts a receiver shared by the `transcribe` calls given it; with `validate`, it is
    /// registered through `webhook/validate` first (host from `whoami` unless `public_host`).
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (host="127.0.0.1", port=0, *, public_host=None, tls="self-signed",
        validate=true))]
    fn start_webhooks(
        &self,
        py: Python<'_>,
        host: &str,
        port: u16,
        public_host: Option<String>,
        tls: &str,
        validate: bool,
    ) -> PyResult<TrdJobWebhooks> {
        let builder = receiver_builder(
            host,
            port,
            None,
            tls,
            None,
            None,
            None,
            public_host,
            None,
            1024,
            32 << 20,
        )?;
        let validate = validate.then(ValidateOptions::default);
        let started =
            block_on(py, self.client.start_job_webhooks(builder, validate))?.map_err(trd_error)?;
        Ok(TrdJobWebhooks { hooks: started })
    }
}

/// A receiver whose deliveries go to the `transcribe` calls waiting for them.
#[pyclass(module = "das._native", frozen)]
pub struct TrdJobWebhooks {
    hooks: JobWebhooks,
}

#[pymethods]
impl TrdJobWebhooks {
    /// The callback URL jobs are given.
    #[getter]
    fn url(&self) -> &str {
        self.hooks.url()
    }

    /// Stops the receiver; pending waits then time out.
    fn shutdown(&self, py: Python<'_>) -> PyResult<()> {
        block_on(py, self.hooks.shutdown())
    }
}

/// The records of a query, read as TRD streams them.
#[pyclass(module = "das._native", frozen)]
pub struct TrdQuery {
    records: Mutex<JobRecords>,
}

#[pymethods]
impl TrdQuery {
    /// The next record, `None` after the last one.
    fn next_record(&self, py: Python<'_>) -> PyResult<Option<TrdView>> {
        let next = block_on(py, async { self.records.lock().await.next().await })?;
        next.map(|record| record.map(result_view).map_err(trd_error))
            .transpose()
    }
}
