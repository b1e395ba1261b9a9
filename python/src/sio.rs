//! `das._native.SioConnection`: the core Socket.IO client behind `das.Client`. Events, ack
//! replies and connection-state changes come out of one ordered queue that the Python client's
//! dispatch thread drains with [`SioConnection::next`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use bytes::Bytes;
use das::socketio::{
    AckHandle, Client, ConnectOptions, DisconnectReason, Incoming, IncomingSink, Reconnection,
    SocketIoError,
};
use futures_util::future::BoxFuture;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use serde_json::Value;
use tokio::sync::mpsc;

use crate::convert::{from_py, json_from_py, to_py, wait_seconds};
use crate::errors::{das_error, socketio_error, Kind};
use crate::runtime::{block_on, runtime};

/// Items waiting for the dispatch thread; bounded so a stalled handler pauses reading.
const QUEUE: usize = 256;

enum Item {
    Incoming(Incoming),
    /// The server answered `emit(..., callback=)` number `token`.
    AckReply {
        token: u64,
        args: Vec<Value>,
        attachments: Vec<Bytes>,
    },
    /// The connection ended for good: nothing follows.
    End,
}

/// Where the connection task delivers: the dispatch queue, with one slot kept for the end so
/// that `end` (which cannot wait) queues it after the last item, never losing it.
struct DispatchSink {
    items: mpsc::Sender<Item>,
    end: Mutex<Option<mpsc::OwnedPermit<Item>>>,
}

impl DispatchSink {
    fn new(items: &mpsc::Sender<Item>) -> Self {
        Self {
            items: items.clone(),
            // The queue is new and empty: there is room.
            end: Mutex::new(items.clone().try_reserve_owned().ok()),
        }
    }
}

impl IncomingSink for DispatchSink {
    fn deliver(&self, item: Incoming) -> BoxFuture<'_, ()> {
        // A closed queue means the `SioConnection` is gone: nobody listens.
        Box::pin(async move {
            let _ = self.items.send(Item::Incoming(item)).await;
        })
    }

    fn end(&self) {
        let slot = self.end.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(slot) = slot {
            slot.send(Item::End);
        }
    }
}

/// Reconnection settings with python-socketio's names and defaults.
#[pyclass(module = "das._native", frozen)]
#[derive(Clone)]
pub struct ReconnectionSettings {
    enabled: bool,
    attempts: u32,
    delay: f64,
    delay_max: f64,
    randomization: f64,
}

#[pymethods]
impl ReconnectionSettings {
    #[new]
    #[pyo3(signature = (reconnection=true, reconnection_attempts=0, reconnection_delay=1.0, reconnection_delay_max=5.0, randomization_factor=0.5))]
    fn new(
        reconnection: bool,
        reconnection_attempts: u32,
        reconnection_delay: f64,
        reconnection_delay_max: f64,
        randomization_factor: f64,
    ) -> PyResult<Self> {
        for (name, v) in [
            ("reconnection_delay", reconnection_delay),
            ("reconnection_delay_max", reconnection_delay_max),
            ("randomization_factor", randomization_factor),
        ] {
            // `inf` (or more than a timer holds) is accepted: a delay that never ends.
            if v.is_nan() || v < 0.0 {
                return Err(das_error(
                    Kind::InvalidArgument,
                    format!("{name} must be a non-negative number, got {v}"),
                ));
            }
        }
        Ok(Self {
            enabled: reconnection,
            attempts: reconnection_attempts,
            delay: reconnection_delay,
            delay_max: reconnection_delay_max,
            randomization: randomization_factor,
        })
    }
}

impl ReconnectionSettings {
    fn core(&self) -> Reconnection {
        Reconnection {
            enabled: self.enabled,
            max_attempts: self.attempts,
            delay: wait_seconds(self.delay),
            delay_max: wait_seconds(self.delay_max),
            randomization: self.randomization,
        }
    }
}

/// One connected Socket.IO client (websocket transport).
#[pyclass(module = "das._native", frozen)]
pub struct SioConnection {
    client: Client,
    items: Mutex<mpsc::Receiver<Item>>,
    // Weak: once the connection ended and no ack is pending, `next` reports `Closed`.
    replies: mpsc::WeakSender<Item>,
    acks: Mutex<HashMap<u64, AckHandle>>,
    next_id: AtomicU64,
}

#[pymethods]
impl SioConnection {
    /// Connects and waits until every namespace is accepted (at most `wait_timeout` seconds
    /// for each step). Raises `ConnectRefused` when the server refuses a namespace.
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (url, headers, auth, namespaces, socketio_path, wait_timeout, reconnection,
        proxy=None))]
    fn connect(
        py: Python<'_>,
        url: String,
        headers: Vec<(String, String)>,
        auth: Option<Bound<'_, PyAny>>,
        namespaces: Vec<String>,
        socketio_path: String,
        wait_timeout: f64,
        reconnection: ReconnectionSettings,
        proxy: Option<&str>,
    ) -> PyResult<Self> {
        // `inf` (or more than a timer holds) is no limit, as in every other wait.
        if wait_timeout.is_nan() || wait_timeout <= 0.0 {
            return Err(das_error(
                Kind::InvalidArgument,
                format!("wait_timeout must be positive, got {wait_timeout}"),
            ));
        }
        let mut options = ConnectOptions::new(url)
            .socketio_path(socketio_path)
            .connect_timeout(wait_seconds(wait_timeout))
            .reconnection(reconnection.core())
            .proxy(crate::proxy::proxy_setting(proxy)?);
        for (name, value) in headers {
            options = options.header(name, value);
        }
        if let Some(auth) = auth.filter(|a| !a.is_none()) {
            options = options.auth(json_from_py(&auth)?);
        }
        for namespace in namespaces {
            options = options.namespace(namespace);
        }
        let (tx, rx) = mpsc::channel(QUEUE);
        let sink = DispatchSink::new(&tx);
        let client =
            block_on(py, Client::connect_with_sink(options, sink))?.map_err(socketio_error)?;
        Ok(Self {
            client,
            items: Mutex::new(rx),
            replies: tx.downgrade(),
            acks: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
        })
    }

    /// The next item, waiting at most `timeout` seconds; `None` when nothing arrived. Raises
    /// `Closed` once `("end",)` was delivered and no ack reply is pending. Items are tuples:
    /// `("event", namespace, name, args, ack_id | None)`, `("connect", namespace, sid)`,
    /// `("disconnect", namespace | None, reason)`, `("reconnecting", attempt, delay)`,
    /// `("ack", token, args)` and finally `("end",)`.
    fn next<'py>(&self, py: Python<'py>, timeout: f64) -> PyResult<Option<Bound<'py, PyTuple>>> {
        let wait = wait_seconds(timeout);
        let item = {
            let mut guard = self.items.lock().unwrap_or_else(|p| p.into_inner());
            let items: &mut mpsc::Receiver<Item> = &mut guard;
            let received = block_on(py, async { tokio::time::timeout(wait, items.recv()).await })?;
            match received {
                Err(_) => return Ok(None),
                Ok(None) => return Err(das_error(Kind::Closed, "the connection is closed")),
                Ok(Some(item)) => item,
            }
        };
        self.item_to_py(py, item).map(Some)
    }

    /// Answers the server's ack request `ack_id` with `args` (a list).
    fn ack(&self, py: Python<'_>, ack_id: u64, args: Bound<'_, PyList>) -> PyResult<()> {
        let (args, attachments) = args_from_py(args.as_any())?;
        let Some(handle) = self
            .acks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&ack_id)
        else {
            return Err(das_error(
                Kind::InvalidArgument,
                format!("no pending ack {ack_id}"),
            ));
        };
        block_on(py, handle.send_binary(args, attachments))?.map_err(socketio_error)
    }

    /// Emits `event` with `args` (a list; `bytes` become binary attachments).
    fn emit(
        &self,
        py: Python<'_>,
        namespace: &str,
        event: &str,
        args: Bound<'_, PyList>,
    ) -> PyResult<()> {
        let (args, attachments) = args_from_py(args.as_any())?;
        block_on(
            py,
            self.client.emit_binary(namespace, event, args, attachments),
        )?
        .map_err(socketio_error)
    }

    /// Emits `event` requesting an ack; the reply comes out of [`next`](Self::next) as
    /// `("ack", token, args)` (nothing comes when no ack arrives within `timeout` seconds).
    fn emit_with_callback(
        &self,
        namespace: &str,
        event: &str,
        args: Bound<'_, PyList>,
        timeout: f64,
        token: u64,
    ) -> PyResult<()> {
        let (args, attachments) = args_from_py(args.as_any())?;
        let client = self.client.clone();
        let replies = self
            .replies
            .upgrade()
            .ok_or_else(|| socketio_error(SocketIoError::Closed))?;
        let (namespace, event) = (namespace.to_owned(), event.to_owned());
        let timeout = wait_seconds(timeout);
        if !client.connected() || client.namespace_sid(&namespace).is_none() {
            return Err(socketio_error(SocketIoError::NotConnected(namespace)));
        }
        runtime()?.spawn(async move {
            match client
                .emit_binary_with_ack(&namespace, &event, args, attachments, timeout)
                .await
            {
                Ok(ack) => {
                    let _ = replies
                        .send(Item::AckReply {
                            token,
                            args: ack.args,
                            attachments: ack.attachments,
                        })
                        .await;
                }
                Err(e) => tracing::warn!(%event, "no ack for the emitted event: {e}"),
            }
        });
        Ok(())
    }

    /// Emits `event` and waits at most `timeout` seconds for the server's ack; returns its args.
    fn call<'py>(
        &self,
        py: Python<'py>,
        namespace: &str,
        event: &str,
        args: Bound<'py, PyList>,
        timeout: f64,
    ) -> PyResult<Bound<'py, PyList>> {
        let (args, attachments) = args_from_py(args.as_any())?;
        let timeout = wait_seconds(timeout);
        let ack = block_on(
            py,
            self.client
                .emit_binary_with_ack(namespace, event, args, attachments, timeout),
        )?
        .map_err(socketio_error)?;
        args_to_py(py, &ack.args, &ack.attachments)
    }

    /// Disconnects every namespace and stops reconnection (waits at most 5 s).
    fn disconnect(&self, py: Python<'_>) -> PyResult<()> {
        block_on(py, self.client.disconnect())
    }

    /// The Engine.IO session id, while connected.
    #[getter]
    fn sid(&self) -> Option<String> {
        self.client.sid()
    }

    /// True while at least one namespace is connected.
    #[getter]
    fn connected(&self) -> bool {
        self.client.connected()
    }

    /// The Socket.IO sid of `namespace`, while connected.
    fn namespace_sid(&self, namespace: &str) -> Option<String> {
        self.client.namespace_sid(namespace)
    }
}

impl SioConnection {
    fn item_to_py<'py>(&self, py: Python<'py>, item: Item) -> PyResult<Bound<'py, PyTuple>> {
        match item {
            Item::End => ("end",).into_pyobject(py),
            Item::AckReply {
                token,
                args,
                attachments,
            } => ("ack", token, args_to_py(py, &args, &attachments)?).into_pyobject(py),
            Item::Incoming(Incoming::Event(mut event)) => {
                let ack_id = event.take_ack().map(|handle| {
                    let id = self.next_id.fetch_add(1, Ordering::Relaxed);
                    self.acks
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(id, handle);
                    id
                });
                let args = args_to_py(py, &event.args, &event.attachments)?;
                (
                    "event",
                    event.namespace.as_str(),
                    event.name.as_str(),
                    args,
                    ack_id,
                )
                    .into_pyobject(py)
            }
            Item::Incoming(Incoming::Connected { namespace, sid }) => {
                ("connect", namespace, sid).into_pyobject(py)
            }
            Item::Incoming(Incoming::Disconnected { reason }) => {
                let (namespace, text) = match reason {
                    DisconnectReason::ServerDisconnect { namespace } => {
                        (Some(namespace), "server disconnect")
                    }
                    DisconnectReason::ClientDisconnect => (None, "client disconnect"),
                    _ => (None, "transport error"),
                };
                ("disconnect", namespace, text).into_pyobject(py)
            }
            Item::Incoming(Incoming::Reconnecting { attempt, delay }) => {
                ("reconnecting", attempt, delay.as_secs_f64()).into_pyobject(py)
            }
        }
    }
}

fn args_from_py(args: &Bound<'_, PyAny>) -> PyResult<(Vec<Value>, Vec<Bytes>)> {
    let mut attachments = Vec::new();
    let Value::Array(values) = from_py(args, &mut attachments)? else {
        return Err(das_error(
            Kind::InvalidArgument,
            "event arguments must be a list",
        ));
    };
    Ok((values, attachments))
}

fn args_to_py<'py>(
    py: Python<'py>,
    args: &[Value],
    attachments: &[Bytes],
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for arg in args {
        list.append(to_py(py, arg, attachments)?)?;
    }
    Ok(list)
}
