//! `GET /query/job`: jobs matching a filter, streamed by TRD one JSON document per line and
//! read here one record at a time (never the whole answer in memory).

use bytes::{Buf, BytesMut};
use reqwest::Method;
use serde_json::Value;

use super::error::{from_reqwest, TrdError};
use super::http::{Payload, TrdClient};
use crate::trd::JobResult;

/// Longest accepted line of a query answer (one record).
const MAX_LINE: usize = 64 << 20;

/// The filter of `GET /query/job`; empty lists and `None` are not sent. Deserialises from
/// JSON with these field names (every field optional), as the C and Python bindings take it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JobQuery {
    /// Jobs with any of these tags.
    pub tags: Vec<String>,
    /// Jobs for any of these file names.
    pub filenames: Vec<String>,
    /// Jobs in any of these statuses (`COMPLETED`, …).
    pub statuses: Vec<String>,
    /// Only these job fields in each record.
    pub projection: Vec<String>,
    /// Include each job's segments (`result=true`).
    pub with_result: bool,
    /// Page number, from 1 (TRD's default when `None`).
    pub page: Option<u32>,
    /// Records per page (TRD's default when `None`).
    pub limit: Option<u32>,
    /// Jobs created at or after this ISO 8601 time.
    pub start_date: Option<String>,
    /// Jobs created at or before this ISO 8601 time.
    pub end_date: Option<String>,
}

impl JobQuery {
    fn parameters(&self) -> Vec<(&'static str, String)> {
        let mut query = Vec::new();
        let lists = [
            ("tag", &self.tags),
            ("filenames", &self.filenames),
            ("status", &self.statuses),
            ("projection", &self.projection),
        ];
        for (key, values) in lists {
            query.extend(values.iter().map(|v| (key, v.clone())));
        }
        if self.with_result {
            query.push(("result", "true".to_owned()));
        }
        query.extend(self.page.map(|p| ("page", p.to_string())));
        query.extend(self.limit.map(|l| ("limit", l.to_string())));
        query.extend(self.start_date.clone().map(|d| ("start_date", d)));
        query.extend(self.end_date.clone().map(|d| ("end_date", d)));
        query
    }
}

/// The records of a query answer, read as they arrive.
pub struct JobRecords {
    response: reqwest::Response,
    buffer: BytesMut,
    line: usize,
    done: bool,
    timeout: std::time::Duration,
}

impl std::fmt::Debug for JobRecords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobRecords")
            .field("line", &self.line)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl TrdClient {
    /// `GET /query/job`: starts the query; read the records with [`JobRecords::next`].
    pub async fn query(&self, filter: &JobQuery) -> Result<JobRecords, TrdError> {
        let response = self
            .send(
                Method::GET,
                "/query/job",
                &filter.parameters(),
                Payload::Empty,
                None,
            )
            .await?;
        Ok(JobRecords {
            response,
            buffer: BytesMut::new(),
            line: 0,
            done: false,
            timeout: self.timeout(),
        })
    }
}

impl JobRecords {
    /// The next record, `None` after the last one. Each line is `{"job": ..., "segments": ...}`
    /// or a bare job object; a line that is neither is an error for that line only, and the
    /// records after it can still be read. Each wait for data is bounded by the client's
    /// timeout.
    pub async fn next(&mut self) -> Option<Result<JobResult, TrdError>> {
        loop {
            if let Some(end) = self.buffer.iter().position(|&b| b == b'\n') {
                let line = self.buffer.split_to(end + 1);
                self.line += 1;
                match record(&line[..end], self.line) {
                    Some(record) => return Some(record),
                    None => continue,
                }
            }
            if self.done {
                if self.buffer.is_empty() {
                    return None;
                }
                let rest = self.buffer.split();
                self.line += 1;
                return record(&rest, self.line);
            }
            if self.buffer.len() > MAX_LINE {
                self.done = true;
                self.buffer.clear();
                return Some(Err(TrdError::InvalidResponse(format!(
                    "query line {} is longer than {MAX_LINE} bytes",
                    self.line + 1
                ))));
            }
            match tokio::time::timeout(self.timeout, self.response.chunk()).await {
                Err(_) => {
                    self.done = true;
                    return Some(Err(TrdError::Timeout(self.timeout)));
                }
                Ok(Err(error)) => {
                    self.done = true;
                    return Some(Err(from_reqwest(error, self.timeout)));
                }
                Ok(Ok(None)) => self.done = true,
                Ok(Ok(Some(mut chunk))) => {
                    let bytes = chunk.copy_to_bytes(chunk.remaining());
                    self.buffer.extend_from_slice(&bytes);
                }
            }
        }
    }

    /// Every remaining record; stops at the first error.
    pub async fn collect(mut self) -> Result<Vec<JobResult>, TrdError> {
        let mut records = Vec::new();
        while let Some(record) = self.next().await {
            records.push(record?);
        }
        Ok(records)
    }
}

/// One line as a record; blank lines are skipped (`None`).
fn record(line: &[u8], number: usize) -> Option<Result<JobResult, TrdError>> {
    let line = line.trim_ascii();
    if line.is_empty() {
        return None;
    }
    let invalid =
        |e: serde_json::Error| TrdError::InvalidResponse(format!("query line {number}: {e}"));
    let parsed = serde_json::from_slice::<Value>(line)
        .map_err(invalid)
        .and_then(|value| {
            let document = match value.get("job") {
                Some(job) if job.is_object() => value,
                _ => serde_json::json!({ "job": value }),
            };
            JobResult::try_from(document).map_err(invalid)
        });
    Some(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_documents_or_bare_jobs() {
        let full = record(
            br#"{"job": {"id": "a", "status": "COMPLETED"}, "segments": []}"#,
            1,
        );
        assert_eq!(full.unwrap().unwrap().segments, Some(vec![]));
        let bare = record(br#" {"id": "b", "status": "QUEUED"} "#, 2);
        assert_eq!(bare.unwrap().unwrap().job.id, "b");
        assert!(record(b"  ", 3).is_none());
        let broken = record(b"{\"id\": 1}", 4).unwrap().unwrap_err();
        assert!(broken.to_string().contains("query line 4"), "{broken}");
    }

    #[test]
    fn list_parameters_repeat() {
        let query = JobQuery {
            tags: vec!["a".into(), "b".into()],
            with_result: true,
            limit: Some(5),
            ..JobQuery::default()
        };
        assert_eq!(
            query.parameters(),
            vec![
                ("tag", "a".to_owned()),
                ("tag", "b".to_owned()),
                ("result", "true".to_owned()),
                ("limit", "5".to_owned())
            ]
        );
    }
}
