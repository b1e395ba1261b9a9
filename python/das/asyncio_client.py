"""asyncio flavours: ``das.AsyncClient`` (python-socketio's ``AsyncClient`` surface) and
``das.AsyncRegisterSession`` / ``das.AsyncVerifySession`` (``async with`` / ``async for``).

No awaitable blocks the event loop. A session's events arrive on the loop itself: it watches
the session's wake-up descriptor (``loop.add_reader``) and takes them without blocking, and
``push_audio`` is a direct non-blocking call; only calls that really wait (start, close,
``push_wav``, ``push_audio(wait=True)``, and the client's) run on worker threads
(``loop.run_in_executor``), where the native calls release the GIL. Handlers, coroutine or
plain, run on the loop, one at a time in wire order.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import os
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, TypeVar, Union

from . import _errors
from .client import Client, Handler, HandlerDecorators
from .session import (Event, RegisterSession, SessionOptions, VerifySession, _Session,
                      check_options)

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["AsyncClient", "AsyncRegisterSession", "AsyncVerifySession"]

T = TypeVar("T")


class AsyncClient(HandlerDecorators):
    """python-socketio's ``socketio.AsyncClient`` API over ``das.Client``."""

    #: Seconds the client's dispatch thread waits for one handler to finish on the loop.
    handler_timeout = 300.0

    def __init__(self, reconnection: bool = True, reconnection_attempts: int = 0,
                 reconnection_delay: float = 1, reconnection_delay_max: float = 5,
                 randomization_factor: float = 0.5, logger: Any = False, **kwargs: Any) -> None:
        self._client = Client(reconnection, reconnection_attempts, reconnection_delay,
                              reconnection_delay_max, randomization_factor, logger, **kwargs)
        self._loop: Optional[asyncio.AbstractEventLoop] = None

    # -- state ------------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._client.connected

    @property
    def sid(self) -> Optional[str]:
        return self._client.sid

    @property
    def namespaces(self) -> Dict[str, Optional[str]]:
        return self._client.namespaces

    def get_sid(self, namespace: Optional[str] = None) -> Optional[str]:
        return self._client.get_sid(namespace)

    def transport(self) -> str:
        return "websocket"

    # -- handlers ---------------------------------------------------------------------------

    def _register(self, event: str, handler: Handler, namespace: Optional[str]) -> None:
        # ``handler`` may be a coroutine function: it runs on the loop.
        self._client.on(event, self._on_loop(handler), namespace)

    # -- connection -------------------------------------------------------------------------

    async def connect(self, url: Any, headers: Any = None, auth: Any = None,
                      transports: Any = None, namespaces: Any = None,
                      socketio_path: str = "socket.io", wait: bool = True,
                      wait_timeout: float = 1, retry: bool = False) -> None:
        self._loop = asyncio.get_running_loop()
        await _run(self._client.connect, url, headers, auth, transports, namespaces,
                        socketio_path, wait, wait_timeout, retry)

    async def wait(self) -> None:
        """Returns when the connection ended for good."""
        ended = self._client._ended
        while not ended.is_set():
            await asyncio.sleep(0.05)

    async def disconnect(self) -> None:
        await _run(self._client.disconnect)

    async def shutdown(self) -> None:
        await self.disconnect()

    async def emit(self, event: str, data: Any = None, namespace: Optional[str] = None,
                   callback: Optional[Handler] = None) -> None:
        wrapped = self._on_loop(callback) if callback is not None else None
        await _run(self._client.emit, event, data, namespace, wrapped)

    async def send(self, data: Any, namespace: Optional[str] = None,
                   callback: Optional[Handler] = None) -> None:
        await self.emit("message", data, namespace, callback)

    async def call(self, event: str, data: Any = None, namespace: Optional[str] = None,
                   timeout: float = 60) -> Any:
        return await _run(self._client.call, event, data, namespace, timeout)

    async def sleep(self, seconds: float = 0) -> None:
        await asyncio.sleep(seconds)

    def start_background_task(self, target: Callable[..., Any], *args: Any,
                              **kwargs: Any) -> "asyncio.Task[Any]":
        return asyncio.ensure_future(target(*args, **kwargs))

    # -- internals --------------------------------------------------------------------------

    def _on_loop(self, handler: Handler) -> Handler:
        """Wraps ``handler`` so the dispatch thread runs it on the loop and gets its result."""

        def run(*args: Any) -> Any:
            loop = self._loop
            if loop is None or loop.is_closed():
                return None

            async def invoke() -> Any:
                result = handler(*args)
                return await result if inspect.isawaitable(result) else result

            future = asyncio.run_coroutine_threadsafe(invoke(), loop)
            return future.result(self.handler_timeout)

        return run


_A = TypeVar("_A", bound="_AsyncSession")


class _AsyncSession:
    def __init__(self, session: _Session) -> None:
        self._session = session

    @property
    def result(self) -> Optional[Event]:
        return self._session.result

    @property
    def call_id(self) -> str:
        return self._session.call_id

    async def start(self: _A) -> _A:
        """Connects and sends ``initialize``; cancelling it (``asyncio.wait_for``,
        ``task.cancel()``) cancels the connection too, instead of leaving it running on the
        worker thread."""
        try:
            await _run(self._session.start)
        except asyncio.CancelledError:
            self._session.close()
            raise
        return self

    async def __aenter__(self: _A) -> _A:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __aiter__(self: _A) -> _A:
        return self

    async def __anext__(self) -> Event:
        event = await self._next_event(None)
        if event is None:
            raise StopAsyncIteration
        return event

    async def wait_result(self, timeout: Optional[float] = None) -> Optional[Event]:
        while await self._next_event(timeout) is not None:
            pass
        return self._session.result

    async def _next_event(self, timeout: Optional[float]) -> Optional[Event]:
        """The next event, each within ``timeout`` seconds (default ``event_timeout``), as
        ``events()`` yields them; ``None`` after the last. Cancelling it loses nothing: an
        event is only taken when it is returned."""
        session = self._session
        wait = session.event_timeout if timeout is None else timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        timed_out = False
        while not session._ended:
            try:
                event = session.next_event_nowait()
            except _errors.Closed:
                if session._ended:
                    return None
                raise  # not started
            if event is not None:
                return event
            if timed_out:
                raise _errors.TimeoutError(f"no session event within {wait} s")
            timed_out = not await _readable(loop, session.fileno(), deadline)
        return None

    async def push_audio(self, data: bytes, wait: bool = False) -> None:
        if wait:
            await _run(self._session.push_audio, data, True)
        else:
            # Never blocks: a full buffer raises WouldBlock at once.
            self._session.push_audio(data)

    async def push_wav(self, path: Union[str, "os.PathLike[str]"]) -> None:
        await _run(self._session.push_wav, path)

    async def end_audio(self) -> None:
        self._session.end_audio()

    async def close(self) -> None:
        await _run(self._session.close)


class AsyncRegisterSession(_AsyncSession):
    """``das.RegisterSession`` for asyncio: ``async with`` and ``async for event in session``."""

    def __init__(self, url: str, **options: Unpack[SessionOptions]) -> None:
        check_options(type(self), options)
        super().__init__(RegisterSession(url, **options))


class AsyncVerifySession(_AsyncSession):
    """``das.VerifySession`` for asyncio."""

    def __init__(self, url: str, credential: str, **options: Unpack[SessionOptions]) -> None:
        check_options(type(self), options)
        super().__init__(VerifySession(url, credential, **options))


async def _readable(loop: asyncio.AbstractEventLoop, fd: int, deadline: float) -> bool:
    """Waits on the loop until ``fd`` is readable (True) or ``deadline`` passes (False); the
    loop watches ``fd`` only for the time of the wait."""
    ready: "asyncio.Future[bool]" = loop.create_future()

    def settle(readable: bool) -> None:
        if not ready.done():
            ready.set_result(readable)

    loop.add_reader(fd, settle, True)
    timer = loop.call_at(deadline, settle, False)
    try:
        return await ready
    finally:
        timer.cancel()
        loop.remove_reader(fd)


async def _run(fn: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(None, functools.partial(fn, *args))
