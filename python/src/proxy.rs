//! The `proxy=` argument of the Python API, one meaning everywhere.

use das::proxy::ProxySetting;
use pyo3::PyResult;

use crate::errors::{das_error, Kind};

/// `None`: the environment (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`, as curl and
/// requests read them); `""`: no proxy; else `http://[user:password@]host[:port]`.
pub fn proxy_setting(proxy: Option<&str>) -> PyResult<ProxySetting> {
    match proxy {
        None => Ok(ProxySetting::FromEnvironment),
        Some(url) => ProxySetting::parse(url)
            .map_err(|e| das_error(Kind::InvalidArgument, format!("proxy: {e}"))),
    }
}
