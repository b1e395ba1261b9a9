"""Core log records reach the Python logger `das`; secrets do not."""

from __future__ import annotations

import logging
import time

import pytest

import das
from conftest import ACCESS_TOKEN, CLIENT_ID, CLIENT_SECRET

CALL_ID = "5c0e0a4e-1f7b-4c47-9d55-0c3f3b1a2e61"


def test_core_logs_go_to_the_das_logger(sio_url: str, token_url: str,
                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="das")
    with das.RegisterSession(sio_url, token_url=token_url, client_id=CLIENT_ID,
                             client_secret=CLIENT_SECRET, call_id=CALL_ID) as session:
        session.wait_result(timeout=10)
    # Records reach `logging` through the package's log thread: wait for them (bounded).
    deadline = time.monotonic() + 10
    while not any("session initialized" in r.getMessage() and CALL_ID in r.getMessage()
                  for r in caplog.records if r.name == "das"):
        assert time.monotonic() < deadline, "no forwarded record"
        time.sleep(0.02)
    records = [r for r in caplog.records if r.name == "das"]
    text = "\n".join(r.getMessage() for r in records)
    assert CLIENT_SECRET not in text and ACCESS_TOKEN not in text


def test_nothing_is_forwarded_below_the_configured_level(sio_url: str,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="das")
    # A record made before the level changed (an earlier test's session ending late) is not
    # this test's business: count only those made after.
    since = time.time()
    with das.RegisterSession(sio_url, authorization="Bearer t") as session:
        session.wait_result(timeout=10)
    assert not [r for r in caplog.records
                if r.name == "das" and r.created >= since and r.levelno < logging.ERROR]


def test_closing_a_session_before_its_result_is_no_warning(emulator: das.Emulator,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    # The application ending its own session is not signalling lost: INFO, not WARNING (an
    # operator's alerts key on warnings).
    caplog.set_level(logging.INFO, logger="das")
    with das.RegisterSession(emulator.socketio_url, token_url=emulator.token_url,
                             client_id=emulator.client_id,
                             client_secret=emulator.client_secret) as session:
        call_id = session.call_id
        assert next(iter(session.events())).name == "info-consumer-ready"
    deadline = time.monotonic() + 10
    while not any("session closed before a result" in r.getMessage() and call_id in r.getMessage()
                  for r in caplog.records if r.name == "das"):
        assert time.monotonic() < deadline, "no record of the close"
        time.sleep(0.02)
    assert not [r for r in caplog.records
                if r.name == "das" and r.levelno >= logging.WARNING and call_id in r.getMessage()]
