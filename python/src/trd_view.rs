//! Lazy views of a parsed TRD document: Python gets one small object that borrows a node of the
//! typed Rust tree (the tree is shared through an `Arc` by every view of it), and builds Python
//! values only for the attributes it reads. Building the whole document as Python objects up
//! front cost more than `json.loads`.
//!
//! The borrow is a [`Yoke`]: a node together with the `Arc` it points into, so the tree outlives
//! every view without any `unsafe` here.

use std::sync::Arc;

use das::trd::{
    Alternative, DtmfTone, Job, JobResult, Media, MediaInput, MediaOutput, OutputChannel, Segment,
    Word,
};
use pyo3::exceptions::{PyIndexError, PyTypeError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PySlice};
use serde_json::Value;
use yoke::erased::ErasedArcCart;
use yoke::Yoke;

use crate::convert::{json_from_py, to_py};
use crate::errors::{das_error, Kind};
use crate::trd_node::{Field, Node};

/// A node and the tree it borrows from, kept alive while any view of it exists.
type SharedNode = Yoke<Node<'static>, ErasedArcCart>;

/// Shares `tree` and borrows its `root` node.
fn share<T: Send + Sync + 'static>(tree: T, root: for<'a> fn(&'a T) -> Node<'a>) -> SharedNode {
    Yoke::<Node<'static>, Arc<T>>::attach_to_cart(Arc::new(tree), root).erase_arc_cart()
}

/// One JSON object of a parsed TRD document (`das._native.TrdView`); the pure-Python record
/// classes of `das.trd` wrap it.
#[pyclass(module = "das._native", frozen)]
pub struct TrdView {
    node: SharedNode,
}

/// A list of objects of a parsed TRD document (`das._native.TrdList`): a read-only sequence
/// whose items are built on access, as instances of the record class it was given.
#[pyclass(module = "das._native", frozen, sequence)]
pub struct TrdList {
    node: SharedNode,
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
    das::trd::parse_webhook(body).map(result_view)
}

/// The view of a result the caller already owns (a receiver delivery).
pub fn result_view(result: JobResult) -> TrdView {
    TrdView {
        node: share(result, |result| Node::Result(result)),
    }
}

/// An instance of the record class `class` wrapping `view`, as `class(view)` would make it,
/// but without running the class's Python `__init__`.
pub(crate) fn record<'py>(
    class: &Bound<'py, PyAny>,
    view: Bound<'py, TrdView>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = class.py();
    let record = class.call_method1(intern!(py, "__new__"), (class,))?;
    record.setattr(intern!(py, "_data"), view)?;
    Ok(record)
}

impl TrdView {
    /// The field `name` as a Python value (`None` when absent). Nested objects come back as
    /// instances of `class`, lists of objects as a `TrdList` of `class` instances.
    pub(crate) fn field<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        record_class: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        // Only a nested node shares the tree again; a scalar is read in place.
        let nested: Result<SharedNode, _> = self.node.try_map_project_cloned(|node, _| match node
            .field(py, name)
        {
            Field::Node(nested) => Ok(nested),
            Field::Value(value) => Err(value),
        });
        let node = match nested {
            Ok(node) => node,
            Err(value) => return value,
        };
        if node.get().is_list() {
            let class =
                record_class.ok_or_else(|| PyTypeError::new_err("a list field needs its class"))?;
            let list = TrdList {
                node,
                item_class: class.clone().unbind(),
            };
            return Ok(Bound::new(py, list)?.into_any());
        }
        let view = Bound::new(py, TrdView { node })?;
        match record_class {
            Some(class) => record(class, view),
            None => Ok(view.into_any()),
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
            root: for<'a> fn(&'a T) -> Node<'a>,
        ) -> PyResult<TrdView> {
            let typed: T = serde_json::from_value(value)
                .map_err(|e| das_error(Kind::InvalidArgument, format!("not a TRD {kind}: {e}")))?;
            Ok(TrdView {
                node: share(typed, root),
            })
        }
        let value = json_from_py(data)?;
        match kind {
            "JobResult" => typed::<JobResult>(kind, value, |v| Node::Result(v)),
            "Job" => typed::<Job>(kind, value, |v| Node::Job(v)),
            "Media" => typed::<Media>(kind, value, |v| Node::Media(v)),
            "MediaInput" => typed::<MediaInput>(kind, value, |v| Node::MediaInput(v)),
            "MediaOutput" => typed::<MediaOutput>(kind, value, |v| Node::MediaOutput(v)),
            "OutputChannel" => typed::<OutputChannel>(kind, value, |v| Node::OutputChannel(v)),
            "DtmfTone" => typed::<DtmfTone>(kind, value, |v| Node::DtmfTone(v)),
            "Segment" => typed::<Segment>(kind, value, |v| Node::Segment(v)),
            "Alternative" => typed::<Alternative>(kind, value, |v| Node::Alternative(v)),
            "Word" => typed::<Word>(kind, value, |v| Node::Word(v)),
            other => Err(das_error(
                Kind::InvalidArgument,
                format!("no TRD record kind {other:?}"),
            )),
        }
    }

    /// Keys the parser does not know, as received (a new dict).
    fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (key, value) in self.node.get().extra().into_iter().flatten() {
            dict.set_item(key, to_py(py, value, &[])?)?;
        }
        Ok(dict)
    }

    /// The object as plain JSON data (new Python objects on every call).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.node.get().to_value(), &[])
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<TrdView>()
            .is_ok_and(|other| self.node.get().equals(*other.get().node.get()))
    }
}

impl TrdList {
    fn len(&self) -> usize {
        self.node.get().len()
    }

    fn build<'py>(&self, py: Python<'py>, index: usize) -> PyResult<Bound<'py, PyAny>> {
        let node: SharedNode = self
            .node
            .try_map_project_cloned(|list, _| list.item(index).ok_or(()))
            .map_err(|()| PyIndexError::new_err("TRD list index out of range"))?;
        record(self.item_class.bind(py), Bound::new(py, TrdView { node })?)
    }

    fn items<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyAny>>> {
        (0..self.len()).map(|i| self.build(py, i)).collect()
    }
}

#[pymethods]
impl TrdList {
    fn __len__(&self) -> usize {
        self.len()
    }

    /// An item by index (negative counts from the end), or a `list` for a slice.
    fn __getitem__<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let len = self.len();
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
            return Ok(self.node.get().equals(*other.get().node.get()));
        }
        let Ok(other) = other.cast::<PyList>() else {
            return Ok(false);
        };
        if other.len() != self.len() {
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
        if self.next >= list.len() {
            return Ok(None);
        }
        self.next += 1;
        list.build(py, self.next - 1).map(Some)
    }
}
