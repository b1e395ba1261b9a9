"""libdas for Python: das-Peak Streaming voice-biometrics sessions and CPqD TRD webhooks.

``das.Client`` mirrors python-socketio's client, so the documented das-Peak example runs with
``import das as socketio``; ``das.get_access_token`` replaces its ``requests`` call.
"""

import atexit as _atexit
import os as _os
from typing import TYPE_CHECKING, List

from . import _native

# Registered before anything that uses the native module registers its own exit hook, so it
# runs last (atexit is LIFO): blocking calls in other threads return before finalization.
_atexit.register(_native.prepare_exit)

from . import _log, exceptions  # noqa: E402,F401


# A forked child (multiprocessing, gunicorn and Celery workers) has none of the parent's
# threads: the native module forgets their state inside fork() itself (its hooks are
# pthread_atfork's, see python/src/fork.rs) and starts its own runtime on first use; the log
# forwarding thread starts again here.
if hasattr(_os, "register_at_fork"):  # POSIX only
    _os.register_at_fork(after_in_child=_log.start_forwarding)

from . import _errors  # noqa: E402
from ._errors import *  # noqa: F401,F403  (the exception hierarchy)
from ._native import __version__, get_access_token
from .audio import AudioChannel
from .client import Client
from .session import Event, RegisterSession, SessionOptions, VerifySession

if TYPE_CHECKING:
    from . import trd
    from .asyncio_client import AsyncClient, AsyncRegisterSession, AsyncVerifySession
    from .emulator import Emulator
    from .event_loop import new_event_loop, run

__all__ = [
    "__version__",
    "Client",
    "AsyncClient",
    "AsyncRegisterSession",
    "AsyncVerifySession",
    "new_event_loop",
    "run",
    "get_access_token",
    "AudioChannel",
    "Emulator",
    "RegisterSession",
    "VerifySession",
    "SessionOptions",
    "Event",
    "exceptions",
    "trd",
]
__all__ += _errors.__all__

# What a session script never touches loads on first use: the asyncio flavours (asyncio, and
# ssl with it), the emulator (urllib, http.client, email, ssl, subprocess) and das.trd. Loaded
# eagerly they took more than half of `import das`.
_ASYNCIO_NAMES = ("AsyncClient", "AsyncRegisterSession", "AsyncVerifySession")
_EVENT_LOOP_NAMES = ("new_event_loop", "run")


def __getattr__(name: str) -> object:
    value: object
    if name in _ASYNCIO_NAMES:
        from . import asyncio_client

        value = getattr(asyncio_client, name)
    elif name in _EVENT_LOOP_NAMES:
        from . import event_loop

        value = getattr(event_loop, name)
    elif name == "Emulator":
        from .emulator import Emulator

        value = Emulator
    elif name == "trd":
        # Not `from . import trd`: the import system asks this module for `trd` first, which
        # would call this function again.
        import importlib

        value = importlib.import_module(".trd", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later lookups find it without coming back here
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(__all__))
