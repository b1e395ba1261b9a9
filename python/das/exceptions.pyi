from ._errors import BadNamespaceError as BadNamespaceError, ConnectError, DasError, TimeoutError as TimeoutError

__all__ = ['SocketIOError', 'ConnectionError', 'BadNamespaceError', 'TimeoutError']

SocketIOError = DasError
ConnectionError = ConnectError
