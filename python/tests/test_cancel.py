"""Ending a blocked session start or event wait: close() from another thread, and Ctrl-C."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import textwrap
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


# The child installs Python's Ctrl-C handler itself: started from a background job it inherits
# SIGINT ignored. A child still blocked after 10 s prints every thread's stack and exits.
CHILD = textwrap.dedent("""
    import faulthandler, select, signal, socket, sys, threading
    import das
    signal.signal(signal.SIGINT, signal.default_int_handler)
    faulthandler.dump_traceback_later(10, exit=True)
    try:
        if sys.argv[1] == "start":
            listener = socket.socket()
            listener.bind(("127.0.0.1", 0))
            listener.listen(16)
            url = f"http://127.0.0.1:{listener.getsockname()[1]}/token"
            def announce():
                select.select([listener], [], [], 10)
                print("blocked", flush=True)
            threading.Thread(target=announce, daemon=True).start()
            das.RegisterSession("http://127.0.0.1:1/socket.io", token_url=url, client_id="id",
                                client_secret="secret", call_id=sys.argv[2]).start()
        else:
            sio_url, token_url, client_id, secret = sys.argv[2:]
            with das.RegisterSession(sio_url, token_url=token_url, client_id=client_id,
                                     client_secret=secret) as session:
                print("blocked", flush=True)
                for event in session.events(timeout=60):
                    pass
        print("not interrupted", flush=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
""")


def interrupt(*args: str) -> None:
    proc = subprocess.Popen([sys.executable, "-c", CHILD, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "blocked"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert out.strip() == "interrupted", err
    assert proc.returncode == 0


def test_ctrl_c_interrupts_a_blocked_start() -> None:
    interrupt("start", CALL_ID)


def test_ctrl_c_interrupts_event_iteration(emulator: das.Emulator) -> None:
    interrupt("events", emulator.socketio_url, emulator.token_url, emulator.client_id,
              emulator.client_secret)
