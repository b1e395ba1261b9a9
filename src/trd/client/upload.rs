//! `job/create`'s request: the recording streamed from disk as the multipart `upload_file` part
//! (never read into memory), `config` fields, comma-joined `callback_urls` and the `tag` query.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use reqwest::multipart::{Form, Part};
use tokio::io::AsyncReadExt;

use super::error::TrdError;

/// Bytes read from the file per chunk of the upload.
const CHUNK: usize = 64 * 1024;

/// Called with (bytes sent, file size) as the upload progresses.
pub type UploadProgress = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// What `job/create` submits: a recording plus its options.
///
/// ```
/// let job = das::trd::CreateJob::new("call.wav")
///     .config("diarization.descriptor.enabled=True")
///     .config_json(serde_json::json!({"recognition": {"hints.words": ["mexirica"]}}))
///     .callback_url("https://hook.example.com:8443")
///     .tag("campaign-7");
/// ```
#[derive(Clone)]
pub struct CreateJob {
    pub(crate) path: PathBuf,
    pub(crate) config: Vec<String>,
    pub(crate) callback_urls: Vec<String>,
    pub(crate) tag: Option<String>,
    pub(crate) extra_fields: Vec<(String, String)>,
    pub(crate) progress: Option<UploadProgress>,
}

impl fmt::Debug for CreateJob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateJob")
            .field("path", &self.path)
            .field("config", &self.config)
            .field("callback_urls", &self.callback_urls)
            .field("tag", &self.tag)
            .field("extra_fields", &self.extra_fields)
            .finish_non_exhaustive()
    }
}

impl CreateJob {
    /// A job for the recording at `path` (sent under its file name).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        CreateJob {
            path: path.into(),
            config: Vec::new(),
            callback_urls: Vec::new(),
            tag: None,
            extra_fields: Vec::new(),
            progress: None,
        }
    }

    /// Adds one `config` field: a `key=value` item (several may be comma-joined, as TRD
    /// accepts) or one JSON object (TRD 3.11+).
    pub fn config(mut self, item: impl Into<String>) -> Self {
        self.config.push(item.into());
        self
    }

    /// Adds one JSON-object `config` field.
    pub fn config_json(self, config: serde_json::Value) -> Self {
        self.config(config.to_string())
    }

    /// Adds a callback URL; TRD posts the result to `{url}/{job_id}`.
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.callback_urls.push(url.into());
        self
    }

    /// Free-form identifier TRD keeps with the job (`?tag=`), usable in `list` and `query`.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tag = Some(tag.into());
        self
    }

    /// Adds a form field TRD does not document, for servers that take more (the emulator's
    /// `transcript`).
    pub fn form_field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra_fields.push((name.into(), value.into()));
        self
    }

    /// Called with (bytes sent, file size) while the recording uploads; a retried upload
    /// starts again from 0.
    pub fn on_progress(mut self, progress: impl Fn(u64, u64) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// The recording's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Checks what can be checked before anything is sent: the file is a non-empty regular
    /// file and every `config` item is `key=value` or a JSON object.
    pub(crate) async fn prepare(&self) -> Result<Upload, TrdError> {
        for item in &self.config {
            check_config_item(item)?;
        }
        let file_error = |source| TrdError::File {
            path: self.path.clone(),
            source,
        };
        let metadata = tokio::fs::metadata(&self.path).await.map_err(file_error)?;
        if !metadata.is_file() {
            return Err(file_error(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a regular file",
            )));
        }
        if metadata.len() == 0 {
            return Err(TrdError::EmptyFile {
                path: self.path.clone(),
            });
        }
        Ok(Upload {
            job: self.clone(),
            len: metadata.len(),
        })
    }
}

fn check_config_item(item: &str) -> Result<(), TrdError> {
    let trimmed = item.trim_start();
    if trimmed.starts_with('{') {
        return match serde_json::from_str::<serde_json::Value>(trimmed) {
            Ok(serde_json::Value::Object(_)) => Ok(()),
            _ => Err(TrdError::InvalidConfig(format!(
                "`{item}` starts like JSON but is not a JSON object"
            ))),
        };
    }
    let pairs_ok = item.split(',').all(|pair| {
        pair.split_once('=')
            .is_some_and(|(k, _)| !k.trim().is_empty())
    });
    if pairs_ok {
        Ok(())
    } else {
        Err(TrdError::InvalidConfig(format!(
            "`{item}` is neither key=value items nor a JSON object"
        )))
    }
}

/// A checked [`CreateJob`] with the size of its file.
pub(crate) struct Upload {
    job: CreateJob,
    len: u64,
}

impl Upload {
    pub(crate) fn upload_len(&self) -> Option<u64> {
        Some(self.len)
    }

    pub(crate) fn tag(&self) -> Option<&str> {
        self.job.tag.as_deref()
    }

    /// The multipart form, with the file opened again and streamed in 64 KiB chunks.
    pub(crate) async fn form(&self) -> Result<Form, TrdError> {
        let path = &self.job.path;
        let file = tokio::fs::File::open(path)
            .await
            .map_err(|source| TrdError::File {
                path: path.clone(),
                source,
            })?;
        let (total, progress) = (self.len, self.job.progress.clone());
        let chunks = futures_util::stream::try_unfold((file, 0u64), move |(mut file, sent)| {
            let progress = progress.clone();
            async move {
                let mut buffer = vec![0; CHUNK];
                let read = file.read(&mut buffer).await?;
                if read == 0 {
                    return Ok::<_, std::io::Error>(None);
                }
                buffer.truncate(read);
                let sent = sent + read as u64;
                if let Some(progress) = &progress {
                    progress(sent, total);
                }
                Ok(Some((Bytes::from(buffer), (file, sent))))
            }
        });
        let file_name = path
            .file_name()
            .map_or_else(|| "upload".to_owned(), |n| n.to_string_lossy().into_owned());
        let part = Part::stream_with_length(reqwest::Body::wrap_stream(chunks), self.len)
            .file_name(file_name)
            .mime_str(audio_mime(path))
            .map_err(|e| TrdError::Http(e.to_string()))?;
        let mut form = Form::new().part("upload_file", part);
        for item in &self.job.config {
            form = form.text("config", item.clone());
        }
        for (name, value) in &self.job.extra_fields {
            form = form.text(name.clone(), value.clone());
        }
        if !self.job.callback_urls.is_empty() {
            // trd-sdk-python always sends the comma-joined form.
            form = form.text("callback_urls", self.job.callback_urls.join(","));
        }
        Ok(form)
    }
}

/// The upload's content type, from the file extension.
fn audio_mime(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("wav" | "wave") => "audio/wav",
        Some("mp3") => "audio/mpeg",
        Some("ogg" | "opus") => "audio/ogg",
        Some("flac") => "audio/flac",
        Some("m4a" | "mp4") => "audio/mp4",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_items_are_pairs_or_json_objects() {
        assert!(check_config_item("a=1").is_ok());
        assert!(check_config_item("a=1,b.c=x=y").is_ok());
        assert!(check_config_item(r#"{"recognition": {"lm": "x"}}"#).is_ok());
        assert!(check_config_item("novalue").is_err());
        assert!(check_config_item("=1").is_err());
        assert!(check_config_item("{not json").is_err());
        assert!(check_config_item("[1]").is_err());
    }
}
