"""close() from another thread ends a session start still connecting (Ctrl-C: see
test_signals_and_auth.py)."""

from __future__ import annotations

import asyncio
import select
import socket
import threading
import time
from typing import Iterator, List

import pytest

import das

CALL_ID = "888806c3-3391-4d73-bb86-e5874e6ed5b4"


@pytest.fixture()
def silent_token_url() -> Iterator[tuple[str, socket.socket]]:
    """A token endpoint that takes the connection and never answers (nobody accepts: the kernel
    completes the handshake and the request waits)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/token", listener
    listener.close()


def test_close_from_another_thread_ends_a_blocked_start(
        silent_token_url: tuple[str, socket.socket]) -> None:
    url, listener = silent_token_url
    session = das.RegisterSession("http://127.0.0.1:1/socket.io", token_url=url, client_id="id",
                                  client_secret="secret", call_id=CALL_ID)
    raised: List[BaseException] = []
    returned: List[float] = []

    def start() -> None:
        try:
            session.start()
        except BaseException as error:  # noqa: BLE001 (handed to the test thread)
            raised.append(error)
        returned.append(time.monotonic())

    starter = threading.Thread(target=start, daemon=True)
    starter.start()
    # Close once the token request is in flight: the listener then has a connection pending.
    assert select.select([listener], [], [], 10)[0], "the token request never arrived"
    closed = time.monotonic()
    session.close()
    starter.join(20)
    assert not starter.is_alive(), "start() still blocked after close()"
    assert len(raised) == 1 and isinstance(raised[0], das.Closed), raised
    assert "closed while starting" in str(raised[0])
    print(f"start() raised {1000 * (returned[0] - closed):.1f} ms after close()")
    with pytest.raises(das.Closed):
        session.start()


def test_cancelling_an_async_start_drops_its_connection(
        silent_token_url: tuple[str, socket.socket]) -> None:
    url, listener = silent_token_url

    def read_until_dropped() -> None:
        """Reads the token request's connection to its end (socket.timeout: still open)."""
        connection, _ = listener.accept()
        connection.settimeout(5)
        with connection:
            while connection.recv(4096):
                pass

    async def cancel_the_start() -> None:
        session = das.AsyncRegisterSession("http://127.0.0.1:1/socket.io", token_url=url,
                                           client_id="id", client_secret="secret",
                                           call_id=CALL_ID)
        task = asyncio.ensure_future(session.start())
        loop = asyncio.get_running_loop()
        assert (await loop.run_in_executor(None, select.select, [listener], [], [], 10))[0]
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # Dropped at once, not left waiting for the token on the worker thread.
        await loop.run_in_executor(None, read_until_dropped)
        with pytest.raises(das.Closed):
            await session.start()

    asyncio.run(cancel_the_start())
