//! TRD job routes: create (multipart upload), status, result, list, stop, retry, delete.
//! Errors are FastAPI-shaped `{detail}` bodies (422 validation errors with a `loc`/`msg` list).

use std::sync::Arc;

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::document::{config_echo, upload_identity};
use super::run::{deliver, run};
use super::store::Upload;
use super::time::now_iso8601;
use crate::state::AppState;
use das::audio::wav::Wav;

/// Reason recorded for a job ended by `job/stop`.
pub(crate) const STOPPED_REASON: &str = "stopped by job/stop";

#[derive(Deserialize)]
pub(crate) struct ListQuery {
    tag: Option<String>,
    page: Option<usize>,
    limit: Option<usize>,
}

/// A form read from `job/create`.
struct Form {
    filename: String,
    upload: Upload,
    config: Vec<String>,
}

pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    Query(query): Query<Vec<(String, String)>>,
    multipart: Multipart,
) -> Response {
    let form = match read_form(multipart).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    if let Some(response) = too_long(&state, &form.upload.audio) {
        return response;
    }
    let id = job_id();
    let mut job = json!({
        "id": id, "filename": form.filename, "status": "QUEUED",
        "created_at": now_iso8601(), "callback_urls": form.upload.callback_urls,
        "callback_failure_reason": "", "failure_reason": "",
        "media": upload_identity(&form.upload.audio), "config": config_echo(&form.config),
    });
    if let Some((_, tag)) = query.iter().find(|(k, _)| k == "tag") {
        job["tag"] = Value::String(tag.clone());
    }
    state.trd_jobs.insert(
        &id,
        json!({"job": job.clone(), "segments": []}),
        form.upload,
    );
    tracing::info!(job_id = %id, "trd job queued");
    tokio::spawn(run(state.clone(), id, 0));
    Json(json!({"job": job})).into_response()
}

async fn read_form(mut multipart: Multipart) -> Result<Form, Response> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        let status = e.status();
        (status, Json(json!({"detail": e.body_text()}))).into_response()
    };
    let mut form = Form {
        filename: String::new(),
        upload: Upload {
            audio: Vec::new(),
            callback_urls: Vec::new(),
            transcript: None,
        },
        config: Vec::new(),
    };
    let mut has_file = false;
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "upload_file" => {
                form.filename = field.file_name().unwrap_or("upload.wav").to_owned();
                form.upload.audio = field.bytes().await.map_err(bad)?.to_vec();
                has_file = true;
            }
            "config" => form.config.push(field.text().await.map_err(bad)?),
            "callback_urls" => {
                let text = field.text().await.map_err(bad)?;
                let urls = text.split(',').map(str::trim).filter(|u| !u.is_empty());
                form.upload.callback_urls.extend(urls.map(str::to_owned));
            }
            "transcript" => form.upload.transcript = Some(field.text().await.map_err(bad)?),
            _ => {}
        }
    }
    if !has_file {
        return Err(validation("upload_file", "Field required", "missing"));
    }
    if form.upload.audio.is_empty() {
        return Err(validation(
            "upload_file",
            "the file is empty",
            "value_error",
        ));
    }
    for url in &form.upload.callback_urls {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(validation(
                "callback_urls",
                &format!("{url} is not an http(s) URL"),
                "value_error",
            ));
        }
    }
    Ok(form)
}

/// 413 when a decodable upload is longer than `trd.max_media_secs`.
fn too_long(state: &AppState, audio: &[u8]) -> Option<Response> {
    let limit = state.config.trd.max_media_secs?;
    let wav = Wav::parse(audio).ok()?;
    let seconds =
        wav.samples.len() as f64 / f64::from(wav.channels.max(1)) / f64::from(wav.sample_rate);
    (seconds > limit).then(|| {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("media too long: {seconds:.1} s exceeds {limit} s"),
        )
    })
}

pub(crate) async fn status(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    match state.trd_jobs.get(&id) {
        Some(document) => Json(json!({"job": document["job"]})).into_response(),
        None => not_found(&id),
    }
}

pub(crate) async fn result(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    match state.trd_jobs.get(&id) {
        Some(document) => Json(document).into_response(),
        None => not_found(&id),
    }
}

pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    Query(query): Query<ListQuery>,
) -> Response {
    let jobs: Vec<Value> = state
        .trd_jobs
        .documents()
        .into_iter()
        .map(|d| d["job"].clone())
        .filter(|job| query.tag.as_deref().is_none_or(|t| job["tag"] == t))
        .collect();
    let (page, limit) = (query.page.unwrap_or(1).max(1), query.limit.unwrap_or(100));
    let total = jobs.len();
    let shown: Vec<Value> = jobs
        .into_iter()
        .skip((page - 1) * limit)
        .take(limit)
        .collect();
    Json(json!({"total": total, "page": page, "limit": limit, "jobs": shown})).into_response()
}

pub(crate) async fn stop(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let stopped = state.trd_jobs.advance(
        &id,
        |d| match d["job"]["status"].as_str() {
            Some("QUEUED" | "IN_PROGRESS") => Ok(()),
            other => Err(format!(
                "job {id} is {}; only QUEUED or IN_PROGRESS jobs can be stopped",
                other.unwrap_or("?")
            )),
        },
        |d| {
            d["job"]["status"] = json!("FAILED");
            d["job"]["failure_reason"] = json!(STOPPED_REASON);
            d["job"]["completed_at"] = json!(now_iso8601());
        },
    );
    match stopped {
        None => not_found(&id),
        Some(Err(refusal)) => error(StatusCode::UNPROCESSABLE_ENTITY, &refusal),
        Some(Ok((document, generation))) => {
            tracing::info!(job_id = %id, "trd job stopped");
            // Callbacks hear about the stop as about any failure.
            if let Some((upload, _)) = state.trd_jobs.run_inputs(&id) {
                let (state, id, stopped) = (state.clone(), id.clone(), document.clone());
                tokio::spawn(async move {
                    deliver(&state, &id, generation, &upload.callback_urls, &stopped).await
                });
            }
            Json(json!({"job": document["job"]})).into_response()
        }
    }
}

pub(crate) async fn retry(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let queued = state.trd_jobs.advance(
        &id,
        |d| match d["job"]["status"].as_str() {
            Some("COMPLETED" | "FAILED") => Ok(()),
            other => Err(format!(
                "job {id} is {}; only COMPLETED or FAILED jobs can be retried",
                other.unwrap_or("?")
            )),
        },
        |d| {
            let job = &mut d["job"];
            job["status"] = json!("QUEUED");
            job["failure_reason"] = json!("");
            job["callback_failure_reason"] = json!("");
            if let Some(job) = job.as_object_mut() {
                for key in ["started_at", "diarized_at", "completed_at"] {
                    job.remove(key);
                }
            }
            d["segments"] = json!([]);
        },
    );
    match queued {
        None => not_found(&id),
        Some(Err(refusal)) => error(StatusCode::UNPROCESSABLE_ENTITY, &refusal),
        Some(Ok((document, generation))) => {
            tracing::info!(job_id = %id, "trd job queued again");
            tokio::spawn(run(state.clone(), id, generation));
            Json(json!({"job": document["job"]})).into_response()
        }
    }
}

pub(crate) async fn remove(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    if state.trd_jobs.remove(&id) {
        Json(json!({"deleted": id})).into_response()
    } else {
        not_found(&id)
    }
}

/// A 24-hex id, the shape of TRD's MongoDB ObjectIds.
fn job_id() -> String {
    rand::random::<[u8; 12]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn not_found(id: &str) -> Response {
    error(StatusCode::NOT_FOUND, &format!("job {id} not found"))
}

pub(crate) fn error(status: StatusCode, detail: &str) -> Response {
    (status, Json(json!({"detail": detail}))).into_response()
}

/// A FastAPI validation error naming one form field.
fn validation(field: &str, message: &str, kind: &str) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({"detail": [{"loc": ["body", field], "msg": message, "type": kind}]})),
    )
        .into_response()
}
