//! One run of a job: `QUEUED` for `trd.job_queued_ms`, then `IN_PROGRESS` while the VAD runs
//! over every channel (at least `trd.job_processing_ms`), then `COMPLETED` (or `FAILED` with
//! `failure_reason` for audio that cannot be decoded), then delivery to the callback URLs.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use super::document::{media, Segment};
use super::time::now_iso8601;
use crate::analysis::speech_segments;
use crate::state::AppState;
use das::audio::wav::Wav;

/// Runs generation `generation` of job `id`; stops quietly when a stop, retry or delete
/// overtakes it.
pub(crate) async fn run(state: Arc<AppState>, id: String, generation: u64) {
    let Some((upload, _)) = state.trd_jobs.run_inputs(&id) else {
        return;
    };
    let config = &state.config.trd;
    tokio::time::sleep(Duration::from_millis(config.job_queued_ms)).await;
    let started = state.trd_jobs.update_if(&id, generation, |d| {
        d["job"]["status"] = json!("IN_PROGRESS");
        d["job"]["started_at"] = json!(now_iso8601());
    });
    if started.is_none() {
        return;
    }
    let threshold = state.config.vad.threshold;
    let analysing = Arc::clone(&upload);
    let analysis = tokio::task::spawn_blocking(move || {
        analyse(&analysing.audio, analysing.transcript.as_deref(), threshold)
    });
    let minimum = tokio::time::sleep(Duration::from_millis(config.job_processing_ms));
    let (analysed, ()) = tokio::join!(analysis, minimum);
    let analysed = analysed.unwrap_or_else(|e| Err(format!("analysis task failed: {e}")));
    let document = state.trd_jobs.update_if(&id, generation, |d| {
        match &analysed {
            Ok((media, segments)) => {
                d["job"]["diarized_at"] = json!(now_iso8601());
                d["job"]["media"] = media.clone();
                d["segments"] = Value::Array(segments.clone());
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
        return;
    };
    tracing::info!(job_id = %id, status = %document["job"]["status"], "trd job finished");
    deliver(&state, &id, generation, &upload.callback_urls, &document).await;
}

/// Posts the document to every callback URL and records the failures in
/// `callback_failure_reason` (if the job is still at `generation`).
pub(crate) async fn deliver(
    state: &AppState,
    id: &str,
    generation: u64,
    urls: &[String],
    document: &Value,
) {
    if urls.is_empty() {
        return;
    }
    let reason =
        super::delivery::deliver(id, urls, document, &state.trd_hooks, &state.config.trd).await;
    state.trd_jobs.update_if(id, generation, |d| {
        d["job"]["callback_failure_reason"] = json!(reason)
    });
}

type Analysed = (Value, Vec<Value>);

/// The VAD segments of every channel, texts from the emulator-only transcript, and `media`.
fn analyse(audio: &[u8], transcript: Option<&str>, threshold: f32) -> Result<Analysed, String> {
    let wav = Wav::parse(audio).map_err(|e| e.to_string())?;
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
    let json = segments.iter().map(Segment::to_json).collect();
    Ok((media(audio, &wav, &segments), json))
}
