//! Socket.IO v5 / Engine.IO v4 client, websocket transport only: a pure packet codec
//! (`packet`, `engine`, `decoder`) and one tokio task per connection (`connection`) behind a
//! cheap [`Client`] handle and an ordered, bounded [`Events`] queue.

mod client;
mod connection;
mod decoder;
mod engine;
mod error;
mod events;
mod options;
mod packet;
mod url;

#[cfg(test)]
mod golden_tests;

pub use client::Client;
pub use engine::Handshake;
pub use error::{DisconnectReason, ProtocolError, SocketIoError};
pub use events::{Ack, AckHandle, Event, Events, Incoming};
pub use options::{ConnectOptions, Reconnection};
pub use packet::{placeholder, placeholder_num, Packet, PacketKind};
pub use url::engine_url;
