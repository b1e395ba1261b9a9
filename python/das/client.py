"""``das.Client``: python-socketio's ``socketio.Client`` surface on the libdas Rust core.

Handlers run on a thread owned by the client, in wire order, as python-socketio runs them on its
background thread. Only the websocket transport exists (the das-Peak documentation asks for it).
"""

from __future__ import annotations

import abc
import atexit
import itertools
import logging
import threading
import time
import weakref
from typing import Any, Callable, Dict, List, Optional, Tuple, TypeVar, Union, overload

from . import _native
from ._errors import BadNamespaceError, ConnectError, ConnectRefused, DasError, InvalidArgument

__all__ = ["Client"]

log = logging.getLogger("das.client")

Handler = Callable[..., Any]
#: A handler's own type, kept by the decorators.
H = TypeVar("H", bound=Handler)

# How long the dispatch thread blocks in native code before looking at its stop flag.
_POLL_SECONDS = 0.25

# Clients still connected at interpreter exit are disconnected first, so no dispatch thread is
# inside native code while the interpreter finalizes.
_live_clients: "weakref.WeakSet[Client]" = weakref.WeakSet()


@atexit.register
def _disconnect_live_clients() -> None:
    for client in list(_live_clients):
        client.disconnect()


class HandlerDecorators(abc.ABC):
    """python-socketio's ``on()`` and ``event()``, shared by ``Client`` and ``AsyncClient``;
    as decorators they return the function unchanged, its type too."""

    @abc.abstractmethod
    def _register(self, event: str, handler: Handler, namespace: Optional[str]) -> None:
        """Stores ``handler``: each client says where."""

    @overload
    def on(self, event: str, handler: None = None,
           namespace: Optional[str] = None) -> Callable[[H], H]: ...

    @overload
    def on(self, event: str, handler: Handler, namespace: Optional[str] = None) -> None: ...

    def on(self, event: str, handler: Optional[Handler] = None,
           namespace: Optional[str] = None) -> Optional[Handler]:
        """Registers ``handler`` for ``event`` (``'*'``: every event) on ``namespace``
        (default ``'/'``; ``'*'``: every namespace). Without ``handler``, a decorator."""

        def set_handler(handler: H) -> H:
            self._register(event, handler, namespace)
            return handler

        if handler is None:
            return set_handler
        set_handler(handler)
        return None

    @overload
    def event(self, handler: H) -> H: ...

    @overload
    def event(self, *, namespace: Optional[str] = None) -> Callable[[H], H]: ...

    def event(self, handler: Optional[Handler] = None, *,
              namespace: Optional[str] = None) -> Handler:
        """Decorator registering a handler under the function's own name:
        ``@sio.event`` or ``@sio.event(namespace='/chat')``."""

        def set_handler(handler: H) -> H:
            self._register(handler.__name__, handler, namespace)
            return handler

        return set_handler if handler is None else set_handler(handler)


class Client(HandlerDecorators):
    """A Socket.IO client with python-socketio's API (``on``, ``event``, ``connect``, ``emit``,
    ``call``, ``wait``, ``disconnect``), websocket transport only."""

    reserved_events = ["connect", "connect_error", "disconnect"]
    #: Seconds an ``emit(..., callback=)`` waits for its ack before the callback is dropped.
    callback_timeout = 300.0

    def __init__(self, reconnection: bool = True, reconnection_attempts: int = 0,
                 reconnection_delay: float = 1, reconnection_delay_max: float = 5,
                 randomization_factor: float = 0.5, logger: Union[bool, logging.Logger] = False,
                 **kwargs: Any) -> None:
        self.reconnection = reconnection
        self.reconnection_attempts = reconnection_attempts
        self.reconnection_delay = reconnection_delay
        self.reconnection_delay_max = reconnection_delay_max
        self.randomization_factor = randomization_factor
        self.logger = logger if isinstance(logger, logging.Logger) else log
        if logger is True:
            self.logger.setLevel(logging.INFO)
        # As python-socketio: a requests session's ``proxies`` carry the WebSocket too.
        self.http_session = kwargs.pop("http_session", None)
        if kwargs:
            # python-socketio passes these to Engine.IO (serializer, ssl_verify, ...).
            self.logger.debug("ignoring unsupported options: %s", sorted(kwargs))
        self.handlers: Dict[str, Dict[str, Handler]] = {}
        self.namespaces: Dict[str, Optional[str]] = {}
        self.connected = False
        self.sid: Optional[str] = None
        self.connection_url: Optional[str] = None
        self.connection_namespaces: List[str] = []
        self._native: Optional[_native.SioConnection] = None
        self._thread: Optional[threading.Thread] = None
        self._ended = threading.Event()
        self._ended.set()
        self._connect_handled = threading.Event()
        self._callbacks: Dict[int, Handler] = {}
        self._tokens = itertools.count(1)
        self._lock = threading.Lock()

    # -- handlers ---------------------------------------------------------------------------

    def _register(self, event: str, handler: Handler, namespace: Optional[str]) -> None:
        self.handlers.setdefault(namespace or "/", {})[event] = handler

    # -- connection -------------------------------------------------------------------------

    def connect(self, url: Any, headers: Any = None, auth: Any = None,
                transports: Optional[Union[str, List[str]]] = None,
                namespaces: Optional[Union[str, List[str]]] = None,
                socketio_path: str = "socket.io", wait: bool = True,
                wait_timeout: float = 1, retry: bool = False) -> None:
        """Connects and returns once every namespace is accepted. ``url``, ``headers`` and
        ``auth`` may be callables, as in python-socketio. Raises ``ConnectError``
        (``das.exceptions.ConnectionError``) on failure."""
        if self.connected:
            raise ConnectError("Already connected")
        if isinstance(transports, str):
            transports = [transports]
        if transports is not None and "websocket" not in transports:
            raise InvalidArgument("only the 'websocket' transport is supported")
        if namespaces is None:
            namespaces = [ns for ns in self.handlers if ns != "*"] or ["/"]
        elif isinstance(namespaces, str):
            namespaces = [namespaces]
        self.connection_url = url
        self.connection_namespaces = list(namespaces)
        real_headers = _resolve(headers) or {}
        settings = _native.ReconnectionSettings(
            self.reconnection, self.reconnection_attempts, float(self.reconnection_delay),
            float(self.reconnection_delay_max), float(self.randomization_factor))
        try:
            conn = _native.SioConnection.connect(
                str(_resolve(url)), [(str(k), str(v)) for k, v in dict(real_headers).items()],
                _resolve(auth), self.connection_namespaces, socketio_path, float(wait_timeout),
                settings, _session_proxy(self.http_session, str(_resolve(url))))
        except ConnectRefused as exc:
            # python-socketio hands the refused namespace's handler the server's payload.
            self._trigger("connect_error", exc.namespace or "/", *_spread(exc.error_args))
            raise
        except DasError as exc:
            for namespace in self.connection_namespaces:
                self._trigger("connect_error", namespace, str(exc))
            raise
        self._native = conn
        self.sid = conn.sid
        self.connected = True
        self._ended.clear()
        self._connect_handled.clear()
        self._thread = threading.Thread(target=self._dispatch, args=(conn,),
                                        name="das-client-dispatch", daemon=True)
        self._thread.start()
        _live_clients.add(self)
        # As python-socketio: the `connect` handlers (run by the dispatch thread, which sees
        # the accepted namespaces first) have returned when connect() returns.
        while not (self._connect_handled.wait(0.1) or self._ended.is_set()):
            pass

    def wait(self) -> None:
        """Blocks until the connection ends for good (after reconnection gave up or
        ``disconnect()``). Ctrl-C raises ``KeyboardInterrupt`` here."""
        while not self._ended.wait(0.1):
            pass

    def disconnect(self) -> None:
        """Disconnects every namespace and waits (at most 5 s) for the disconnect handlers."""
        conn = self._native
        if conn is None:
            return
        conn.disconnect()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(5)

    def shutdown(self) -> None:
        """Stops the client, as ``disconnect()`` (there is no reconnection loop to abort)."""
        self.disconnect()

    # -- sending ----------------------------------------------------------------------------

    def emit(self, event: str, data: Any = None, namespace: Optional[str] = None,
             callback: Optional[Handler] = None) -> None:
        """Emits ``event``; a tuple ``data`` is several arguments. ``callback`` receives the
        server's ack arguments (on the client's handler thread)."""
        conn = self._connection(namespace)
        namespace = namespace or "/"
        args = _args(data)
        if callback is None:
            conn.emit(namespace, event, args)
            return
        token = next(self._tokens)
        with self._lock:
            self._callbacks[token] = callback
        try:
            conn.emit_with_callback(namespace, event, args, self.callback_timeout, token)
        except BaseException:
            with self._lock:
                self._callbacks.pop(token, None)
            raise

    def send(self, data: Any, namespace: Optional[str] = None,
             callback: Optional[Handler] = None) -> None:
        """Emits the ``message`` event."""
        self.emit("message", data, namespace, callback)

    def call(self, event: str, data: Any = None, namespace: Optional[str] = None,
             timeout: float = 60) -> Any:
        """Emits ``event`` and returns the server's ack: ``None``, one value, or a tuple.
        Raises ``das.TimeoutError`` after ``timeout`` seconds."""
        conn = self._connection(namespace)
        reply = conn.call(namespace or "/", event, _args(data), float(timeout))
        if not reply:
            return None
        return reply[0] if len(reply) == 1 else tuple(reply)

    # -- python-socketio helpers ------------------------------------------------------------

    def get_sid(self, namespace: Optional[str] = None) -> Optional[str]:
        """The Socket.IO sid of ``namespace`` (default ``'/'``)."""
        return self.namespaces.get(namespace or "/")

    def transport(self) -> str:
        return "websocket"

    def start_background_task(self, target: Callable[..., Any], *args: Any,
                              **kwargs: Any) -> threading.Thread:
        thread = threading.Thread(target=target, args=args, kwargs=kwargs, daemon=True)
        thread.start()
        return thread

    def sleep(self, seconds: float = 0) -> None:
        time.sleep(seconds)

    # -- internals --------------------------------------------------------------------------

    def _connection(self, namespace: Optional[str]) -> _native.SioConnection:
        conn = self._native
        if conn is None or not self.connected:
            raise BadNamespaceError(f"{namespace or '/'} is not a connected namespace.")
        return conn

    def _dispatch(self, conn: _native.SioConnection) -> None:
        try:
            while True:
                item = conn.next(_POLL_SECONDS)
                if item is None:
                    continue
                if item[0] == "end":
                    return
                try:
                    self._handle(conn, item)
                except Exception:
                    self.logger.exception("handler for %r failed", item[:3])
        finally:
            self.connected = False
            self.namespaces = {}
            self.sid = None
            _live_clients.discard(self)
            self._ended.set()

    def _handle(self, conn: _native.SioConnection, item: Tuple[Any, ...]) -> None:
        kind = item[0]
        if kind == "event":
            _, namespace, name, args, ack_id = item
            result = self._trigger(name, namespace, *args)
            if ack_id is not None:
                conn.ack(ack_id, _args(result))
        elif kind == "connect":
            _, namespace, sid = item
            self.namespaces[namespace] = sid
            self.sid = conn.sid
            self.connected = True
            try:
                self._trigger("connect", namespace)
            finally:
                if set(self.connection_namespaces) <= set(self.namespaces):
                    self._connect_handled.set()
        elif kind == "disconnect":
            _, namespace, reason = item
            for ns in [namespace] if namespace else list(self.namespaces):
                self._trigger("disconnect", ns, reason)
                self.namespaces.pop(ns, None)
            if not self.namespaces:
                self.connected = False
        elif kind == "reconnecting":
            self.logger.info("reconnection attempt %d in %.2f s", item[1], item[2])
        elif kind == "ack":
            with self._lock:
                callback = self._callbacks.pop(item[1], None)
            if callback is not None:
                callback(*item[2])

    def _handler_for(self, event: str, namespace: str,
                     args: Tuple[Any, ...]) -> Tuple[Optional[Handler], Tuple[Any, ...]]:
        # python-socketio's resolution order: exact event in the namespace, the namespace's
        # catch-all (event name first), then the '*' namespace (namespace name first).
        handlers = self.handlers.get(namespace, {})
        if event in handlers:
            return handlers[event], args
        if event not in self.reserved_events and "*" in handlers:
            return handlers["*"], (event, *args)
        any_namespace = self.handlers.get("*", {})
        if event in any_namespace:
            return any_namespace[event], (namespace, *args)
        if event not in self.reserved_events and "*" in any_namespace:
            return any_namespace["*"], (event, namespace, *args)
        return None, args

    def _trigger(self, event: str, namespace: str, *args: Any) -> Any:
        handler, args = self._handler_for(event, namespace, args)
        if handler is None:
            return None
        try:
            return handler(*args)
        except TypeError:
            # Older disconnect handlers take no reason argument.
            if event == "disconnect":
                return handler(*args[:-1])
            raise


def _resolve(value: Any) -> Any:
    return value() if callable(value) else value


def _spread(error_args: Any) -> Tuple[Any, ...]:
    """python-socketio's ``connect_error`` arguments from a CONNECT_ERROR payload: none,
    a list's items, or the payload itself."""
    if error_args is None:
        return ()
    if isinstance(error_args, (list, tuple)):
        return tuple(error_args)
    return (error_args,)


def _args(data: Any) -> List[Any]:
    """python-socketio's convention: a tuple is several arguments, ``None`` none."""
    if isinstance(data, tuple):
        return list(data)
    if data is None:
        return []
    return [data]


def _session_proxy(http_session: Any, url: str) -> Optional[str]:
    """The proxy python-engineio takes from ``http_session.proxies`` for ``url``: ``ws``/``http``
    for plain targets, ``wss``/``https`` for TLS; ``None`` (the environment) when it names none."""
    proxies = getattr(http_session, "proxies", None) or {}
    secure = url.startswith(("https://", "wss://"))
    keys = ("wss", "https") if secure else ("ws", "http")
    return next((proxies[key] for key in keys if proxies.get(key)), None)
