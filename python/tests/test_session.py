"""RegisterSession / VerifySession against the python-socketio das-Peak peer."""

from __future__ import annotations

import pytest

import das
from conftest import CLIENT_ID, CLIENT_SECRET


def test_register_session_yields_events_until_the_result(sio_url: str, token_url: str) -> None:
    with das.RegisterSession(sio_url, token_url=token_url, client_id=CLIENT_ID,
                             client_secret=CLIENT_SECRET, model_hash="m1",
                             call_id="888806c3-3391-4d73-bb86-e5874e6ed5b4") as session:
        assert session.call_id == "888806c3-3391-4d73-bb86-e5874e6ed5b4"
        assert session.namespace == "/socket.io/register"
        events = list(session.events(timeout=10))
    names = [e.name for e in events]
    # The peer greets every connection with `welcome` before it handles `initialize`.
    assert names[:3] == ["welcome", "x-initialize-echo", "info-consumer-ready"]
    assert names[-1] == "result-success" and "info-vad-status" in names
    echo = events[1].data
    assert echo["register_request"]["model_hash"] == "m1"
    assert echo["metadata"]["sample_rate"] == "8000"
    assert session.result is events[-1]
    assert session.result.credential and session.result.authenticity == 0.99
    vad = [e for e in events if e.name == "info-vad-status"]
    assert vad[-1].vad_percentage == 100


def test_verify_session_sends_the_credential(sio_url: str) -> None:
    with das.VerifySession(sio_url, "CRED", authorization="Bearer t",
                           request={"similarity": 0.5}) as session:
        result = session.wait_result(timeout=10)
    assert result is not None and result.content == "Verification: approved"
    with das.VerifySession(sio_url, "CRED", authorization="Bearer t") as session:
        events = session.events(10)
        next(events)
        first = next(events)
    assert first.data["verify_request"]["credential"] == "CRED"


def test_failure_error_and_drop(sio_url: str) -> None:
    with das.RegisterSession(sio_url, authorization="Bearer t", model_hash="fail") as session:
        assert session.wait_result(10).name == "result-failure"
        assert session.result.reason == "model not available"
    with das.RegisterSession(sio_url, authorization="Bearer t", model_hash="drop") as session:
        names = [e.name for e in session.events(10)]
    assert names[-1] == "disconnected" and session.result is None


def test_audio_without_a_channel_is_not_ready(sio_url: str) -> None:
    with das.RegisterSession(sio_url, authorization="Bearer t") as session:
        with pytest.raises(das.NotReady):
            session.push_audio(b"\xff" * 160)


def test_bad_session_arguments(sio_url: str, token_url: str) -> None:
    with pytest.raises(das.InvalidArgument):
        das.RegisterSession(sio_url).start()
    with pytest.raises(das.InvalidArgument):
        das.RegisterSession(sio_url, authorization="Bearer t", connect_timeout=0).start()
    with pytest.raises(das.ConnectRefused):
        das.RegisterSession(sio_url, authorization="Basic x").start()
    with pytest.raises(das.AuthError):
        das.RegisterSession(sio_url, token_url=token_url, client_id=CLIENT_ID,
                            client_secret="wrong").start()
    with pytest.raises(das.InvalidArgument):
        das.RegisterSession(sio_url, authorization="Bearer t", audio_url="ws://127.0.0.1:1/",
                            audio_protocol="carrier-pigeon")
    with pytest.raises(TypeError):
        das.RegisterSession(sio_url, authorization="Bearer t", api_key="k")
    with pytest.raises(das.Closed):
        das.RegisterSession(sio_url, authorization="Bearer t").push_audio(b"")


def test_event_timeout_is_typed(sio_url: str) -> None:
    with das.RegisterSession(sio_url, authorization="Bearer t") as session:
        events = session.events(timeout=10)
        while next(events).name != "result-success":
            pass
    with das.RegisterSession(sio_url, authorization="Bearer t", model_hash="error") as session:
        events = session.events(timeout=0.3)
        names = [next(events).name for _ in range(3)]
        assert names == ["welcome", "x-initialize-echo", "error"]
        with pytest.raises(das.TimeoutError):
            next(events)
