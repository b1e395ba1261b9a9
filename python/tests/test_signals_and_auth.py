"""Ctrl-C in wait(), and get_access_token against a real token endpoint."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

import das
from conftest import ACCESS_TOKEN, CLIENT_ID, CLIENT_SECRET

# The waiter installs Python's Ctrl-C handler itself: started from a background job (a CI
# runner, `cmd &`) it inherits SIGINT ignored, and Python then leaves it ignored. A waiter
# still blocked after 10 s prints every thread's stack and exits, so a hang says where.
WAITER = textwrap.dedent("""
    import faulthandler
    import signal
    import sys
    import das
    signal.signal(signal.SIGINT, signal.default_int_handler)
    faulthandler.dump_traceback_later(10, exit=True)
    sio = das.Client(reconnection=False)
    sio.connect(sys.argv[1], headers={"Authorization": "Bearer x"})
    try:
        print("waiting", flush=True)
        sio.wait()
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sio.disconnect()
""")


def test_ctrl_c_interrupts_wait(sio_url: str) -> None:
    proc = subprocess.Popen([sys.executable, "-c", WAITER, sio_url], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "waiting"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert out.strip() == "interrupted", err
    assert proc.returncode == 0


def test_get_access_token_returns_the_token_json(token_url: str) -> None:
    token = das.get_access_token(token_url, CLIENT_ID, CLIENT_SECRET)
    assert token == {"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 300}


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
