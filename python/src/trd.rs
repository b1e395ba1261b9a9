//! `das._native` functions behind `das.trd`: the pure webhook parser and the constant-time
//! token comparison.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::convert::to_py;
use crate::errors::{das_error, parse_error, Kind};

/// Parses a TRD result body (`bytes` or `str`) and returns the normalised document as a dict
/// (known fields in wire order, unknown ones kept). Raises `WebhookParseError`.
#[pyfunction]
pub fn trd_parse<'py>(py: Python<'py>, body: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let result = if let Ok(bytes) = body.cast::<PyBytes>() {
        das::trd::parse_webhook(bytes.as_bytes())
    } else if let Ok(text) = body.cast::<PyString>() {
        das::trd::parse_webhook(text.to_cow()?.as_bytes())
    } else {
        return Err(das_error(
            Kind::InvalidArgument,
            "the webhook body must be bytes or str",
        ));
    };
    to_py(py, &result.map_err(parse_error)?.to_value(), &[])
}

/// Constant-time string equality (the length is not secret).
#[pyfunction]
pub fn tokens_equal(given: &str, expected: &str) -> bool {
    das::trd::tokens_equal(given, expected)
}
