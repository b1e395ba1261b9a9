//! `das._native.get_access_token`: one OAuth2 client-credentials request, as the documented
//! example makes with `requests`, returning the token endpoint's JSON.

use das::auth::TokenProvider;
use pyo3::prelude::*;

use crate::convert::{to_py, wait_seconds};
use crate::errors::auth_error;
use crate::runtime::block_on;

/// POSTs `client_id`, `client_secret` and `grant_type=client_credentials` to `url` and returns
/// the reply JSON (with `token_type` and `access_token`) as a dict.
#[pyfunction]
#[pyo3(signature = (url, client_id, client_secret, timeout=10.0, proxy=None))]
pub fn get_access_token<'py>(
    py: Python<'py>,
    url: String,
    client_id: String,
    client_secret: String,
    timeout: f64,
    proxy: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let provider = TokenProvider::client_credentials(url, client_id, client_secret)
        .request_timeout(wait_seconds(timeout).max(std::time::Duration::from_millis(1)))
        .proxy(crate::proxy::proxy_setting(proxy)?)
        .build()
        .map_err(auth_error)?;
    let token = block_on(py, provider.token())?.map_err(auth_error)?;
    to_py(py, token.raw_json(), &[])
}
