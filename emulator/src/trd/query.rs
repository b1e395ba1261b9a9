//! `GET /query/job`: jobs filtered by `tag`, `filenames`, `status` (each repeatable),
//! `start_date`/`end_date` (creation time), paged by `page`/`limit`, streamed as one
//! `{"job": ...}` line each (`segments` too with `result=true`). `projection` keeps only the
//! named job fields, plus `id` and `status` always.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use das::trd::Timestamp;
use serde_json::{json, Map, Value};

use super::jobs::error;
use crate::state::AppState;

struct Filter {
    tags: Vec<String>,
    filenames: Vec<String>,
    statuses: Vec<String>,
    projection: Vec<String>,
    with_result: bool,
    page: usize,
    limit: usize,
    start: Option<i128>,
    end: Option<i128>,
}

pub(crate) async fn query(
    State(state): State<Arc<AppState>>,
    Query(parameters): Query<Vec<(String, String)>>,
) -> Response {
    let filter = match Filter::parse(&parameters) {
        Ok(filter) => filter,
        Err(detail) => return error(StatusCode::UNPROCESSABLE_ENTITY, &detail),
    };
    let lines: Vec<Result<String, std::io::Error>> = state
        .trd_jobs
        .documents()
        .into_iter()
        .filter(|document| filter.matches(&document["job"]))
        .skip((filter.page - 1) * filter.limit)
        .take(filter.limit)
        .map(|document| Ok(format!("{}\n", filter.record(document))))
        .collect();
    (
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(futures_util::stream::iter(lines)),
    )
        .into_response()
}

impl Filter {
    fn parse(parameters: &[(String, String)]) -> Result<Filter, String> {
        let all = |key: &str| -> Vec<String> {
            parameters
                .iter()
                .filter(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .collect()
        };
        let one = |key: &str| all(key).pop();
        let number = |key: &str, default: usize| -> Result<usize, String> {
            one(key).map_or(Ok(default), |v| {
                v.parse()
                    .map_err(|_| format!("{key} must be a positive integer, got {v:?}"))
            })
        };
        let date = |key: &str| -> Result<Option<i128>, String> {
            one(key)
                .map(|v| {
                    Timestamp::new(v.clone())
                        .unix_nanos()
                        .ok_or_else(|| format!("{key} must be an ISO 8601 date-time, got {v:?}"))
                })
                .transpose()
        };
        Ok(Filter {
            tags: all("tag"),
            filenames: all("filenames"),
            statuses: all("status"),
            projection: all("projection"),
            with_result: one("result").is_some_and(|v| v == "true" || v == "1"),
            page: number("page", 1)?.max(1),
            limit: number("limit", 100)?,
            start: date("start_date")?,
            end: date("end_date")?,
        })
    }

    fn matches(&self, job: &Value) -> bool {
        let any = |values: &[String], field: &str| {
            values.is_empty() || values.iter().any(|v| job[field] == v.as_str())
        };
        let created = job["created_at"]
            .as_str()
            .and_then(|t| Timestamp::new(t).unix_nanos());
        let after_start = self.start.is_none_or(|s| created.is_some_and(|c| c >= s));
        let before_end = self.end.is_none_or(|e| created.is_some_and(|c| c <= e));
        any(&self.tags, "tag")
            && any(&self.filenames, "filename")
            && any(&self.statuses, "status")
            && after_start
            && before_end
    }

    fn record(&self, mut document: Value) -> Value {
        let mut job = document["job"].take();
        if !self.projection.is_empty() {
            let mut kept = Map::new();
            for key in ["id", "status"]
                .into_iter()
                .chain(self.projection.iter().map(String::as_str))
            {
                if let Some(value) = job.get(key) {
                    kept.insert(key.to_owned(), value.clone());
                }
            }
            job = Value::Object(kept);
        }
        if self.with_result {
            json!({"job": job, "segments": document["segments"].take()})
        } else {
            json!({ "job": job })
        }
    }
}
