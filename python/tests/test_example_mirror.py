"""The documented example prints the same thing with python-socketio + requests and with
`import das as socketio`.

python-engineio runs each incoming message's handler on its own thread, so python-socketio may
print two events in an order other than the wire order; das runs handlers in wire order. The
outputs are therefore compared as collections, and das's order is checked against the wire's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import das
from conftest import CLIENT_ID, CLIENT_SECRET, ROOT

EXAMPLES = Path(__file__).parent / "examples"


def run_example(name: str, env: dict) -> list:
    result = subprocess.run([sys.executable, str(EXAMPLES / name)], env={**os.environ, **env},
                            cwd=EXAMPLES, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_example_prints_the_same_with_das_and_python_socketio(sio_url: str, token_url: str) -> None:
    env = {"EXAMPLE_URL": sio_url, "EXAMPLE_TOKEN_URL": token_url,
           "EXAMPLE_CLIENT_ID": CLIENT_ID, "EXAMPLE_CLIENT_SECRET": CLIENT_SECRET}
    with_python_socketio = run_example("example_socketio.py", env)
    with_das = run_example("example_das.py", env)
    assert sorted(with_das) == sorted(with_python_socketio)
    names = [line.split("'event': '")[1].split("'")[0] for line in with_das if "'event': '" in line]
    assert names[0] == "info-consumer-ready" and names[-1] == "result-success"
    assert set(names[1:-1]) == {"info-vad-status"}


def event_names(lines: list) -> list:
    return [json.loads(line)["event"] for line in lines]


@pytest.mark.parametrize("protocol", ["audiohook", "twilio"])
def test_example_against_the_emulator_with_audio(emulator: das.Emulator, protocol: str) -> None:
    # audiohook is the documented example's own metadata; twilio changes only that value.
    audio_url = emulator.audiohook_url if protocol == "audiohook" else emulator.twilio_url
    env = {"EXAMPLE_URL": emulator.socketio_url, "EXAMPLE_TOKEN_URL": emulator.token_url,
           "EXAMPLE_CLIENT_ID": emulator.client_id, "EXAMPLE_CLIENT_SECRET": emulator.client_secret,
           "EXAMPLE_AUDIO_PROTOCOL": protocol, "EXAMPLE_AUDIO_URL": audio_url,
           "EXAMPLE_AUDIOHOOK_API_KEY": emulator.audiohook_api_key,
           "EXAMPLE_AUDIOHOOK_SECRET": emulator.audiohook_client_secret,
           "EXAMPLE_WAV": str(ROOT / "samples" / "speaker-a.wav")}
    with_python_socketio = run_example("example_socketio.py", env)
    with_das = run_example("example_das.py", env)
    assert sorted(event_names(with_das)) == sorted(event_names(with_python_socketio))
    names = event_names(with_das)
    assert names[0] == "info-consumer-ready" and names[-1] == "result-success"
    assert set(names[1:-1]) == {"info-vad-status"} and len(names) > 5
