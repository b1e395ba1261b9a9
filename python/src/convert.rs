//! JSON values across the boundary: `serde_json::Value` ⇄ Python objects, with Socket.IO binary
//! attachments as `bytes` (python-socketio's convention) in place of their placeholders.

use std::time::Duration;

use bytes::Bytes;
use das::socketio::{placeholder, placeholder_num};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple,
};
use serde_json::{Map, Number, Value};

/// A wait of `seconds` from Python: negative or NaN waits not at all, `inf` (or more than a
/// `Duration` holds) without limit, where `Duration::from_secs_f64` would panic.
pub fn wait_seconds(seconds: f64) -> Duration {
    Duration::try_from_secs_f64(seconds.max(0.0)).unwrap_or(Duration::MAX)
}

/// Python object for `value`; placeholders become the `bytes` of their attachment.
pub fn to_py<'py>(
    py: Python<'py>,
    value: &Value,
    attachments: &[Bytes],
) -> PyResult<Bound<'py, PyAny>> {
    if !attachments.is_empty() {
        if let Some(data) = placeholder_num(value).and_then(|n| attachments.get(n)) {
            return Ok(PyBytes::new(py, data).into_any());
        }
    }
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => number_to_py(py, n)?,
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item, attachments)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (key, item) in map {
                dict.set_item(key, to_py(py, item, attachments)?)?;
            }
            dict.into_any()
        }
    })
}

pub fn number_to_py<'py>(py: Python<'py>, n: &Number) -> PyResult<Bound<'py, PyAny>> {
    if let Some(i) = n.as_i64() {
        return Ok(i.into_pyobject(py)?.into_any());
    }
    if let Some(u) = n.as_u64() {
        return Ok(u.into_pyobject(py)?.into_any());
    }
    Ok(PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any())
}

/// JSON for `obj`; `bytes`/`bytearray` anywhere become placeholders appended to `attachments`.
/// Tuples are arrays; dict keys must be strings. Anything else is a `TypeError`, as with
/// python-socketio's JSON encoder.
pub fn from_py(obj: &Bound<'_, PyAny>, attachments: &mut Vec<Bytes>) -> PyResult<Value> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(i) = obj.cast::<PyInt>() {
        if let Ok(v) = i.extract::<i64>() {
            return Ok(Value::from(v));
        }
        return Ok(Value::from(i.extract::<u64>().map_err(|_| {
            PyTypeError::new_err("integer does not fit in 64 bits")
        })?));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let v = f.value();
        return Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| PyTypeError::new_err(format!("{v} is not representable in JSON")));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        attachments.push(Bytes::copy_from_slice(b.as_bytes()));
        return Ok(placeholder(attachments.len() - 1));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        attachments.push(Bytes::from(b.to_vec()));
        return Ok(placeholder(attachments.len() - 1));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (key, item) in d.iter() {
            let key = key
                .cast::<PyString>()
                .map_err(|_| PyTypeError::new_err("JSON object keys must be str"))?
                .to_cow()?
                .into_owned();
            map.insert(key, from_py(&item, attachments)?);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return l.iter().map(|item| from_py(&item, attachments)).collect();
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return t.iter().map(|item| from_py(&item, attachments)).collect();
    }
    Err(PyTypeError::new_err(format!(
        "Object of type {} is not JSON serializable",
        obj.get_type().name()?
    )))
}

/// JSON for `obj`, refusing binary data (for payloads that are not Socket.IO packets).
pub fn json_from_py(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    let mut attachments = Vec::new();
    let value = from_py(obj, &mut attachments)?;
    if attachments.is_empty() {
        Ok(value)
    } else {
        Err(PyTypeError::new_err(
            "bytes are not allowed in this JSON payload",
        ))
    }
}
