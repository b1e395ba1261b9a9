"""An asyncio event loop that runs libdas on its own thread: ``das.run(main())`` (as
``asyncio.run``) or ``das.new_event_loop()`` (a ``loop_factory`` for ``asyncio.Runner`` and,
from Python 3.12, ``asyncio.run``).

The loop's selector waits inside libdas (caller-driven mode): ``select(timeout)`` runs every
session until one of the loop's descriptors is readable (a socket, a session's events, a
``call_soon_threadsafe``), an event is queued, or the timeout; then it asks the selector what is
ready. No libdas thread exists, so frames pushed and events taken never wake a second thread.
The mode is process-wide and must be asked for before the first session, client or receiver;
one such loop runs at a time.
"""

from __future__ import annotations

import asyncio
import selectors
import sys
from typing import Any, Coroutine, List, Optional, Tuple, TypeVar

from . import _native

__all__ = ["new_event_loop", "run"]

T = TypeVar("T")


class _DrivenSelector(selectors.DefaultSelector):
    """The platform's default selector (epoll, kqueue), waited on from inside libdas."""

    def select(self, timeout: Optional[float] = None
               ) -> List[Tuple[selectors.SelectorKey, int]]:
        # libdas runs here even when asyncio has callbacks ready (timeout 0): a busy loop
        # still moves the sessions' audio and events.
        _native.run(timeout, self.fileno())
        ready: List[Tuple[selectors.SelectorKey, int]] = super().select(0)
        return ready


def new_event_loop() -> asyncio.AbstractEventLoop:
    """A new asyncio loop whose waits run libdas (caller-driven mode, asked for here). Raises
    ``das.AlreadyStarted`` if libdas already runs on its own thread (a session, client or
    receiver was used before)."""
    _native.caller_driven()
    return asyncio.SelectorEventLoop(_DrivenSelector())


def run(main: Coroutine[Any, Any, T], *, debug: Optional[bool] = None) -> T:
    """``asyncio.run`` on a loop from ``new_event_loop()``: runs ``main``, cancels what is left,
    closes the loop."""
    if sys.version_info >= (3, 11):
        with asyncio.Runner(debug=debug, loop_factory=new_event_loop) as runner:
            return runner.run(main)
    return _run_without_runner(main, debug)


def _run_without_runner(main: Coroutine[Any, Any, T], debug: Optional[bool]) -> T:
    """What ``asyncio.run`` does on Python 3.9 and 3.10 (no ``asyncio.Runner``)."""
    loop = new_event_loop()
    try:
        asyncio.set_event_loop(loop)
        if debug is not None:
            loop.set_debug(debug)
        return loop.run_until_complete(main)
    finally:
        try:
            _cancel_all_tasks(loop)
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            asyncio.set_event_loop(None)
            loop.close()


def _cancel_all_tasks(loop: asyncio.AbstractEventLoop) -> None:
    tasks = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in tasks:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            loop.call_exception_handler({
                "message": "unhandled exception during das.run() shutdown",
                "exception": task.exception(),
                "task": task,
            })
