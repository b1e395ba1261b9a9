"""One exception hierarchy for libdas: each class matches one ``das_result`` kind of the C ABI
(``code`` is its number), and subclasses the closest built-in exception where one exists."""

import builtins
import typing


__all__ = [
    "DasError",
    "InvalidArgument",
    "NotReady",
    "BadNamespaceError",
    "WouldBlock",
    "TimeoutError",
    "Closed",
    "AlreadyStarted",
    "IoError",
    "ConnectError",
    "TlsError",
    "ProxyError",
    "ProtocolError",
    "AuthError",
    "ConnectRefused",
    "BusyError",
    "RejectedError",
    "JobFailedError",
    "WebhookParseError",
    "InvalidTokenError",
    "NotFoundError",
    "InternalError",
]

class DasError(Exception):
    """Base class of every libdas error."""

    code = 902


class InvalidArgument(DasError, ValueError):
    """An argument is unusable (bad URL, header, option value, payload too large)."""

    code = 100


class NotReady(DasError):
    """The operation needs a state that was not reached yet."""

    code = 200


class BadNamespaceError(NotReady):
    """The namespace is not connected (python-socketio's ``BadNamespaceError``)."""


class WouldBlock(DasError):
    """A bounded buffer is full; retry later."""

    code = 201


class TimeoutError(DasError, builtins.TimeoutError):
    """Nothing arrived in time (connection, ack, event)."""

    code = 202


class Closed(DasError):
    """The connection, session or channel is closed."""

    code = 203


class AlreadyStarted(DasError):
    """The object was already started or connected."""

    code = 204


class IoError(DasError, OSError):
    """Network or file I/O failed (e.g. the webhook spool directory)."""

    code = 300


class ConnectError(IoError, builtins.ConnectionError):
    """The connection could not be made or was lost (python-socketio's ``ConnectionError``)."""

    code = 300


class TlsError(ConnectError):
    """TLS configuration or handshake failure."""

    code = 301


class ProxyError(ConnectError):
    """The proxy refused the tunnel (HTTP 407, 403, 5xx, or a SOCKS5 refusal: the message
    says why) or broke it; an unreachable proxy is a ``ConnectError``, a silent one a timeout."""

    code = 308


class ProtocolError(DasError):
    """The peer broke the Engine.IO / Socket.IO / AudioHook wire format."""

    code = 302


class AuthError(DasError):
    """No access token: rejected credentials, unreachable or misbehaving token endpoint."""

    code = 303


class ConnectRefused(ConnectError):
    """The server refused a namespace (CONNECT_ERROR) or the connection
    (python-socketio's ``ConnectionRefusedError``).

    ``namespace`` is the refused namespace and ``error_args`` the server's CONNECT_ERROR
    payload as sent (e.g. ``{'message': 'unknown access token'}``), ``None`` without one.
    """

    code = 304

    def __init__(self, message: str, *, namespace: typing.Optional[str] = None,
                 error_args: typing.Any = None) -> None:
        super().__init__(message)
        self.namespace = namespace
        self.error_args = error_args


class BusyError(DasError):
    """TRD stayed busy or rate-limited (HTTP 429/503) through every retry, or its server or
    gateway failed at its end (500/502/504): worth a later try."""

    code = 305


class RejectedError(DasError, ValueError):
    """TRD refused the request: invalid (400/422), media too long or quota exceeded (413).
    The message carries the server's detail."""

    code = 306


class JobFailedError(DasError):
    """A TRD job ended ``FAILED``; the message carries its ``failure_reason``."""

    code = 307


class WebhookParseError(DasError, ValueError):
    """A TRD webhook body is not a valid result document.

    ``path`` is the dotted JSON path of the offending value, ``line``/``column`` are 1-based,
    ``kind`` is ``"syntax"``, ``"schema"`` or ``"truncated"``.
    """

    code = 400

    def __init__(self, message: str, *, path: str = ".", line: int = 0, column: int = 0,
                 kind: str = "syntax") -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.column = column
        self.kind = kind


class InvalidTokenError(DasError):
    """A webhook token or job id did not match, or a webhook token given is empty."""

    code = 401


class NotFoundError(DasError, LookupError):
    """TRD has no such job (HTTP 404)."""

    code = 403


class InternalError(DasError):
    """A bug or an unusable runtime inside libdas."""

    code = 902


# Shown as `das.InvalidArgument`, the name users import, not the private module's.
def _show_in(module: str, names: typing.Iterable[str]) -> None:
    for name in names:
        globals()[name].__module__ = module


_show_in("das", __all__)
