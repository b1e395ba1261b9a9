from . import exceptions as exceptions, trd as trd
from ._errors import AlreadyStarted as AlreadyStarted, AuthError as AuthError, BadNamespaceError as BadNamespaceError, BusyError as BusyError, Closed as Closed, ConnectError as ConnectError, ConnectRefused as ConnectRefused, DasError as DasError, InternalError as InternalError, InvalidArgument as InvalidArgument, InvalidTokenError as InvalidTokenError, IoError as IoError, JobFailedError as JobFailedError, NotFoundError as NotFoundError, NotReady as NotReady, ProtocolError as ProtocolError, RejectedError as RejectedError, TimeoutError as TimeoutError, TlsError as TlsError, WebhookParseError as WebhookParseError, WouldBlock as WouldBlock
from ._native import __version__ as __version__, get_access_token as get_access_token
from .asyncio_client import AsyncClient as AsyncClient, AsyncRegisterSession as AsyncRegisterSession, AsyncVerifySession as AsyncVerifySession
from .audio import AudioChannel as AudioChannel
from .client import Client as Client
from .emulator import Emulator as Emulator
from .session import Event as Event, RegisterSession as RegisterSession, VerifySession as VerifySession

__all__ = ['__version__', 'Client', 'AsyncClient', 'AsyncRegisterSession', 'AsyncVerifySession', 'get_access_token', 'AudioChannel', 'Emulator', 'RegisterSession', 'VerifySession', 'Event', 'exceptions', 'trd', 'DasError', 'InvalidArgument', 'NotReady', 'BadNamespaceError', 'WouldBlock', 'TimeoutError', 'Closed', 'AlreadyStarted', 'IoError', 'ConnectError', 'TlsError', 'ProtocolError', 'AuthError', 'ConnectRefused', 'BusyError', 'RejectedError', 'JobFailedError', 'WebhookParseError', 'InvalidTokenError', 'NotFoundError', 'InternalError']
