import builtins

__all__ = ['DasError', 'InvalidArgument', 'NotReady', 'BadNamespaceError', 'WouldBlock', 'TimeoutError', 'Closed', 'AlreadyStarted', 'IoError', 'ConnectError', 'TlsError', 'ProtocolError', 'AuthError', 'ConnectRefused', 'BusyError', 'RejectedError', 'JobFailedError', 'WebhookParseError', 'InvalidTokenError', 'NotFoundError', 'InternalError']

class DasError(Exception):
    code: int

class InvalidArgument(DasError, ValueError):
    code: int

class NotReady(DasError):
    code: int

class BadNamespaceError(NotReady): ...

class WouldBlock(DasError):
    code: int

class TimeoutError(DasError, builtins.TimeoutError):
    code: int

class Closed(DasError):
    code: int

class AlreadyStarted(DasError):
    code: int

class IoError(DasError, OSError):
    code: int

class ConnectError(IoError, builtins.ConnectionError):
    code: int

class TlsError(ConnectError):
    code: int

class ProtocolError(DasError):
    code: int

class AuthError(DasError):
    code: int

class ConnectRefused(ConnectError):
    code: int

class WebhookParseError(DasError, ValueError):
    code: int
    path: str
    line: int
    column: int
    kind: str
    def __init__(self, message: str, *, path: str = '.', line: int = 0, column: int = 0, kind: str = 'syntax') -> None: ...

class InvalidTokenError(DasError):
    code: int

class InternalError(DasError):
    code: int

class BusyError(DasError):
    code: int

class RejectedError(DasError, ValueError):
    code: int

class JobFailedError(DasError):
    code: int

class NotFoundError(DasError, LookupError):
    code: int
