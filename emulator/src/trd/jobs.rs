//! TRD jobs: create (multipart upload), status, result, list, delete, and the task that
//! runs the VAD over the upload and delivers the result.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::document::{config_echo, media, upload_identity, Segment};
use super::time::now_iso8601;
use crate::analysis::speech_segments;
use crate::state::AppState;
use das::audio::wav::Wav;

/// Jobs by id, in creation order.
#[derive(Default)]
pub(crate) struct JobStore {
    jobs: Mutex<(Vec<String>, HashMap<String, Value>)>,
}

impl JobStore {
    fn insert(&self, id: &str, document: Value) {
        let mut guard = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        let (order, jobs) = &mut *guard;
        if jobs.insert(id.to_owned(), document).is_none() {
            order.push(id.to_owned());
        }
    }

    fn get(&self, id: &str) -> Option<Value> {
        let guard = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        guard.1.get(id).cloned()
    }

    /// Applies `change` to a job's document if it still exists.
    fn update(&self, id: &str, change: impl FnOnce(&mut Value)) -> Option<Value> {
        let mut guard = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        let document = guard.1.get_mut(id)?;
        change(document);
        Some(document.clone())
    }

    fn remove(&self, id: &str) -> bool {
        let mut guard = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        let (order, jobs) = &mut *guard;
        order.retain(|o| o != id);
        jobs.remove(id).is_some()
    }

    fn list(&self, tag: Option<&str>) -> Vec<Value> {
        let guard = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        let (order, jobs) = &*guard;
        order
            .iter()
            .filter_map(|id| jobs.get(id))
            .map(|d| d["job"].clone())
            .filter(|job| tag.is_none_or(|t| job["tag"] == t))
            .collect()
    }
}

/// An uploaded job before it runs.
struct Upload {
    filename: String,
    audio: Vec<u8>,
    config: Vec<String>,
    callback_urls: Vec<String>,
    transcript: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct TagQuery {
    tag: Option<String>,
}

pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    Query(query): Query<TagQuery>,
    multipart: Multipart,
) -> Response {
    let upload = match read_upload(multipart).await {
        Ok(upload) => upload,
        Err(detail) => return error(StatusCode::UNPROCESSABLE_ENTITY, &detail),
    };
    let id = job_id();
    let mut job = json!({
        "id": id, "filename": upload.filename, "status": "QUEUED",
        "created_at": now_iso8601(), "callback_urls": upload.callback_urls,
        "callback_failure_reason": "", "failure_reason": "",
        "media": upload_identity(&upload.audio), "config": config_echo(&upload.config),
    });
    if let Some(tag) = query.tag {
        job["tag"] = Value::String(tag);
    }
    state
        .trd_jobs
        .insert(&id, json!({"job": job.clone(), "segments": []}));
    tracing::info!(job_id = %id, "trd job queued");
    tokio::spawn(run(state.clone(), id, upload));
    Json(json!({"job": job})).into_response()
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, String> {
    let mut upload = Upload {
        filename: String::new(),
        audio: Vec::new(),
        config: Vec::new(),
        callback_urls: Vec::new(),
        transcript: None,
    };
    let mut has_file = false;
    while let Some(field) = multipart.next_field().await.map_err(|e| e.body_text())? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "upload_file" => {
                upload.filename = field.file_name().unwrap_or("upload.wav").to_owned();
                upload.audio = field.bytes().await.map_err(|e| e.body_text())?.to_vec();
                has_file = true;
            }
            "config" => upload
                .config
                .push(field.text().await.map_err(|e| e.body_text())?),
            "callback_urls" => {
                let text = field.text().await.map_err(|e| e.body_text())?;
                let urls = text.split(',').map(str::trim).filter(|u| !u.is_empty());
                upload.callback_urls.extend(urls.map(str::to_owned));
            }
            "transcript" => {
                upload.transcript = Some(field.text().await.map_err(|e| e.body_text())?)
            }
            _ => {}
        }
    }
    if !has_file {
        return Err("multipart field upload_file is required".into());
    }
    Ok(upload)
}

/// Runs the VAD over every channel, fills in the document, then delivers it.
async fn run(state: Arc<AppState>, id: String, upload: Upload) {
    state.trd_jobs.update(&id, |d| {
        d["job"]["status"] = json!("IN_PROGRESS");
        d["job"]["started_at"] = json!(now_iso8601());
    });
    let threshold = state.config.vad.threshold;
    let audio = upload.audio;
    let transcript = upload.transcript;
    let analysed = tokio::task::spawn_blocking(move || {
        let wav = Wav::parse(&audio).map_err(|e| e.to_string())?;
        let mut segments = Vec::new();
        for channel in 0..wav.channels {
            let mono: Vec<i16> = wav
                .samples
                .iter()
                .skip(usize::from(channel))
                .step_by(usize::from(wav.channels))
                .copied()
                .collect();
            for (start, end) in speech_segments(&mono, wav.sample_rate, threshold) {
                segments.push(Segment {
                    channel: channel + 1,
                    start,
                    end,
                    text: None,
                });
            }
        }
        segments.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.channel.cmp(&b.channel)));
        // The emulator-only transcript: `|`-separated texts for the segments in order.
        let mut texts = transcript.iter().flat_map(|t| t.split('|')).map(str::trim);
        for segment in &mut segments {
            segment.text = texts.next().filter(|t| !t.is_empty()).map(str::to_owned);
        }
        Ok::<_, String>((media(&audio, &wav, &segments), segments))
    })
    .await
    .unwrap_or_else(|e| Err(format!("analysis task failed: {e}")));
    let document = state.trd_jobs.update(&id, |d| {
        match &analysed {
            Ok((media, segments)) => {
                d["job"]["diarized_at"] = json!(now_iso8601());
                d["job"]["media"] = media.clone();
                d["segments"] = segments.iter().map(Segment::to_json).collect();
                d["job"]["status"] = json!("COMPLETED");
            }
            Err(reason) => {
                d["job"]["status"] = json!("FAILED");
                d["job"]["failure_reason"] = json!(reason);
            }
        }
        d["job"]["completed_at"] = json!(now_iso8601());
    });
    let Some(document) = document else {
        return; // deleted meanwhile
    };
    tracing::info!(job_id = %id, status = %document["job"]["status"], "trd job finished");
    if upload.callback_urls.is_empty() {
        return;
    }
    let reason = super::delivery::deliver(
        &id,
        &upload.callback_urls,
        &document,
        &state.trd_hooks,
        &state.config.trd,
    )
    .await;
    state
        .trd_jobs
        .update(&id, |d| d["job"]["callback_failure_reason"] = json!(reason));
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
    Query(query): Query<TagQuery>,
) -> Response {
    let jobs = state.trd_jobs.list(query.tag.as_deref());
    Json(json!({"total": jobs.len(), "jobs": jobs})).into_response()
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

fn error(status: StatusCode, detail: &str) -> Response {
    (status, Json(json!({"detail": detail}))).into_response()
}
