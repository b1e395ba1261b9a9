//! `das._native.Emulator`: the das-Peak Streaming + TRD emulator in-process, on the shared
//! runtime, for users' own tests and offline development.

use std::sync::Mutex;

use das_emulator::{EmulatorConfig, EmulatorHandle, Faults};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::Value;

use crate::convert::json_from_py;
use crate::errors::{das_error, Kind};
use crate::runtime::block_on;

/// A running emulator. Its URLs stay valid until `close()`.
#[pyclass(module = "das._native", frozen)]
pub struct Emulator {
    handle: Mutex<Option<EmulatorHandle>>,
    urls: Urls,
}

struct Urls {
    base: String,
    socketio: String,
    token: String,
    twilio: String,
    audiohook: String,
    trd: String,
    client_id: String,
    client_secret: String,
    audiohook_api_key: String,
    audiohook_client_secret: String,
    trd_license_url: String,
    trd_license_user: String,
    trd_license_password: String,
}

#[pymethods]
impl Emulator {
    /// Starts on 127.0.0.1 and a free port. `config` holds the `EmulatorConfig` fields to change
    /// (same names as its JSON form, e.g. `{"vad": {"status_interval_secs": 0.25}}`).
    #[new]
    #[pyo3(signature = (config=None))]
    fn new(py: Python<'_>, config: Option<Bound<'_, PyDict>>) -> PyResult<Self> {
        let config: EmulatorConfig = match config {
            None => EmulatorConfig::default(),
            Some(dict) => from_json(json_from_py(dict.as_any())?, "emulator config")?,
        };
        let handle = block_on(py, das_emulator::Emulator::start(config))?
            .map_err(|e| das_error(Kind::Connect, e))?;
        let urls = Urls {
            base: handle.base_url(),
            socketio: handle.socketio_url(),
            token: handle.token_url(),
            twilio: handle.twilio_url(),
            audiohook: handle.audiohook_url(),
            trd: handle.trd_url(),
            client_id: handle.client_id().to_owned(),
            client_secret: handle.client_secret().to_owned(),
            audiohook_api_key: handle.audiohook_api_key().to_owned(),
            audiohook_client_secret: handle.audiohook_client_secret().to_owned(),
            trd_license_url: handle.trd_license_url(),
            trd_license_user: handle.trd_license_user().to_owned(),
            trd_license_password: handle.trd_license_password().to_owned(),
        };
        Ok(Self {
            handle: Mutex::new(Some(handle)),
            urls,
        })
    }

    /// Replaces the fault-injection switches (`Faults` fields, e.g. `{"reject_auth": True}`).
    fn set_faults(&self, faults: Bound<'_, PyDict>) -> PyResult<()> {
        let faults: Faults = from_json(json_from_py(faults.as_any())?, "faults")?;
        let guard = self.handle.lock().unwrap_or_else(|p| p.into_inner());
        guard
            .as_ref()
            .ok_or_else(|| das_error(Kind::Closed, "the emulator is closed"))?
            .set_faults(faults);
        Ok(())
    }

    /// Cancels sessions and stops the server (bounded wait). Safe to call twice.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let handle = self.handle.lock().unwrap_or_else(|p| p.into_inner()).take();
        match handle {
            Some(handle) => block_on(py, handle.shutdown()),
            None => Ok(()),
        }
    }

    #[getter]
    fn base_url(&self) -> &str {
        &self.urls.base
    }
    #[getter]
    fn socketio_url(&self) -> &str {
        &self.urls.socketio
    }
    #[getter]
    fn token_url(&self) -> &str {
        &self.urls.token
    }
    #[getter]
    fn twilio_url(&self) -> &str {
        &self.urls.twilio
    }
    #[getter]
    fn audiohook_url(&self) -> &str {
        &self.urls.audiohook
    }
    #[getter]
    fn trd_url(&self) -> &str {
        &self.urls.trd
    }
    #[getter]
    fn client_id(&self) -> &str {
        &self.urls.client_id
    }
    #[getter]
    fn client_secret(&self) -> &str {
        &self.urls.client_secret
    }
    #[getter]
    fn audiohook_api_key(&self) -> &str {
        &self.urls.audiohook_api_key
    }
    #[getter]
    fn audiohook_client_secret(&self) -> &str {
        &self.urls.audiohook_client_secret
    }
    #[getter]
    fn trd_license_url(&self) -> &str {
        &self.urls.trd_license_url
    }
    #[getter]
    fn trd_license_user(&self) -> &str {
        &self.urls.trd_license_user
    }
    #[getter]
    fn trd_license_password(&self) -> &str {
        &self.urls.trd_license_password
    }
}

fn from_json<T: serde::de::DeserializeOwned>(value: Value, what: &str) -> PyResult<T> {
    serde_json::from_value(value)
        .map_err(|e| das_error(Kind::InvalidArgument, format!("{what}: {e}")))
}
