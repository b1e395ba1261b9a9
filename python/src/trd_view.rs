//! Lazy views of a parsed TRD document: Python gets one small object pointing into the typed
//! Rust tree (shared through an `Arc`), and builds Python values only for the attributes it
//! reads. Building the whole document as Python objects up front cost more than `json.loads`.

use std::any::Any;
use std::sync::Arc;

use das::trd::{
    Alternative, DtmfTone, Job, JobResult, Media, MediaInput, MediaOutput, OutputChannel, Segment,
    Word,
};
use pyo3::exceptions::{PyAttributeError, PyIndexError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PySlice, PyString};
use serde::Serialize;
use serde_json::{Number, Value};

use crate::convert::{json_from_py, number_to_py, to_py};
use crate::errors::{das_error, Kind};
use crate::trd_record::record;

/// Keeps the parsed tree alive for as long as any view of it exists.
type Owner = Arc<dyn Any + Send + Sync>;

/// The typed object a view stands for, as a pointer into its owner's tree.
#[derive(Clone, Copy)]
enum Target {
    Result(*const JobResult),
    Job(*const Job),
    Media(*const Media),
    MediaInput(*const MediaInput),
    MediaOutput(*const MediaOutput),
    OutputChannel(*const OutputChannel),
    DtmfTone(*const DtmfTone),
    Segment(*const Segment),
    Alternative(*const Alternative),
    Word(*const Word),
}

/// A list of typed objects inside the owner's tree.
#[derive(Clone, Copy)]
enum ListTarget {
    Segments(*const [Segment]),
    Alternatives(*const [Alternative]),
    Words(*const [Word]),
    Channels(*const [OutputChannel]),
    Dtmf(*const [DtmfTone]),
}

// SAFETY: every pointer targets data inside the `Owner` stored next to it. The owner is an
// `Arc` that is never mutated after construction, so the data neither moves nor changes while
// the view lives, and the pointed-to types are themselves `Send + Sync`.
unsafe impl Send for Target {}
unsafe impl Sync for Target {}
unsafe impl Send for ListTarget {}
unsafe impl Sync for ListTarget {}

/// One JSON object of a parsed TRD document (`das._native.TrdView`); the pure-Python record
/// classes of `das.trd` wrap it.
#[pyclass(module = "das._native", frozen)]
pub struct TrdView {
    owner: Owner,
    target: Target,
}

/// A list of objects of a parsed TRD document (`das._native.TrdList`): a read-only sequence
/// whose items are built on access, as instances of the record class it was given.
#[pyclass(module = "das._native", frozen, sequence)]
pub struct TrdList {
    owner: Owner,
    items: ListTarget,
    item_class: Py<PyAny>,
}

/// Iterator over a [`TrdList`].
#[pyclass(module = "das._native")]
pub struct TrdListIter {
    list: Py<TrdList>,
    next: usize,
}

/// Parses `body` once and returns the view of the whole document.
pub fn parse_view(body: &[u8]) -> Result<TrdView, das::trd::ParseError> {
    das::trd::parse_webhook(body).map(|result| TrdView::own(Arc::new(result), Target::Result))
}

/// The view of a result the caller already owns (a receiver delivery).
pub fn result_view(result: JobResult) -> TrdView {
    TrdView::own(Arc::new(result), Target::Result)
}

impl TrdView {
    fn own<T: Send + Sync + 'static>(owner: Arc<T>, target: fn(*const T) -> Target) -> Self {
        let pointer: *const T = &*owner;
        Self {
            owner,
            target: target(pointer),
        }
    }

    fn child(&self, target: Target) -> Self {
        Self {
            owner: Arc::clone(&self.owner),
            target,
        }
    }

    /// A nested object as an instance of `class` (or the bare view without one).
    fn nested<'py>(
        &self,
        py: Python<'py>,
        class: Option<&Bound<'py, PyAny>>,
        target: Option<Target>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let Some(target) = target else {
            return Ok(py.None().into_bound(py));
        };
        let view = Bound::new(py, self.child(target))?;
        match class {
            Some(class) => record(class, view),
            None => Ok(view.into_any()),
        }
    }

    /// A list of objects as a lazy [`TrdList`] of `class` instances.
    fn list<'py>(
        &self,
        py: Python<'py>,
        class: Option<&Bound<'py, PyAny>>,
        items: Option<ListTarget>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let Some(items) = items else {
            return Ok(py.None().into_bound(py));
        };
        let class = class.ok_or_else(|| PyTypeError::new_err("a list field needs its class"))?;
        let list = TrdList {
            owner: Arc::clone(&self.owner),
            items,
            item_class: class.clone().unbind(),
        };
        Ok(Bound::new(py, list)?.into_any())
    }

    /// The typed object as JSON, exactly as `to_json` of the core writes it.
    fn to_value(&self) -> Value {
        // SAFETY (each arm): see `unsafe impl Send for Target`.
        let value = match self.target {
            Target::Result(p) => serde_json::to_value(unsafe { &*p }),
            Target::Job(p) => serde_json::to_value(unsafe { &*p }),
            Target::Media(p) => serde_json::to_value(unsafe { &*p }),
            Target::MediaInput(p) => serde_json::to_value(unsafe { &*p }),
            Target::MediaOutput(p) => serde_json::to_value(unsafe { &*p }),
            Target::OutputChannel(p) => serde_json::to_value(unsafe { &*p }),
            Target::DtmfTone(p) => serde_json::to_value(unsafe { &*p }),
            Target::Segment(p) => serde_json::to_value(unsafe { &*p }),
            Target::Alternative(p) => serde_json::to_value(unsafe { &*p }),
            Target::Word(p) => serde_json::to_value(unsafe { &*p }),
        };
        value.unwrap_or(Value::Null)
    }

    fn extra_map(&self) -> &serde_json::Map<String, Value> {
        // SAFETY (each arm): see `unsafe impl Send for Target`.
        unsafe {
            match self.target {
                Target::Result(p) => &(*p).extra,
                Target::Job(p) => &(*p).extra,
                Target::Media(p) => &(*p).extra,
                Target::MediaInput(p) => &(*p).extra,
                Target::MediaOutput(p) => &(*p).extra,
                Target::OutputChannel(p) => &(*p).extra,
                Target::DtmfTone(p) => &(*p).extra,
                Target::Segment(p) => &(*p).extra,
                Target::Alternative(p) => &(*p).extra,
                Target::Word(p) => &(*p).extra,
            }
        }
    }

    fn same_object(&self, other: &Self) -> bool {
        // SAFETY (each arm): see `unsafe impl Send for Target`.
        unsafe {
            match (self.target, other.target) {
                (Target::Result(a), Target::Result(b)) => *a == *b,
                (Target::Job(a), Target::Job(b)) => *a == *b,
                (Target::Media(a), Target::Media(b)) => *a == *b,
                (Target::MediaInput(a), Target::MediaInput(b)) => *a == *b,
                (Target::MediaOutput(a), Target::MediaOutput(b)) => *a == *b,
                (Target::OutputChannel(a), Target::OutputChannel(b)) => *a == *b,
                (Target::DtmfTone(a), Target::DtmfTone(b)) => *a == *b,
                (Target::Segment(a), Target::Segment(b)) => *a == *b,
                (Target::Alternative(a), Target::Alternative(b)) => *a == *b,
                (Target::Word(a), Target::Word(b)) => *a == *b,
                _ => false,
            }
        }
    }

    /// The field `name` as a Python value (`None` when absent). Nested objects come back as
    /// instances of `class`, lists of objects as a `TrdList` of `class` instances.
    pub(crate) fn field<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        record_class: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        // SAFETY (each arm): see `unsafe impl Send for Target`.
        match self.target {
            Target::Result(p) => {
                let v = unsafe { &*p };
                match name {
                    "job" => self.nested(py, record_class, Some(Target::Job(&v.job))),
                    "segments" => self.list(
                        py,
                        record_class,
                        v.segments.as_deref().map(|s| ListTarget::Segments(s)),
                    ),
                    "token" => v.token.to_py_field(py),
                    _ => no_field(name),
                }
            }
            Target::Job(p) => {
                let v = unsafe { &*p };
                match name {
                    "id" => v.id.to_py_field(py),
                    "filename" => v.filename.to_py_field(py),
                    "status" => serialized(py, &v.status),
                    "created_at" => serialized(py, &v.created_at),
                    "started_at" => serialized(py, &v.started_at),
                    "diarized_at" => serialized(py, &v.diarized_at),
                    "completed_at" => serialized(py, &v.completed_at),
                    "tag" => v.tag.to_py_field(py),
                    "callback_urls" => serialized(py, &v.callback_urls),
                    "callback_failure_reason" => v.callback_failure_reason.to_py_field(py),
                    "failure_reason" => v.failure_reason.to_py_field(py),
                    "media" => {
                        self.nested(py, record_class, v.media.as_ref().map(|m| Target::Media(m)))
                    }
                    "config" => serialized(py, &v.config),
                    _ => no_field(name),
                }
            }
            Target::Media(p) => {
                let v = unsafe { &*p };
                match name {
                    "md5" => v.md5.to_py_field(py),
                    "size" => v.size.to_py_field(py),
                    "input" => self.nested(
                        py,
                        record_class,
                        v.input.as_ref().map(|i| Target::MediaInput(i)),
                    ),
                    "output" => self.nested(
                        py,
                        record_class,
                        v.output.as_ref().map(|o| Target::MediaOutput(o)),
                    ),
                    _ => no_field(name),
                }
            }
            Target::MediaInput(p) => {
                let v = unsafe { &*p };
                match name {
                    "sample_rate" => v.sample_rate.to_py_field(py),
                    "channels" => v.channels.to_py_field(py),
                    "bit_rate" => v.bit_rate.to_py_field(py),
                    "format" => v.format.to_py_field(py),
                    "codec" => v.codec.to_py_field(py),
                    "bandwidth" => v.bandwidth.to_py_field(py),
                    _ => no_field(name),
                }
            }
            Target::MediaOutput(p) => {
                let v = unsafe { &*p };
                match name {
                    "redundant_channel" => v.redundant_channel.to_py_field(py),
                    "channels" => self.list(
                        py,
                        record_class,
                        v.channels.as_deref().map(|c| ListTarget::Channels(c)),
                    ),
                    _ => no_field(name),
                }
            }
            Target::OutputChannel(p) => {
                let v = unsafe { &*p };
                match name {
                    "channel" => v.channel.to_py_field(py),
                    "duration" => v.duration.to_py_field(py),
                    "speech" => v.speech.to_py_field(py),
                    "silence" => v.silence.to_py_field(py),
                    "bandwidth" => v.bandwidth.to_py_field(py),
                    "dtmf" => self.list(
                        py,
                        record_class,
                        v.dtmf.as_deref().map(|d| ListTarget::Dtmf(d)),
                    ),
                    _ => no_field(name),
                }
            }
            Target::DtmfTone(p) => {
                let v = unsafe { &*p };
                match name {
                    "start" => v.start.to_py_field(py),
                    "end" => v.end.to_py_field(py),
                    "row_freq" => v.row_freq.to_py_field(py),
                    "col_freq" => v.col_freq.to_py_field(py),
                    "value" => v.value.to_py_field(py),
                    _ => no_field(name),
                }
            }
            Target::Segment(p) => {
                let v = unsafe { &*p };
                match name {
                    "channel" => v.channel.to_py_field(py),
                    "speaker" => v.speaker.to_py_field(py),
                    "start" => v.start.to_py_field(py),
                    "end" => v.end.to_py_field(py),
                    "status" => serialized(py, &v.status),
                    "alternatives" => self.list(
                        py,
                        record_class,
                        v.alternatives
                            .as_deref()
                            .map(|a| ListTarget::Alternatives(a)),
                    ),
                    "task_results" => serialized(py, &v.task_results),
                    _ => no_field(name),
                }
            }
            Target::Alternative(p) => {
                let v = unsafe { &*p };
                match name {
                    "text" => v.text.to_py_field(py),
                    "words" => self.list(
                        py,
                        record_class,
                        v.words.as_deref().map(|w| ListTarget::Words(w)),
                    ),
                    "score" => v.score.to_py_field(py),
                    "lm" => v.lm.to_py_field(py),
                    _ => no_field(name),
                }
            }
            Target::Word(p) => {
                let v = unsafe { &*p };
                match name {
                    "text" => v.text.to_py_field(py),
                    "score" => v.score.to_py_field(py),
                    "start_time" => v.start_time.to_py_field(py),
                    "end_time" => v.end_time.to_py_field(py),
                    _ => no_field(name),
                }
            }
        }
    }
}

#[pymethods]
impl TrdView {
    /// Builds a view from plain JSON data for the record class named `kind` (`"Segment"`, …),
    /// checked against the same schema as a parsed body. Raises `InvalidArgument`.
    #[staticmethod]
    fn from_data(kind: &str, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        fn typed<T: serde::de::DeserializeOwned + Send + Sync + 'static>(
            kind: &str,
            value: Value,
            target: fn(*const T) -> Target,
        ) -> PyResult<TrdView> {
            let typed: T = serde_json::from_value(value)
                .map_err(|e| das_error(Kind::InvalidArgument, format!("not a TRD {kind}: {e}")))?;
            Ok(TrdView::own(Arc::new(typed), target))
        }
        let value = json_from_py(data)?;
        match kind {
            "JobResult" => typed(kind, value, Target::Result),
            "Job" => typed(kind, value, Target::Job),
            "Media" => typed(kind, value, Target::Media),
            "MediaInput" => typed(kind, value, Target::MediaInput),
            "MediaOutput" => typed(kind, value, Target::MediaOutput),
            "OutputChannel" => typed(kind, value, Target::OutputChannel),
            "DtmfTone" => typed(kind, value, Target::DtmfTone),
            "Segment" => typed(kind, value, Target::Segment),
            "Alternative" => typed(kind, value, Target::Alternative),
            "Word" => typed(kind, value, Target::Word),
            other => Err(das_error(
                Kind::InvalidArgument,
                format!("no TRD record kind {other:?}"),
            )),
        }
    }

    /// Keys the parser does not know, as received (a new dict).
    fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (key, value) in self.extra_map() {
            dict.set_item(key, to_py(py, value, &[])?)?;
        }
        Ok(dict)
    }

    /// The object as plain JSON data (new Python objects on every call).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.to_value(), &[])
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<TrdView>()
            .is_ok_and(|other| self.same_object(other.get()))
    }
}

impl ListTarget {
    fn len(self) -> usize {
        match self {
            Self::Segments(p) => p.len(),
            Self::Alternatives(p) => p.len(),
            Self::Words(p) => p.len(),
            Self::Channels(p) => p.len(),
            Self::Dtmf(p) => p.len(),
        }
    }

    /// The item at `index`, which the caller has checked is in range.
    fn item(self, index: usize) -> Target {
        // SAFETY (each arm): see `unsafe impl Send for Target`.
        unsafe {
            match self {
                Self::Segments(p) => Target::Segment(&(*p)[index]),
                Self::Alternatives(p) => Target::Alternative(&(*p)[index]),
                Self::Words(p) => Target::Word(&(*p)[index]),
                Self::Channels(p) => Target::OutputChannel(&(*p)[index]),
                Self::Dtmf(p) => Target::DtmfTone(&(*p)[index]),
            }
        }
    }

    fn same_items(self, other: Self) -> bool {
        // SAFETY (each arm): see `unsafe impl Send for Target`.
        unsafe {
            match (self, other) {
                (Self::Segments(a), Self::Segments(b)) => *a == *b,
                (Self::Alternatives(a), Self::Alternatives(b)) => *a == *b,
                (Self::Words(a), Self::Words(b)) => *a == *b,
                (Self::Channels(a), Self::Channels(b)) => *a == *b,
                (Self::Dtmf(a), Self::Dtmf(b)) => *a == *b,
                _ => false,
            }
        }
    }
}

impl TrdList {
    fn build<'py>(&self, py: Python<'py>, index: usize) -> PyResult<Bound<'py, PyAny>> {
        let view = TrdView {
            owner: Arc::clone(&self.owner),
            target: self.items.item(index),
        };
        record(self.item_class.bind(py), Bound::new(py, view)?)
    }

    fn items<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyAny>>> {
        (0..self.items.len()).map(|i| self.build(py, i)).collect()
    }
}

#[pymethods]
impl TrdList {
    fn __len__(&self) -> usize {
        self.items.len()
    }

    /// An item by index (negative counts from the end), or a `list` for a slice.
    fn __getitem__<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let len = self.items.len();
        if let Ok(slice) = key.cast::<PySlice>() {
            let indices = slice.indices(len as isize)?;
            let list = PyList::empty(py);
            let mut index = indices.start;
            for _ in 0..indices.slicelength {
                list.append(self.build(py, index as usize)?)?;
                index += indices.step;
            }
            return Ok(list.into_any());
        }
        let index: isize = key
            .extract()
            .map_err(|_| PyTypeError::new_err("TRD list indices must be integers or slices"))?;
        let resolved = if index < 0 {
            index + len as isize
        } else {
            index
        };
        if resolved < 0 || resolved as usize >= len {
            return Err(PyIndexError::new_err("TRD list index out of range"));
        }
        self.build(py, resolved as usize)
    }

    fn __iter__(slf: Bound<'_, Self>) -> TrdListIter {
        TrdListIter {
            list: slf.unbind(),
            next: 0,
        }
    }

    /// Equal to another `TrdList` with equal items, or to a `list` of equal records.
    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        if let Ok(other) = other.cast::<TrdList>() {
            return Ok(self.items.same_items(other.get().items));
        }
        let Ok(other) = other.cast::<PyList>() else {
            return Ok(false);
        };
        if other.len() != self.items.len() {
            return Ok(false);
        }
        for (index, theirs) in other.iter().enumerate() {
            if !self.build(py, index)?.eq(theirs)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Shown like the `list` it stands for.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let shown = self
            .items(py)?
            .iter()
            .map(|item| Ok(item.repr()?.to_cow()?.into_owned()))
            .collect::<PyResult<Vec<String>>>()?;
        Ok(format!("[{}]", shown.join(", ")))
    }
}

#[pymethods]
impl TrdListIter {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&mut self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let list = self.list.bind(py).get();
        if self.next >= list.items.len() {
            return Ok(None);
        }
        self.next += 1;
        list.build(py, self.next - 1).map(Some)
    }
}

fn no_field<'py>(name: &str) -> PyResult<Bound<'py, PyAny>> {
    Err(PyAttributeError::new_err(format!("no TRD field {name:?}")))
}

/// A field written through its JSON form (statuses, timestamps, free-form objects).
fn serialized<'py, T: Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    let value = serde_json::to_value(value).unwrap_or(Value::Null);
    to_py(py, &value, &[])
}

/// Scalar fields straight to Python, without a JSON detour.
trait ToPyField {
    fn to_py_field<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>>;
}

impl ToPyField for String {
    fn to_py_field<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyString::new(py, self).into_any())
    }
}

impl ToPyField for Number {
    fn to_py_field<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        number_to_py(py, self)
    }
}

macro_rules! into_pyobject_fields {
    ($($ty:ty),*) => {
        $(impl ToPyField for $ty {
            fn to_py_field<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                Ok((*self).into_pyobject(py)?.to_owned().into_any())
            }
        })*
    };
}
into_pyobject_fields!(f64, u32, u64, bool);

impl<T: ToPyField> ToPyField for Option<T> {
    fn to_py_field<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Some(value) => value.to_py_field(py),
            None => Ok(py.None().into_bound(py)),
        }
    }
}
