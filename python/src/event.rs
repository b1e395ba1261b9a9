//! `das.Event`: one session event with its fields taken once, when it arrives, from the
//! core's typed [`Event`]; the pure-Python package only re-exports it.

use das::session::{Argument, Event};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use crate::convert::{from_py, to_py};

/// One session event: ``name`` as on the wire, ``kind`` (``"consumer-ready"``,
/// ``"vad-status"``, ``"result-success"``, ``"result-failure"``, ``"error"``,
/// ``"disconnected"``, ``"audio-ended"`` or ``"other"``), ``data`` (the first argument as a
/// Python value: das-Peak sends JSON text, which sessions hand over decoded, as a dict),
/// ``arguments`` (every argument as sent: JSON values and ``bytes``; ``bytes`` the server nested
/// in a dict or list are in place there, as python-socketio hands them over) and the typed fields of
/// its kind (``None`` when the kind has no such field or the service left it out). A
/// ``result-success`` also has ``verdict`` (``"accepted"``, ``"rejected"`` or ``"unknown"``),
/// ``accepted``, ``score``, ``threshold`` and ``collected_audio`` (``bytes``).
#[pyclass(module = "das", name = "Event", frozen)]
pub struct PyEvent {
    #[pyo3(get)]
    name: String,
    #[pyo3(get)]
    kind: &'static str,
    #[pyo3(get)]
    data: Py<PyAny>,
    fields: Py<PyDict>,
    #[pyo3(get)]
    is_result: bool,
    #[pyo3(get)]
    is_final: bool,
    #[pyo3(get)]
    content: Option<String>,
    #[pyo3(get)]
    audio_seconds: Option<f64>,
    #[pyo3(get)]
    vad_percentage: Option<f64>,
    #[pyo3(get)]
    authenticity: Option<f64>,
    #[pyo3(get)]
    voice_audio_collected: Option<f64>,
    #[pyo3(get)]
    score: Option<f64>,
    #[pyo3(get)]
    threshold: Option<f64>,
    #[pyo3(get)]
    verdict: Option<&'static str>,
    #[pyo3(get)]
    collected_audio: Option<Py<PyBytes>>,
    arguments: Py<PyList>,
    #[pyo3(get)]
    credential: Option<String>,
    #[pyo3(get)]
    reason: Option<String>,
    #[pyo3(get)]
    message: Option<String>,
    #[pyo3(get)]
    before_result: Option<bool>,
    #[pyo3(get)]
    bytes_sent: Option<u64>,
    #[pyo3(get)]
    error_kind: Option<&'static str>,
}

impl PyEvent {
    /// Takes the typed fields of `event` and builds its payload's Python value once (bytes
    /// the server nested in it in place, as python-socketio hands them to a handler).
    pub fn from_core(py: Python<'_>, event: Event) -> PyResult<Self> {
        let data = to_py(py, event.data(), event.attachments())?;
        let fields = match data.cast::<PyDict>() {
            Ok(object) => object.clone(),
            Err(_) => PyDict::new(py),
        };
        let arguments = PyList::empty(py);
        for argument in event.arguments() {
            match argument {
                Argument::Json(value) => arguments.append(to_py(py, value, &[])?)?,
                Argument::Binary(bytes) => arguments.append(PyBytes::new(py, bytes))?,
                Argument::JsonWithBinary { value, attachments } => {
                    arguments.append(to_py(py, value, attachments)?)?
                }
            }
        }
        let mut this = Self {
            name: event.name().to_owned(),
            kind: "other",
            data: data.unbind(),
            fields: fields.unbind(),
            is_result: event.is_result(),
            is_final: event.is_final(),
            content: None,
            audio_seconds: None,
            vad_percentage: None,
            authenticity: None,
            voice_audio_collected: None,
            score: None,
            threshold: None,
            verdict: None,
            collected_audio: None,
            arguments: arguments.unbind(),
            credential: None,
            reason: None,
            message: None,
            before_result: None,
            bytes_sent: None,
            error_kind: None,
        };
        match event {
            Event::ConsumerReady { content, .. } => {
                this.kind = "consumer-ready";
                this.content = content;
            }
            Event::VadStatus {
                content,
                audio_seconds,
                vad_percentage,
                ..
            } => {
                this.kind = "vad-status";
                this.content = content;
                this.audio_seconds = audio_seconds;
                this.vad_percentage = vad_percentage;
            }
            Event::ResultSuccess {
                authenticity,
                voice_audio_collected,
                content,
                credential,
                score,
                threshold,
                verdict,
                collected_audio,
                ..
            } => {
                this.kind = "result-success";
                this.threshold = threshold;
                this.verdict = Some(verdict.as_str());
                this.collected_audio = collected_audio.map(|a| PyBytes::new(py, &a).unbind());
                this.authenticity = authenticity;
                this.voice_audio_collected = voice_audio_collected;
                this.content = content;
                this.credential = credential;
                this.score = score;
            }
            Event::ResultFailure {
                content, reason, ..
            } => {
                this.kind = "result-failure";
                this.content = content;
                this.reason = reason;
            }
            Event::Error {
                content, message, ..
            } => {
                this.kind = "error";
                this.content = content;
                this.message = message;
            }
            Event::Disconnected {
                reason,
                before_result,
                ..
            } => {
                this.kind = "disconnected";
                this.reason = Some(reason);
                this.before_result = Some(before_result);
            }
            Event::AudioEnded {
                reason,
                error,
                error_kind,
                bytes_sent,
                ..
            } => {
                this.kind = "audio-ended";
                this.reason = Some(reason);
                this.message = error;
                this.error_kind = error_kind.map(|kind| kind.as_str());
                this.bytes_sent = Some(bytes_sent);
            }
            Event::Other { .. } => {}
        }
        Ok(this)
    }
}

#[pymethods]
impl PyEvent {
    /// The event `name` would be with payload `data` (typed as a session types it; ``bytes``
    /// inside it travel as python-socketio sends them, nested binary attachments).
    #[new]
    fn new(py: Python<'_>, name: &str, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let mut attachments = Vec::new();
        let payload = from_py(data, &mut attachments)?;
        let arguments = Argument::from_wire(vec![payload], &attachments);
        Self::from_core(py, Event::from_arguments(name, arguments, None))
    }

    /// Every argument as the server sent it, in order: JSON values and ``bytes`` (a new
    /// list; empty for the local ``disconnected`` and ``audio-ended`` events).
    #[getter]
    fn arguments<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.arguments.bind(py).iter())
    }

    /// ``True`` when a ``result-success`` was accepted (or a registration approved),
    /// ``False`` when rejected, ``None`` when it says neither or for other kinds.
    #[getter]
    fn accepted(&self) -> Option<bool> {
        match self.verdict {
            Some("accepted") => Some(true),
            Some("rejected") => Some(false),
            _ => None,
        }
    }

    /// The payload as a dict: ``data`` itself when it is one, else an empty dict.
    #[getter]
    fn fields(&self, py: Python<'_>) -> Py<PyDict> {
        self.fields.clone_ref(py)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let name = self.name.as_str().into_pyobject(py)?.repr()?;
        let data = self.data.bind(py).repr()?;
        Ok(format!("Event({name}, {data})"))
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let Ok(other) = other.cast::<Self>() else {
            return Ok(false);
        };
        let other = other.get();
        Ok(self.name == other.name && self.data.bind(py).eq(other.data.bind(py))?)
    }
}
