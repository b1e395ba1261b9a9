"""python-socketio's exception names, so ``import das as socketio`` code that catches
``socketio.exceptions.ConnectionError`` keeps working."""

from ._errors import BadNamespaceError, ConnectError, DasError, TimeoutError

SocketIOError = DasError
ConnectionError = ConnectError

__all__ = ["SocketIOError", "ConnectionError", "BadNamespaceError", "TimeoutError"]
