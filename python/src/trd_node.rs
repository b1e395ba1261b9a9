//! One object or list of a parsed TRD document, borrowed from the typed Rust tree: what a
//! Python view stands for, and how each of its fields reads as a Python value.

use das::trd::{
    Alternative, DtmfTone, Job, JobResult, Media, MediaInput, MediaOutput, OutputChannel, Segment,
    Word,
};
use pyo3::exceptions::PyAttributeError;
use pyo3::prelude::*;
use pyo3::types::PyString;
use serde::Serialize;
use serde_json::{Map, Number, Value};
use yoke::Yokeable;

use crate::convert::{number_to_py, to_py};

/// An object of a parsed document, or a list of them, borrowed from the document's tree.
#[derive(Yokeable, Clone, Copy)]
pub enum Node<'a> {
    Result(&'a JobResult),
    Job(&'a Job),
    Media(&'a Media),
    MediaInput(&'a MediaInput),
    MediaOutput(&'a MediaOutput),
    OutputChannel(&'a OutputChannel),
    DtmfTone(&'a DtmfTone),
    Segment(&'a Segment),
    Alternative(&'a Alternative),
    Word(&'a Word),
    Segments(&'a [Segment]),
    Alternatives(&'a [Alternative]),
    Words(&'a [Word]),
    Channels(&'a [OutputChannel]),
    Dtmf(&'a [DtmfTone]),
}

/// A field as read: its Python value (`None` when absent), or a node nested in the same tree
/// for an object or a list of objects.
pub enum Field<'a, 'py> {
    Value(PyResult<Bound<'py, PyAny>>),
    Node(Node<'a>),
}

impl<'a> Node<'a> {
    /// True for a list of objects.
    pub fn is_list(self) -> bool {
        matches!(
            self,
            Self::Segments(_)
                | Self::Alternatives(_)
                | Self::Words(_)
                | Self::Channels(_)
                | Self::Dtmf(_)
        )
    }

    /// The number of items of a list (0 for an object).
    pub fn len(self) -> usize {
        match self {
            Self::Segments(items) => items.len(),
            Self::Alternatives(items) => items.len(),
            Self::Words(items) => items.len(),
            Self::Channels(items) => items.len(),
            Self::Dtmf(items) => items.len(),
            _ => 0,
        }
    }

    /// Item `index` of a list (`None` past its end, and for an object).
    pub fn item(self, index: usize) -> Option<Node<'a>> {
        match self {
            Self::Segments(items) => items.get(index).map(Self::Segment),
            Self::Alternatives(items) => items.get(index).map(Self::Alternative),
            Self::Words(items) => items.get(index).map(Self::Word),
            Self::Channels(items) => items.get(index).map(Self::OutputChannel),
            Self::Dtmf(items) => items.get(index).map(Self::DtmfTone),
            _ => None,
        }
    }

    /// True when both are the same kind of object or list, with equal values.
    pub fn equals(self, other: Node<'_>) -> bool {
        match (self, other) {
            (Self::Result(a), Node::Result(b)) => a == b,
            (Self::Job(a), Node::Job(b)) => a == b,
            (Self::Media(a), Node::Media(b)) => a == b,
            (Self::MediaInput(a), Node::MediaInput(b)) => a == b,
            (Self::MediaOutput(a), Node::MediaOutput(b)) => a == b,
            (Self::OutputChannel(a), Node::OutputChannel(b)) => a == b,
            (Self::DtmfTone(a), Node::DtmfTone(b)) => a == b,
            (Self::Segment(a), Node::Segment(b)) => a == b,
            (Self::Alternative(a), Node::Alternative(b)) => a == b,
            (Self::Word(a), Node::Word(b)) => a == b,
            (Self::Segments(a), Node::Segments(b)) => a == b,
            (Self::Alternatives(a), Node::Alternatives(b)) => a == b,
            (Self::Words(a), Node::Words(b)) => a == b,
            (Self::Channels(a), Node::Channels(b)) => a == b,
            (Self::Dtmf(a), Node::Dtmf(b)) => a == b,
            _ => false,
        }
    }

    /// The node as JSON, exactly as `to_json` of the core writes it.
    pub fn to_value(self) -> Value {
        let value = match self {
            Self::Result(v) => serde_json::to_value(v),
            Self::Job(v) => serde_json::to_value(v),
            Self::Media(v) => serde_json::to_value(v),
            Self::MediaInput(v) => serde_json::to_value(v),
            Self::MediaOutput(v) => serde_json::to_value(v),
            Self::OutputChannel(v) => serde_json::to_value(v),
            Self::DtmfTone(v) => serde_json::to_value(v),
            Self::Segment(v) => serde_json::to_value(v),
            Self::Alternative(v) => serde_json::to_value(v),
            Self::Word(v) => serde_json::to_value(v),
            Self::Segments(v) => serde_json::to_value(v),
            Self::Alternatives(v) => serde_json::to_value(v),
            Self::Words(v) => serde_json::to_value(v),
            Self::Channels(v) => serde_json::to_value(v),
            Self::Dtmf(v) => serde_json::to_value(v),
        };
        value.unwrap_or(Value::Null)
    }

    /// The keys of an object the parser does not know, as received (`None` for a list).
    pub fn extra(self) -> Option<&'a Map<String, Value>> {
        match self {
            Self::Result(v) => Some(&v.extra),
            Self::Job(v) => Some(&v.extra),
            Self::Media(v) => Some(&v.extra),
            Self::MediaInput(v) => Some(&v.extra),
            Self::MediaOutput(v) => Some(&v.extra),
            Self::OutputChannel(v) => Some(&v.extra),
            Self::DtmfTone(v) => Some(&v.extra),
            Self::Segment(v) => Some(&v.extra),
            Self::Alternative(v) => Some(&v.extra),
            Self::Word(v) => Some(&v.extra),
            _ => None,
        }
    }

    /// The field `name`: scalars straight to Python, nested objects and lists as nodes.
    pub fn field<'py>(self, py: Python<'py>, name: &str) -> Field<'a, 'py> {
        match self {
            Self::Result(v) => match name {
                "job" => Field::Node(Self::Job(&v.job)),
                "segments" => nested(py, v.segments.as_deref().map(Self::Segments)),
                "token" => v.token.field(py),
                _ => no_field(name),
            },
            Self::Job(v) => match name {
                "id" => v.id.field(py),
                "filename" => v.filename.field(py),
                "status" => serialized(py, &v.status),
                "created_at" => serialized(py, &v.created_at),
                "started_at" => serialized(py, &v.started_at),
                "diarized_at" => serialized(py, &v.diarized_at),
                "completed_at" => serialized(py, &v.completed_at),
                "tag" => v.tag.field(py),
                "callback_urls" => serialized(py, &v.callback_urls),
                "callback_failure_reason" => v.callback_failure_reason.field(py),
                "failure_reason" => v.failure_reason.field(py),
                "media" => nested(py, v.media.as_ref().map(Self::Media)),
                "config" => serialized(py, &v.config),
                _ => no_field(name),
            },
            Self::Media(v) => match name {
                "md5" => v.md5.field(py),
                "size" => v.size.field(py),
                "input" => nested(py, v.input.as_ref().map(Self::MediaInput)),
                "output" => nested(py, v.output.as_ref().map(Self::MediaOutput)),
                _ => no_field(name),
            },
            Self::MediaInput(v) => match name {
                "sample_rate" => v.sample_rate.field(py),
                "channels" => v.channels.field(py),
                "bit_rate" => v.bit_rate.field(py),
                "format" => v.format.field(py),
                "codec" => v.codec.field(py),
                "bandwidth" => v.bandwidth.field(py),
                _ => no_field(name),
            },
            Self::MediaOutput(v) => match name {
                "redundant_channel" => v.redundant_channel.field(py),
                "channels" => nested(py, v.channels.as_deref().map(Self::Channels)),
                _ => no_field(name),
            },
            Self::OutputChannel(v) => match name {
                "channel" => v.channel.field(py),
                "duration" => v.duration.field(py),
                "speech" => v.speech.field(py),
                "silence" => v.silence.field(py),
                "bandwidth" => v.bandwidth.field(py),
                "dtmf" => nested(py, v.dtmf.as_deref().map(Self::Dtmf)),
                _ => no_field(name),
            },
            Self::DtmfTone(v) => match name {
                "start" => v.start.field(py),
                "end" => v.end.field(py),
                "row_freq" => v.row_freq.field(py),
                "col_freq" => v.col_freq.field(py),
                "value" => v.value.field(py),
                _ => no_field(name),
            },
            Self::Segment(v) => match name {
                "channel" => v.channel.field(py),
                "speaker" => v.speaker.field(py),
                "start" => v.start.field(py),
                "end" => v.end.field(py),
                "status" => serialized(py, &v.status),
                "alternatives" => nested(py, v.alternatives.as_deref().map(Self::Alternatives)),
                "task_results" => serialized(py, &v.task_results),
                _ => no_field(name),
            },
            Self::Alternative(v) => match name {
                "text" => v.text.field(py),
                "words" => nested(py, v.words.as_deref().map(Self::Words)),
                "score" => v.score.field(py),
                "lm" => v.lm.field(py),
                _ => no_field(name),
            },
            Self::Word(v) => match name {
                "text" => v.text.as_str().field(py),
                "score" => v.score.field(py),
                "start_time" => v.start_time.field(py),
                "end_time" => v.end_time.field(py),
                _ => no_field(name),
            },
            Self::Segments(_)
            | Self::Alternatives(_)
            | Self::Words(_)
            | Self::Channels(_)
            | Self::Dtmf(_) => no_field(name),
        }
    }
}

/// A nested object or list, `None` when absent.
fn nested<'a, 'py>(py: Python<'py>, node: Option<Node<'a>>) -> Field<'a, 'py> {
    match node {
        Some(node) => Field::Node(node),
        None => Field::Value(Ok(py.None().into_bound(py))),
    }
}

fn no_field<'a, 'py>(name: &str) -> Field<'a, 'py> {
    Field::Value(Err(PyAttributeError::new_err(format!(
        "no TRD field {name:?}"
    ))))
}

/// A field written through its JSON form (statuses, timestamps, free-form objects).
fn serialized<'a, 'py, T: Serialize>(py: Python<'py>, value: &T) -> Field<'a, 'py> {
    let value = serde_json::to_value(value).unwrap_or(Value::Null);
    Field::Value(to_py(py, &value, &[]))
}

/// Scalar fields straight to Python, without a JSON detour.
trait Scalar {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>>;

    fn field<'a, 'py>(&self, py: Python<'py>) -> Field<'a, 'py> {
        Field::Value(self.to_py(py))
    }
}

// `str` for `Word::text` (a `CompactString`), `String` for the optional text fields.
impl Scalar for str {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyString::new(py, self).into_any())
    }
}

impl Scalar for String {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.as_str().to_py(py)
    }
}

impl Scalar for Number {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        number_to_py(py, self)
    }
}

macro_rules! into_pyobject_scalars {
    ($($ty:ty),*) => {
        $(impl Scalar for $ty {
            fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                Ok((*self).into_pyobject(py)?.to_owned().into_any())
            }
        })*
    };
}
into_pyobject_scalars!(f64, u32, u64, bool);

impl<T: Scalar> Scalar for Option<T> {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Some(value) => value.to_py(py),
            None => Ok(py.None().into_bound(py)),
        }
    }
}
