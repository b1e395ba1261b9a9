"""das.run / das.new_event_loop: the asyncio loop that runs libdas on its own thread
(caller-driven mode). The mode is process-wide and cannot be undone, so each scenario of
driven_scenarios.py runs in an interpreter of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import das
from das import _native

HERE = Path(__file__).resolve().parent
# Beyond every bounded wait inside a scenario.
SCENARIO_TIMEOUT = 120


def run_scenario(name: str, emulator: das.Emulator, sio_url: str = "") -> None:
    endpoints = {field: getattr(emulator, field) for field in (
        "socketio_url", "token_url", "client_id", "client_secret", "twilio_url",
        "audiohook_url", "audiohook_api_key", "audiohook_client_secret")}
    env = dict(os.environ, DAS_TEST_EMULATOR=json.dumps(endpoints), DAS_TEST_SIO_URL=sio_url,
               PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, str(HERE / "driven_scenarios.py"), name], env=env,
                          capture_output=True, text=True, timeout=SCENARIO_TIMEOUT)
    assert done.returncode == 0, f"{name}:\n{done.stdout}\n{done.stderr}"


@pytest.mark.parametrize("name", [
    "sessions", "sessions_default_mode", "asyncio_alongside", "executor_calls",
    "blocking_calls_drive", "asked_too_late", "ctrl_c", "bad_descriptors",
    "run_without_runner"])
def test_scenario(name: str, emulator: das.Emulator) -> None:
    run_scenario(name, emulator)


def test_async_client_on_the_driven_loop(emulator: das.Emulator, sio_url: str) -> None:
    run_scenario("async_client", emulator, sio_url)


def test_run_needs_caller_driven_mode() -> None:
    # The test process never asks for caller-driven mode (its sessions use a libdas thread).
    with pytest.raises(das.NotReady):
        _native.run(0)
