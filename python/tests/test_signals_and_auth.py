"""Ctrl-C in wait(), a session start and event iteration, and get_access_token against a real
token endpoint."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

import das
from conftest import ACCESS_TOKEN, CLIENT_ID, CLIENT_SECRET

# Each child installs Python's Ctrl-C handler itself: started from a background job (a CI
# runner, `cmd &`) it inherits SIGINT ignored, and Python then leaves it ignored. It prints
# "blocked" once inside the wait, and "interrupted" on KeyboardInterrupt; still blocked after
# 10 s, it prints every thread's stack and exits, so a hang says where.
PRELUDE = """
import faulthandler, select, signal, socket, sys, threading
import das
signal.signal(signal.SIGINT, signal.default_int_handler)
faulthandler.dump_traceback_later(10, exit=True)
"""

WAIT = """
sio = das.Client(reconnection=False)
sio.connect(sys.argv[1], headers={"Authorization": "Bearer x"})
try:
    print("blocked", flush=True)
    sio.wait()
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sio.disconnect()
"""

# The token endpoint takes the connection and never answers (nobody accepts from it).
START = """
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(16)
url = f"http://127.0.0.1:{listener.getsockname()[1]}/token"
def announce():
    select.select([listener], [], [], 10)
    print("blocked", flush=True)
threading.Thread(target=announce, daemon=True).start()
try:
    das.RegisterSession("http://127.0.0.1:1/socket.io", token_url=url, client_id="id",
                        client_secret="secret", call_id=sys.argv[1]).start()
except KeyboardInterrupt:
    print("interrupted", flush=True)
"""

EVENTS = """
sio_url, token_url, client_id, secret = sys.argv[1:]
with das.RegisterSession(sio_url, token_url=token_url, client_id=client_id,
                         client_secret=secret) as session:
    try:
        print("blocked", flush=True)
        for event in session.events(timeout=60):
            pass
    except KeyboardInterrupt:
        print("interrupted", flush=True)
"""


def interrupt(child: str, *args: str) -> None:
    proc = subprocess.Popen([sys.executable, "-c", PRELUDE + child, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=os.environ.copy())
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "blocked"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert out.strip() == "interrupted", err
    assert proc.returncode == 0


def test_ctrl_c_interrupts_wait(sio_url: str) -> None:
    interrupt(WAIT, sio_url)


def test_ctrl_c_interrupts_a_blocked_session_start() -> None:
    interrupt(START, "888806c3-3391-4d73-bb86-e5874e6ed5b4")


def test_ctrl_c_interrupts_event_iteration(emulator: das.Emulator) -> None:
    interrupt(EVENTS, emulator.socketio_url, emulator.token_url, emulator.client_id,
              emulator.client_secret)


def test_get_access_token_returns_the_token_json(token_url: str) -> None:
    token = das.get_access_token(token_url, CLIENT_ID, CLIENT_SECRET)
    assert token == {"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 300}
    # Timeouts without limit are waits too, not errors of the conversion.
    for timeout in (float("inf"), 1e300):
        assert das.get_access_token(token_url, CLIENT_ID, CLIENT_SECRET, timeout=timeout) == token


def test_rejected_credentials_are_an_auth_error(token_url: str) -> None:
    with pytest.raises(das.AuthError, match="invalid_client") as info:
        das.get_access_token(token_url, CLIENT_ID, "wrong")
    assert "wrong" not in str(info.value)


def test_bad_token_urls() -> None:
    with pytest.raises(das.InvalidArgument):
        das.get_access_token("not a url", "a", "b")
    # A network failure, not refused credentials; the OS's reason stays in the message.
    with pytest.raises(das.ConnectError, match="Connection refused") as info:
        das.get_access_token("http://127.0.0.1:9/token", "a", "b", timeout=2)
    assert isinstance(info.value, OSError)


def test_exceptions_are_named_after_the_public_package() -> None:
    assert repr(das.InvalidArgument) == "<class 'das.InvalidArgument'>"
    assert all(getattr(das, name).__module__ == "das" for name in das._errors.__all__)
