//! Outbound proxies: which proxy (if any) a client connection goes through — an explicit
//! setting, or the environment as curl reads it — and the tunnel through it (an HTTP
//! `CONNECT`, over TLS to an `https://` proxy, or a SOCKS5 `CONNECT`). Every client connection (token endpoint, Socket.IO,
//! audio channels, TRD) decides here.

mod env;
mod error;
mod http_client;
mod setting;
mod socks;
mod stream;
mod tunnel;

pub use env::ProxyEnv;
pub use error::ProxyError;
pub use setting::{ProxyScheme, ProxySetting, ProxyUrl};
pub(crate) use stream::TunnelStream;
pub(crate) use tunnel::open_stream;
