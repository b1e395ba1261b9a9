//! The native half of `das.trd`'s record classes: each field is a native descriptor, so
//! reading `word.text` is one call into Rust instead of a failed attribute lookup, a Python
//! `__getattr__` and two dict lookups (iterating every word of a 1-hour call cost more than
//! `json.loads` that way). Records themselves are made by the views (`trd_view::record`).

use pyo3::intern;
use pyo3::prelude::*;

use crate::trd_view::TrdView;

/// One field of a record class (`das._native.TrdField`): reads `name` from the record's view,
/// nested objects and lists as instances of `record_class`.
#[pyclass(module = "das._native", frozen)]
pub struct TrdField {
    name: String,
    record_class: Option<Py<PyAny>>,
}

#[pymethods]
impl TrdField {
    #[new]
    #[pyo3(signature = (name, record_class=None))]
    fn new(name: String, record_class: Option<Py<PyAny>>) -> Self {
        Self { name, record_class }
    }

    /// The field's value on `instance`; the descriptor itself when read from the class.
    fn __get__<'py>(
        slf: &Bound<'py, Self>,
        instance: Option<&Bound<'py, PyAny>>,
        _owner: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let Some(instance) = instance.filter(|i| !i.is_none()) else {
            return Ok(slf.clone().into_any());
        };
        let field = slf.get();
        let data = instance.getattr(intern!(py, "_data"))?;
        let view = data.cast::<TrdView>()?;
        view.get().field(
            py,
            &field.name,
            field.record_class.as_ref().map(|class| class.bind(py)),
        )
    }

    /// Records are read-only (this also makes the field a data descriptor, as a property is).
    fn __set__(&self, _instance: &Bound<'_, PyAny>, _value: &Bound<'_, PyAny>) -> PyResult<()> {
        Err(pyo3::exceptions::PyAttributeError::new_err(format!(
            "TRD records are read-only: cannot set {:?}",
            self.name
        )))
    }
}
