//! A minimal Engine.IO v4 / Socket.IO v5 WebSocket client (text packets only), enough to
//! drive the emulator from Rust until the project's own client is merged.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

const WAIT: Duration = Duration::from_secs(60);

pub struct SioClient {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    namespace: String,
}

/// What the server said to a namespace CONNECT.
pub type Connect = Result<SioClient, String>;

impl SioClient {
    /// Opens the transport and joins `namespace`; `Err` carries the CONNECT_ERROR message.
    pub async fn connect(base_url: &str, namespace: &str, authorization: Option<&str>) -> Connect {
        let url = format!(
            "{}/socket.io/?EIO=4&transport=websocket",
            base_url.replacen("http", "ws", 1)
        );
        let mut request = url.into_client_request().expect("valid url");
        if let Some(value) = authorization {
            request
                .headers_mut()
                .insert("authorization", value.parse().expect("header value"));
        }
        let (ws, _) = tokio::time::timeout(WAIT, connect_async(request))
            .await
            .expect("handshake in time")
            .expect("websocket handshake");
        let mut client = SioClient {
            ws,
            namespace: namespace.to_owned(),
        };
        let open = client.next_packet().await.expect("open packet");
        assert!(open.starts_with('0'), "{open}");
        client.send(format!("40{namespace},")).await;
        loop {
            let packet = client.next_packet().await.expect("connect reply");
            if let Some(body) = client.strip("0", &packet) {
                assert!(body.contains("sid"), "{packet}");
                return Ok(client);
            }
            if let Some(body) = client.strip("4", &packet) {
                let value: Value = serde_json::from_str(body).expect("CONNECT_ERROR json");
                return Err(value["message"].as_str().unwrap_or_default().to_owned());
            }
        }
    }

    pub async fn emit(&mut self, event: &str, data: &Value) {
        let body = serde_json::to_string(&(event, data)).expect("json");
        self.send(format!("42{},{body}", self.namespace)).await;
    }

    /// Sends a raw Socket.IO packet body on this namespace (after `42<ns>,`).
    pub async fn emit_raw(&mut self, body: &str) {
        self.send(format!("42{},{body}", self.namespace)).await;
    }

    /// The next event `(name, payload)`; a JSON-string payload is parsed. `None` once the
    /// server disconnects the namespace or the transport.
    pub async fn next_event(&mut self) -> Option<(String, Value)> {
        loop {
            let packet = self.next_packet().await?;
            if self.strip("1", &packet).is_some() {
                return None;
            }
            let Some(body) = self.strip("2", &packet) else {
                continue;
            };
            let array: Vec<Value> = serde_json::from_str(body).expect("event array");
            let name = array[0].as_str().expect("event name").to_owned();
            let data = match array.get(1) {
                Some(Value::String(text)) => {
                    serde_json::from_str(text).unwrap_or(Value::String(text.clone()))
                }
                Some(other) => other.clone(),
                None => Value::Null,
            };
            return Some((name, data));
        }
    }

    /// Events until (and including) the first `result-*` or `error`, or the disconnect.
    pub async fn events_until_result(&mut self) -> Vec<(String, Value)> {
        let mut events = Vec::new();
        while let Some((name, data)) = self.next_event().await {
            let done = name.starts_with("result-") || name == "error";
            events.push((name, data));
            if done {
                break;
            }
        }
        events
    }

    fn strip<'a>(&self, kind: &str, packet: &'a str) -> Option<&'a str> {
        packet
            .strip_prefix(kind)?
            .strip_prefix(self.namespace.as_str())?
            .strip_prefix(',')
    }

    async fn send(&mut self, text: String) {
        self.ws.send(Message::text(text)).await.expect("send");
    }

    /// The next Socket.IO packet (an Engine.IO `4…` message without the 4; the open
    /// packet as is); answers pings.
    async fn next_packet(&mut self) -> Option<String> {
        loop {
            let frame = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("server answered in time");
            let text = match frame {
                Some(Ok(Message::Text(text))) => text.to_string(),
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
                Some(Ok(_)) => continue,
            };
            match text.as_bytes().first() {
                Some(b'2') => self.send("3".into()).await,
                Some(b'0') => return Some(text),
                Some(b'4') => return Some(text[1..].to_owned()),
                Some(b'1') => return None,
                _ => {}
            }
        }
    }
}
