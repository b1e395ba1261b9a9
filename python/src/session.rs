//! `das._native.Session`: a running register/verify session. The core session delivers its
//! events straight into the queue Python reads ([`PythonSink`]), blocking (`next_event`) or
//! from an event loop (`fileno` + `next_event_nowait`); `close` disconnects it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use das::runtime::queue::{EventQueue, Wait};
use das::session::settings::TimeoutKind;
use das::session::{
    AudioSender, Event, EventSink, Session as CoreSession, SessionBuilder, SessionKind,
    SessionSettings, SettingError,
};
use futures_util::future::BoxFuture;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::cancel::StartCancel;
use crate::channel::ChannelConfig;
use crate::convert::{json_from_py, wait_seconds};
use crate::errors::{audio_error, das_error, session_error, settings_error, Kind};
use crate::event::PyEvent;
use crate::runtime::{block_on, runtime};

/// A started session.
#[pyclass(module = "das._native", frozen)]
pub struct Session {
    call_id: String,
    namespace: String,
    audio: AudioSender,
    events: Arc<EventQueue<Event>>,
    /// Taken by `close` (or at drop).
    session: Mutex<Option<CoreSession>>,
}

/// Where the core session delivers: the queue `next_event` reads.
struct PythonSink(Arc<EventQueue<Event>>);

impl EventSink for PythonSink {
    fn deliver(&self, event: Event, weight: usize) -> BoxFuture<'_, bool> {
        Box::pin(self.0.push(event, weight))
    }

    fn end(&self) {
        self.0.end();
    }
}

/// The session kind a Python `kind` names, with the credential only a verification takes.
fn kind(kind: &str, credential: Option<&str>) -> PyResult<SessionKind> {
    let invalid = |message: String| Err(das_error(Kind::InvalidArgument, message));
    match (kind, credential) {
        ("register", None) => Ok(SessionKind::Register),
        ("verify", _) => Ok(SessionKind::Verify),
        ("register", Some(_)) => invalid("a register session takes no credential".into()),
        (other, _) => invalid(format!("unknown session kind {other:?}")),
    }
}

/// Applies one optional setting; a refusal names the Python keyword.
fn set<T>(
    value: Option<T>,
    keyword: &str,
    setter: impl FnOnce(T) -> Result<(), SettingError>,
) -> PyResult<()> {
    match value {
        Some(value) => setter(value).map_err(|e| settings_error(keyword, e)),
        None => Ok(()),
    }
}

#[pymethods]
impl Session {
    /// Connects, waits for the namespace and emits `initialize`. `kind` is `"register"` or
    /// `"verify"` (which needs `credential`). `metadata`, `request` and `payload` are dicts of
    /// keys merged into the `initialize` payload after the typed options. Defaults are the
    /// documented example's request and a new UUIDv4 `call_id`. `cancel.cancel()` from another
    /// thread ends a start still connecting with `Closed`.
    #[staticmethod]
    #[pyo3(signature = (kind, url, *, token_url=None, client_id=None, client_secret=None,
        authorization=None, credential=None, call_id=None, audio_protocol=None, audio_codec=None,
        sample_rate=None, channels=None, model_hash=None, authenticity_threshold=None,
        score_threshold=None, audio_total_duration=None, namespace=None, socketio_path=None, connect_timeout=10.0,
        metadata=None, request=None, payload=None, audio_channel=None,
        root_certificate_pem=None, trusted_roots="both", proxy=None, cancel=None))]
    #[allow(clippy::too_many_arguments)]
    fn start(
        py: Python<'_>,
        kind: &str,
        url: &str,
        token_url: Option<&str>,
        client_id: Option<&str>,
        client_secret: Option<&str>,
        authorization: Option<&str>,
        credential: Option<&str>,
        call_id: Option<&str>,
        audio_protocol: Option<&str>,
        audio_codec: Option<&str>,
        sample_rate: Option<u32>,
        channels: Option<u16>,
        model_hash: Option<&str>,
        authenticity_threshold: Option<f64>,
        score_threshold: Option<f64>,
        audio_total_duration: Option<f64>,
        namespace: Option<&str>,
        socketio_path: Option<&str>,
        connect_timeout: f64,
        metadata: Option<Bound<'_, PyDict>>,
        request: Option<Bound<'_, PyDict>>,
        payload: Option<Bound<'_, PyDict>>,
        audio_channel: Option<ChannelConfig>,
        root_certificate_pem: Option<&str>,
        trusted_roots: &str,
        proxy: Option<&str>,
        cancel: Option<PyRef<'_, StartCancel>>,
    ) -> PyResult<Self> {
        let mut s = SessionSettings::documented_example(self::kind(kind, credential)?);
        set(Some(url), "url", |v| s.set_endpoint_url(v))?;
        set(credential, "credential", |v| s.set_credential(v))?;
        match (token_url, client_id, client_secret, authorization) {
            (None, None, None, Some(header)) => {
                set(Some(header), "authorization", |v| s.set_authorization(v))?
            }
            (Some(token_url), Some(id), Some(secret), None) => {
                set(Some(token_url), "token_url", |v| s.set_token_url(v))?;
                s.set_client_credentials(id, secret)
                    .map_err(|e| settings_error("client_id/client_secret", e))?;
            }
            _ => {
                return Err(das_error(
                    Kind::InvalidArgument,
                    "give either token_url, client_id and client_secret, or authorization",
                ))
            }
        }
        // Negative or NaN: refused as 0 ms.
        let connect_timeout = Duration::try_from_secs_f64(connect_timeout).unwrap_or_default();
        s.set_timeout(TimeoutKind::Connect, connect_timeout)
            .map_err(|e| settings_error("connect_timeout", e))?;
        let trusted = trusted_roots
            .parse()
            .map_err(|e: das::tls::TlsError| das_error(Kind::InvalidArgument, e.to_string()))?;
        s.set_trusted_roots(trusted);
        s.set_proxy(crate::proxy::proxy_setting(proxy)?);
        set(root_certificate_pem, "root_certificate_pem", |v| {
            s.add_trusted_root_pem(v)
        })?;
        set(audio_channel, "audio_channel", |v| {
            s.set_audio_channel(v.config)
        })?;
        set(namespace, "namespace", |v| s.set_namespace(v))?;
        set(model_hash, "model_hash", |v| s.set_model_hash(v))?;
        set(authenticity_threshold, "authenticity_threshold", |v| {
            s.set_authenticity_threshold(v)
        })?;
        set(score_threshold, "score_threshold", |v| {
            s.set_score_threshold(v)
        })?;
        set(audio_total_duration, "audio_total_duration", |v| {
            s.set_audio_total_duration(v)
        })?;
        set(call_id, "call_id", |v| s.set_call_id(v))?;
        if let Some(protocol) = audio_protocol {
            s.set_metadata_audio_protocol(protocol);
        }
        if let Some(codec) = audio_codec {
            s.set_metadata_audio_codec(codec);
        }
        if let Some(rate) = sample_rate {
            s.set_metadata_sample_rate(rate);
        }
        if let Some(channels) = channels {
            s.set_metadata_channels(channels);
        }
        if let Some(path) = socketio_path {
            s.set_socketio_path(path);
        }
        for (key, value) in dict_entries(metadata)? {
            s.set_metadata_field(&key, value);
        }
        for (key, value) in dict_entries(request)? {
            s.set_request_field(&key, value);
        }
        for (key, value) in dict_entries(payload)? {
            s.set_payload_field(&key, value);
        }
        // A caller-driven wait (`das._native.run`) hears of every event of every session.
        let events = Arc::new(
            EventQueue::new(s.event_capacity(), s.event_queue_bytes())
                .notifying(das::runtime::drive::note_queue_change),
        );
        let builder = SessionBuilder::from_settings(s).map_err(session_error)?;
        let cancel = cancel.map_or_else(Default::default, |c| c.inner.clone());
        let started = builder.start_cancellable_with_sink(&cancel, PythonSink(events.clone()));
        let session = block_on(py, started)?.map_err(session_error)?;
        Ok(Self {
            call_id: session.call_id().to_owned(),
            namespace: session.namespace().to_owned(),
            audio: session.audio(),
            events,
            session: Mutex::new(Some(session)),
        })
    }

    /// The next event, waiting at most `timeout` seconds. Raises `TimeoutError` when nothing
    /// arrived and `Closed` after the last event.
    fn next_event(&self, py: Python<'_>, timeout: f64) -> PyResult<PyEvent> {
        let wait = wait_seconds(timeout);
        match self.events.pop_on(wait, |waiting| block_on(py, waiting))? {
            Ok(event) => PyEvent::from_core(py, event),
            Err(Wait::Timeout) => Err(das_error(
                Kind::Timeout,
                format!("no session event within {wait:?}"),
            )),
            Err(Wait::Closed) => Err(das_error(Kind::Closed, "the session has ended")),
        }
    }

    /// The next event if one is pending, else `None` (never blocks). Raises `Closed` after the
    /// last event. With [`fileno`](Self::fileno), for an event loop.
    fn next_event_nowait(&self, py: Python<'_>) -> PyResult<Option<PyEvent>> {
        match self.events.pop(Duration::ZERO) {
            Ok(event) => PyEvent::from_core(py, event).map(Some),
            Err(Wait::Timeout) => Ok(None),
            Err(Wait::Closed) => Err(das_error(Kind::Closed, "the session has ended")),
        }
    }

    /// A descriptor that is readable while an event or the end is pending (for
    /// `select`/`selectors`/`loop.add_reader`): when readable, call `next_event_nowait` until
    /// it returns `None`. Never read from or close it; it lives as long as the session. Made
    /// on first call.
    fn fileno(&self) -> PyResult<i32> {
        self.events.fd().map_err(|e| {
            das_error(
                Kind::Io,
                format!("cannot create the event wake-up socket: {e}"),
            )
        })
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
        let closed = match self.take_session() {
            Some(session) => block_on(py, session.close()),
            None => Ok(()),
        };
        // The session ended its sink already, unless the wait was cut short (interpreter exit).
        self.events.end();
        closed
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

fn dict_entries(dict: Option<Bound<'_, PyDict>>) -> PyResult<Vec<(String, serde_json::Value)>> {
    let Some(dict) = dict else {
        return Ok(Vec::new());
    };
    dict.iter()
        .map(|(key, value)| Ok((key.extract::<String>()?, json_from_py(&value)?)))
        .collect()
}

impl Session {
    fn take_session(&self) -> Option<CoreSession> {
        self.session
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }
}

/// A session dropped without `close()` still disconnects politely, on the runtime.
impl Drop for Session {
    fn drop(&mut self) {
        if let (Some(session), Ok(runtime)) = (self.take_session(), runtime()) {
            runtime.spawn(session.close());
        }
    }
}
