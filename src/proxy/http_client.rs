//! The proxy decision applied to reqwest clients, and the proxy failure behind a reqwest
//! error (reqwest's tunnel reports "unsuccessful" without the proxy's status).

use std::sync::Arc;
use std::time::Duration;

use super::{open_stream, ProxyError, ProxySetting};

impl ProxySetting {
    /// `builder` routing each request as [`for_target`](Self::for_target) decides, with
    /// reqwest's own reading of the environment off, so the two can never disagree.
    pub(crate) fn apply_to(&self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        let setting = self.clone();
        builder.no_proxy().proxy(reqwest::Proxy::custom(move |url| {
            let host = url
                .host_str()?
                .trim_start_matches('[')
                .trim_end_matches(']');
            let proxy = setting.for_target(url.scheme(), host, url.port_or_known_default()?)?;
            Some(proxy.with_credentials_url())
        }))
    }

    /// The proxy failure behind a failed request, if it went through a proxy: a 407 answer
    /// (which only a proxy sends), or a refused tunnel, whose status a second CONNECT (within
    /// `within`) reads. `None` for every other failure, including a proxy that is unreachable
    /// or silent (those stay network errors and timeouts). `tls` is the request's trust, which
    /// an `https://` proxy is checked against.
    pub(crate) async fn failure(
        &self,
        url: &url::Url,
        outcome: Result<u16, &reqwest::Error>,
        within: Duration,
        tls: &Arc<rustls::ClientConfig>,
    ) -> Option<ProxyError> {
        let host = url
            .host_str()?
            .trim_start_matches('[')
            .trim_end_matches(']');
        let port = url.port_or_known_default()?;
        let proxy = self.for_target(url.scheme(), host, port)?;
        match outcome {
            Ok(407) => Some(ProxyError::Refused {
                proxy: proxy.to_string(),
                target: format!("{host}:{port}"),
                status: 407,
                reason: "Proxy Authentication Required".to_owned(),
            }),
            Ok(_) => None,
            Err(error) if error.is_connect() && !error.is_timeout() => {
                let deadline = crate::deadline::deadline_in(within);
                let probe = open_stream(self, url.scheme(), host, port, deadline, tls).await;
                probe.err().and_then(|e| ProxyError::find_in(&e))
            }
            Err(_) => None,
        }
    }
}
