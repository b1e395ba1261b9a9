"""python-socketio's exception names with its hierarchy, so ``import das as socketio`` code
that catches ``socketio.exceptions.ConnectionError`` (or any other of them) keeps working."""

from ._errors import BadNamespaceError, Closed, ConnectError, ConnectRefused, DasError, TimeoutError

SocketIOError = DasError
ConnectionError = ConnectError
ConnectionRefusedError = ConnectRefused
#: ``call()`` on a connection that ends before the ack raises it.
DisconnectedError = Closed

__all__ = ["SocketIOError", "ConnectionError", "ConnectionRefusedError", "TimeoutError",
           "BadNamespaceError", "DisconnectedError"]
