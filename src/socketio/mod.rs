//! Socket.IO v5 / Engine.IO v4 client, websocket transport only: a pure packet codec
//! (`packet`, `engine`, `decoder`) and one tokio task per connection (`connection`) behind a
//! cheap [`Client`] handle, delivering into an ordered, bounded [`Events`] queue or the
//! caller's own [`IncomingSink`]. Needs a tokio runtime.
//!
//! ```no_run
//! use das::socketio::{Client, ConnectOptions, Incoming};
//! use serde_json::json;
//!
//! # async fn demo() -> Result<(), das::socketio::SocketIoError> {
//! let options = ConnectOptions::new("https://api.eu.veri-das.com/socket.io")
//!     .header("Authorization", "Bearer <token>")
//!     .namespace("/socket.io/register");
//! let (client, mut events) = Client::connect(options).await?;
//! client.emit("/socket.io/register", "initialize", vec![json!({"metadata": {}})]).await?;
//! while let Some(item) = events.recv().await {
//!     match item {
//!         Incoming::Event(mut event) => {
//!             println!("{} {:?}", event.name, event.args);
//!             if let Some(ack) = event.take_ack() {
//!                 ack.send(vec![json!("ok")]).await?;
//!             }
//!         }
//!         Incoming::Disconnected { reason } => println!("disconnected: {reason}"),
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```

mod client;
mod connection;
mod decoder;
mod engine;
mod error;
mod events;
mod options;
mod packet;
mod sink;
mod string_array;
mod url;

#[cfg(test)]
mod golden_tests;

pub use client::Client;
pub use decoder::{Decoder, Inbound};
pub use engine::{EnginePacket, Handshake};
pub use error::{DisconnectReason, ProtocolError, SocketIoError};
pub use events::{Ack, AckHandle, Event, Events, Incoming};
pub use options::{ConnectOptions, Reconnection};
pub(crate) use packet::nests_placeholder;
pub use packet::{placeholder, placeholder_num, Packet, PacketKind};
pub use sink::IncomingSink;
pub use url::engine_url;
