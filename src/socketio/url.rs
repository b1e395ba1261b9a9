//! Engine.IO URL from a user URL, with python-socketio's semantics: only scheme, host, port and
//! query of the given URL are used; the path comes from `socketio_path`.

use url::Url;

use super::SocketIoError;

/// `https://host/anything?x=1` + `socket.io` → `wss://host/socket.io/?x=1&EIO=4&transport=websocket`.
pub fn engine_url(base: &str, socketio_path: &str) -> Result<Url, SocketIoError> {
    let invalid = |why: String| SocketIoError::InvalidUrl(why);
    let mut url = Url::parse(base).map_err(|e| invalid(format!("{base:?}: {e}")))?;
    let scheme = match url.scheme() {
        "http" | "ws" => "ws",
        "https" | "wss" => "wss",
        other => return Err(invalid(format!("unsupported scheme {other:?} in {base:?}"))),
    };
    url.set_scheme(scheme)
        .map_err(|()| invalid(format!("cannot use scheme {scheme} for {base:?}")))?;
    let trimmed = socketio_path.trim_matches('/');
    // The trailing slash matters: aiohttp-hosted servers answer 404 without it.
    url.set_path(&if trimmed.is_empty() {
        "/".to_owned()
    } else {
        format!("/{trimmed}/")
    });
    url.set_fragment(None);
    url.query_pairs_mut()
        .append_pair("EIO", "4")
        .append_pair("transport", "websocket");
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_url_maps_like_python_socketio() {
        let url = engine_url("https://api.eu.veri-das.com/socket.io", "socket.io").unwrap();
        assert_eq!(
            url.as_str(),
            "wss://api.eu.veri-das.com/socket.io/?EIO=4&transport=websocket"
        );
    }

    #[test]
    fn path_is_ignored_query_kept_port_kept() {
        let url = engine_url("http://127.0.0.1:8080/other/path?tenant=a", "/custom/").unwrap();
        assert_eq!(
            url.as_str(),
            "ws://127.0.0.1:8080/custom/?tenant=a&EIO=4&transport=websocket"
        );
    }

    #[test]
    fn bad_urls_are_errors() {
        assert!(engine_url("ftp://h/", "socket.io").is_err());
        assert!(engine_url("not a url", "socket.io").is_err());
    }
}
