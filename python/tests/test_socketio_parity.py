"""One handler script runs on python-socketio and on das against the emulator: the handler
calls, their order and their arguments are the same, over several runs (ordering races show
up as a difference in some run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, List

import pytest

import das

SCRIPT = Path(__file__).parent / "examples" / "parity_handlers.py"
NAMESPACE = "/socket.io/register"
RUNS = 5


def handler_calls(module: str, emulator: das.Emulator, authorization: str) -> List[Any]:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), module, emulator.socketio_url, NAMESPACE, authorization],
        env=dict(os.environ), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    calls: List[Any] = json.loads(result.stdout.splitlines()[-1])
    return calls


def bearer(emulator: das.Emulator) -> str:
    token = das.get_access_token(emulator.token_url, emulator.client_id, emulator.client_secret)
    return f"{token['token_type']} {token['access_token']}"


@pytest.mark.parametrize("case", ["accepted", "refused"])
def test_handler_calls_match_python_socketio(emulator: das.Emulator, case: str) -> None:
    authorization = bearer(emulator) if case == "accepted" else "Bearer not-a-token"
    reference = handler_calls("socketio", emulator, authorization)
    if case == "accepted":
        assert reference[:2] == [["connect"], ["connect returned", True]]
    else:
        assert reference[0] == ["connect_error", {"message": "unknown access token"}]
    for _ in range(RUNS):
        assert handler_calls("das", emulator, authorization) == reference


def test_exceptions_have_python_socketios_names_and_bases() -> None:
    import socketio

    names = ["SocketIOError", "ConnectionError", "ConnectionRefusedError", "TimeoutError",
             "BadNamespaceError", "DisconnectedError"]
    assert set(names) == {name for name, value in vars(socketio.exceptions).items()
                          if isinstance(value, type) and issubclass(value, Exception)}
    for name in names:
        for base in names:
            theirs = issubclass(getattr(socketio.exceptions, name),
                                getattr(socketio.exceptions, base))
            ours = issubclass(getattr(das.exceptions, name), getattr(das.exceptions, base))
            assert ours == theirs, (name, base)
