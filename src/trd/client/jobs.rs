//! The job calls: `job/create`, `job/status`, `job/result`, `job` (list), `job/stop`,
//! `job/retry` and `DELETE job`, answered with the typed [`Job`] / [`JobResult`].

use reqwest::Method;
use serde_json::Value;

use super::error::TrdError;
use super::http::{Payload, TrdClient};
use super::upload::CreateJob;
use crate::trd::{parse_webhook, Job, JobResult};

/// Which page of `GET /job` to fetch; unset fields are left to TRD (page 1, 100 jobs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListJobs {
    /// 1-based page number.
    pub page: Option<u32>,
    /// Jobs per page.
    pub limit: Option<u32>,
    /// Only jobs created with this tag.
    pub tag: Option<String>,
}

/// One page of jobs.
#[derive(Debug, Clone, PartialEq)]
pub struct JobPage {
    /// The jobs of this page, in TRD's order.
    pub jobs: Vec<Job>,
    /// Jobs matching the filter on all pages, when TRD says.
    pub total: Option<u64>,
}

impl TrdClient {
    /// `POST /job/create`: uploads the recording (streamed from disk) with its config,
    /// callback URLs and tag, and returns the created job (normally `QUEUED`).
    ///
    /// Checked before anything is sent: a missing or unreadable file ([`TrdError::File`]), an
    /// empty one ([`TrdError::EmptyFile`]), a config item that is neither `key=value` nor a
    /// JSON object ([`TrdError::InvalidConfig`]).
    pub async fn create_job(&self, job: &CreateJob) -> Result<Job, TrdError> {
        let upload = job.prepare().await?;
        let query: Vec<(&str, String)> = upload
            .tag()
            .map(|tag| ("tag", tag.to_owned()))
            .into_iter()
            .collect();
        let text = self
            .call_text(
                Method::POST,
                "/job/create",
                &query,
                Payload::Upload(&upload),
            )
            .await?;
        let job = job_of(json_of(&text)?)?;
        // Every later call puts the id in a URL path: one that cannot go there is TRD's
        // error, not an input of the caller's.
        if checked_id(&job.id).is_err() {
            return Err(TrdError::InvalidResponse(format!(
                "job/create answered a job id that is not 1-100 URL-safe characters: {:?}",
                job.id.chars().take(120).collect::<String>()
            )));
        }
        tracing::info!(job_id = %job.id, status = %job.status, "TRD job created");
        Ok(job)
    }

    /// `GET /job/status/{id}`: the job without its segments.
    pub async fn status(&self, job_id: &str) -> Result<Job, TrdError> {
        let path = format!("/job/status/{}", checked_id(job_id)?);
        job_of(self.call(Method::GET, &path, &[], None).await?)
    }

    /// `GET /job/result/{id}`: the whole result, parsed by the webhook parser.
    pub async fn result(&self, job_id: &str) -> Result<JobResult, TrdError> {
        let path = format!("/job/result/{}", checked_id(job_id)?);
        let text = self
            .call_text(Method::GET, &path, &[], Payload::Empty)
            .await?;
        parse_webhook(text.as_bytes())
            .map_err(|e| TrdError::InvalidResponse(format!("job/result: {e}")))
    }

    /// `GET /job?page=&limit=&tag=`: one page of jobs.
    pub async fn list(&self, filter: &ListJobs) -> Result<JobPage, TrdError> {
        let mut query = Vec::new();
        query.extend(filter.page.map(|p| ("page", p.to_string())));
        query.extend(filter.limit.map(|l| ("limit", l.to_string())));
        query.extend(filter.tag.clone().map(|t| ("tag", t)));
        page_of(self.call(Method::GET, "/job", &query, None).await?)
    }

    /// `POST /job/stop/{id}`: stops a queued or running job; returns it as it is afterwards.
    pub async fn stop(&self, job_id: &str) -> Result<Job, TrdError> {
        self.job_action("stop", job_id).await
    }

    /// `POST /job/retry/{id}`: runs a finished or failed job again; returns it as queued.
    pub async fn retry(&self, job_id: &str) -> Result<Job, TrdError> {
        self.job_action("retry", job_id).await
    }

    /// `DELETE /job/{id}`: deletes the job and its result.
    pub async fn delete(&self, job_id: &str) -> Result<(), TrdError> {
        let path = format!("/job/{}", checked_id(job_id)?);
        self.call_text(Method::DELETE, &path, &[], Payload::Empty)
            .await
            .map(drop)
    }

    async fn job_action(&self, action: &str, job_id: &str) -> Result<Job, TrdError> {
        let path = format!("/job/{action}/{}", checked_id(job_id)?);
        let answer = self
            .call_text(Method::POST, &path, &[], Payload::Empty)
            .await?;
        // TRD's answer to stop/retry is undocumented: use the job when it carries one.
        match serde_json::from_str::<Value>(&answer).ok().map(job_of) {
            Some(Ok(job)) => Ok(job),
            _ => self.status(job_id).await,
        }
    }
}

/// A job id is put in a URL path: only URL-unreserved characters are accepted.
pub(crate) fn checked_id(job_id: &str) -> Result<&str, TrdError> {
    let safe = !job_id.is_empty()
        && job_id.len() <= 100
        && job_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'));
    if safe && job_id != "." && job_id != ".." {
        Ok(job_id)
    } else {
        Err(TrdError::InvalidJobId(job_id.chars().take(120).collect()))
    }
}

fn json_of(text: &str) -> Result<Value, TrdError> {
    serde_json::from_str(text).map_err(|e| {
        TrdError::InvalidResponse(format!("{e}: {}", super::error::truncated(text.to_owned())))
    })
}

/// The job of `{"job": {...}}`, or of a bare job object.
pub(crate) fn job_of(mut value: Value) -> Result<Job, TrdError> {
    let job = match value.get_mut("job") {
        Some(job) if job.is_object() => job.take(),
        _ => value,
    };
    serde_json::from_value(job).map_err(|e| TrdError::InvalidResponse(format!("job: {e}")))
}

/// A page as `{"jobs": [...], "total": n}` or a bare array; entries are jobs or `{"job": ...}`.
fn page_of(value: Value) -> Result<JobPage, TrdError> {
    let (items, total) = match value {
        Value::Array(items) => (items, None),
        Value::Object(mut map) => {
            let total = map.get("total").and_then(Value::as_u64);
            match map.remove("jobs") {
                Some(Value::Array(items)) => (items, total),
                _ => {
                    return Err(TrdError::InvalidResponse(
                        "job list without a `jobs` array".into(),
                    ))
                }
            }
        }
        other => {
            return Err(TrdError::InvalidResponse(format!(
                "job list is neither an array nor an object: {other}"
            )))
        }
    };
    let jobs = items.into_iter().map(job_of).collect::<Result<_, _>>()?;
    Ok(JobPage { jobs, total })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_are_path_safe() {
        assert!(checked_id("6230c8b739231fb289992870").is_ok());
        for bad in ["", "..", "a/b", "a b", "a?b", "é"] {
            assert!(
                matches!(checked_id(bad), Err(TrdError::InvalidJobId(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn pages_come_in_both_shapes() {
        let job = json!({"id": "a", "status": "QUEUED"});
        let page = page_of(json!({"total": 7, "jobs": [job, {"job": job}]})).unwrap();
        assert_eq!((page.jobs.len(), page.total), (2, Some(7)));
        assert_eq!(page.jobs[1].id, "a");
        assert_eq!(page_of(json!([job])).unwrap().total, None);
        assert!(page_of(json!({"items": []})).is_err());
    }
}
