//! TCP listeners for the servers this crate ships (the AudioHook endpoint, the webhook
//! receiver) and for the emulator built on it.

use std::io;
use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpSocket};

/// Connections the kernel queues before the server accepts them. Tokio's default (1,024)
/// overflowed when 1,000 clients connected at once on loopback, and every connection the
/// kernel dropped then waited out the 1 s SYN retransmission. Linux caps this at
/// `net.core.somaxconn` (4,096 by default).
pub const LISTEN_BACKLOG: u32 = 4096;

/// Binds a listener on `addr` (port 0 picks a free port) with [`LISTEN_BACKLOG`].
pub fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    // As tokio's own `bind`: a restarted server may rebind while old connections linger.
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}
