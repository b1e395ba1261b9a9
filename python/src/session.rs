//! `das._native.Session`: a running register/verify session. A task on the shared runtime owns
//! the core session, moves its events onto a queue for Python and serves audio commands.

use std::sync::Mutex;
use std::time::Duration;

use das::auth::TokenProvider;
use das::session::{AudioSender, Event, RegisterSession, Session as CoreSession, VerifySession};
use das::tls::TlsOptions;
use futures_util::StreamExt;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use crate::channel::{tls_options, ChannelConfig};
use crate::convert::{json_from_py, to_py};
use crate::errors::{audio_error, auth_error, das_error, session_error, Kind};
use crate::runtime::{block_on, runtime};

/// How the session gets its `Authorization` header.
fn token_provider(
    token_url: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    authorization: Option<String>,
    tls: &TlsOptions,
) -> PyResult<TokenProvider> {
    match (token_url, client_id, client_secret, authorization) {
        (None, None, None, Some(header)) => Ok(TokenProvider::static_header(header)),
        (Some(url), Some(id), Some(secret), None) => {
            TokenProvider::client_credentials(url, id, secret)
                .tls(tls.clone())
                .build_shared()
                .map_err(auth_error)
        }
        _ => Err(das_error(
            Kind::InvalidArgument,
            "give either token_url, client_id and client_secret, or authorization",
        )),
    }
}

/// A started session.
#[pyclass(module = "das._native", frozen)]
pub struct Session {
    call_id: String,
    namespace: String,
    audio: AudioSender,
    events: Mutex<mpsc::Receiver<Event>>,
    closer: mpsc::Sender<oneshot::Sender<()>>,
}

#[pymethods]
impl Session {
    /// Connects, waits for the namespace and emits `initialize`. `kind` is `"register"` or
    /// `"verify"` (which needs `credential`). `metadata`, `request` and `payload` are dicts of
    /// keys merged into the `initialize` payload after the typed options.
    #[staticmethod]
    #[pyo3(signature = (kind, url, *, token_url=None, client_id=None, client_secret=None,
        authorization=None, credential=None, call_id=None, audio_protocol=None, audio_codec=None,
        sample_rate=None, channels=None, model_hash=None, authenticity_threshold=None,
        audio_total_duration=None, namespace=None, socketio_path=None, connect_timeout=10.0,
        metadata=None, request=None, payload=None, audio_channel=None,
        root_certificate_pem=None, trusted_roots="both"))]
    #[allow(clippy::too_many_arguments)]
    fn start(
        py: Python<'_>,
        kind: &str,
        url: String,
        token_url: Option<String>,
        client_id: Option<String>,
        client_secret: Option<String>,
        authorization: Option<String>,
        credential: Option<String>,
        call_id: Option<String>,
        audio_protocol: Option<String>,
        audio_codec: Option<String>,
        sample_rate: Option<u32>,
        channels: Option<u16>,
        model_hash: Option<String>,
        authenticity_threshold: Option<f64>,
        audio_total_duration: Option<f64>,
        namespace: Option<String>,
        socketio_path: Option<String>,
        connect_timeout: f64,
        metadata: Option<Bound<'_, PyDict>>,
        request: Option<Bound<'_, PyDict>>,
        payload: Option<Bound<'_, PyDict>>,
        audio_channel: Option<ChannelConfig>,
        root_certificate_pem: Option<String>,
        trusted_roots: &str,
    ) -> PyResult<Self> {
        let tls = tls_options(root_certificate_pem, trusted_roots)?;
        let token = token_provider(token_url, client_id, client_secret, authorization, &tls)?;
        let mut builder = match (kind, credential) {
            ("register", None) => RegisterSession::builder(url, token),
            ("verify", Some(credential)) => VerifySession::builder(url, token, credential),
            ("verify", None) => {
                return Err(das_error(
                    Kind::InvalidArgument,
                    "a verify session needs a credential",
                ))
            }
            ("register", Some(_)) => {
                return Err(das_error(
                    Kind::InvalidArgument,
                    "a register session takes no credential",
                ))
            }
            (other, _) => {
                return Err(das_error(
                    Kind::InvalidArgument,
                    format!("unknown session kind {other:?}"),
                ))
            }
        };
        if !connect_timeout.is_finite() || connect_timeout <= 0.0 {
            return Err(das_error(
                Kind::InvalidArgument,
                "connect_timeout must be positive",
            ));
        }
        builder = builder
            .connect_timeout(Duration::from_secs_f64(connect_timeout))
            .tls(tls);
        // First, so that explicit metadata options below override what the channel implies.
        if let Some(channel) = audio_channel {
            builder = builder.audio_channel(channel.config);
        }
        if let Some(v) = call_id {
            builder = builder.call_id(v)
        }
        if let Some(v) = audio_protocol {
            builder = builder.audio_protocol(v)
        }
        if let Some(v) = audio_codec {
            builder = builder.audio_codec(v)
        }
        if let Some(v) = sample_rate {
            builder = builder.sample_rate(v)
        }
        if let Some(v) = channels {
            builder = builder.channels(v)
        }
        if let Some(v) = model_hash {
            builder = builder.model_hash(v)
        }
        if let Some(v) = authenticity_threshold {
            builder = builder.authenticity_threshold(v)
        }
        if let Some(v) = audio_total_duration {
            builder = builder.audio_total_duration(v)
        }
        if let Some(v) = namespace {
            builder = builder.namespace(v)
        }
        if let Some(v) = socketio_path {
            builder = builder.socketio_path(v)
        }
        for (key, value) in dict_entries(metadata)? {
            builder = builder.metadata_field(key, value);
        }
        for (key, value) in dict_entries(request)? {
            builder = builder.request_field(key, value);
        }
        for (key, value) in dict_entries(payload)? {
            builder = builder.payload_field(key, value);
        }
        let session = block_on(py, builder.start())?.map_err(session_error)?;
        let call_id = session.call_id().to_owned();
        let namespace = session.namespace().to_owned();
        let audio = session.audio();
        let (closer, close_rx) = mpsc::channel(1);
        let (events_tx, events) = mpsc::channel(256);
        runtime()?.spawn(serve(session, close_rx, events_tx));
        Ok(Self {
            call_id,
            namespace,
            audio,
            events: Mutex::new(events),
            closer,
        })
    }

    /// The next event as `(name, data)`, waiting at most `timeout` seconds. Raises
    /// `TimeoutError` when nothing arrived and `Closed` after the last event.
    fn next_event<'py>(&self, py: Python<'py>, timeout: f64) -> PyResult<Bound<'py, PyTuple>> {
        let wait = Duration::from_secs_f64(timeout.max(0.0));
        let event = {
            let mut guard = self.events.lock().unwrap_or_else(|p| p.into_inner());
            let events: &mut mpsc::Receiver<Event> = &mut guard;
            block_on(py, async {
                tokio::time::timeout(wait, events.recv()).await
            })?
        };
        match event {
            Err(_) => Err(das_error(
                Kind::Timeout,
                format!("no session event within {wait:?}"),
            )),
            Ok(None) => Err(das_error(Kind::Closed, "the session has ended")),
            Ok(Some(event)) => (event.name(), to_py(py, event.data(), &[])?).into_pyobject(py),
        }
    }

    /// Queues call audio in the channel's wire codec (copied). Without `wait`, raises
    /// `WouldBlock` when the buffer is full; `Closed` after `end_audio()` or `close()`.
    #[pyo3(signature = (data, wait=false))]
    fn push_audio(&self, py: Python<'_>, data: Vec<u8>, wait: bool) -> PyResult<()> {
        let pushed = if wait {
            block_on(py, self.audio.push_wait(&data))?
        } else {
            self.audio.push(&data)
        };
        pushed.map_err(audio_error)
    }

    /// Reads a WAV file, converts it to the channel's codec, rate and layout, and queues it,
    /// waiting for room. Does not end the audio.
    fn push_wav(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        block_on(py, self.audio.push_wav(path))?.map_err(audio_error)
    }

    /// No more audio will be pushed: the channel sends what is queued, then closes.
    fn end_audio(&self) {
        self.audio.end();
    }

    /// Disconnects the signalling and drops unsent audio (bounded wait); the event queue then
    /// ends with `Closed`.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let closer = self.closer.clone();
        block_on(py, async move {
            let (done, finished) = oneshot::channel();
            if closer.send(done).await.is_ok() {
                let _ = finished.await;
            }
        })
    }

    #[getter]
    fn call_id(&self) -> &str {
        &self.call_id
    }

    #[getter]
    fn namespace(&self) -> &str {
        &self.namespace
    }
}

fn dict_entries(dict: Option<Bound<'_, PyDict>>) -> PyResult<Vec<(String, Value)>> {
    let Some(dict) = dict else {
        return Ok(Vec::new());
    };
    dict.iter()
        .map(|(key, value)| Ok((key.extract::<String>()?, json_from_py(&value)?)))
        .collect()
}

/// Owns the core session: forwards its events until they end or `close()` is asked for.
async fn serve(
    mut session: CoreSession,
    mut close: mpsc::Receiver<oneshot::Sender<()>>,
    events: mpsc::Sender<Event>,
) {
    loop {
        tokio::select! {
            event = session.next() => match event {
                Some(event) => {
                    if events.send(event).await.is_err() {
                        break;
                    }
                }
                None => break,
            },
            request = close.recv() => {
                session.close().await;
                if let Some(done) = request {
                    let _ = done.send(());
                }
                return;
            }
        }
    }
    drop(events);
    let request = close.recv().await;
    session.close().await;
    if let Some(done) = request {
        let _ = done.send(());
    }
}
