"""RegisterSession / VerifySession against the python-socketio das-Peak peer."""

from __future__ import annotations

import json
import threading
import time

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


def test_an_audiohook_call_id_must_be_a_uuid_without_nul(sio_url: str) -> None:
    # Refused before any connection, not 30 s later as a failed audio channel.
    with pytest.raises(das.InvalidArgument, match="needs a UUID"):
        with das.RegisterSession(sio_url, authorization="Bearer t", call_id="call-1"):
            pass
    with pytest.raises(das.InvalidArgument, match="NUL"):
        das.RegisterSession(sio_url, authorization="Bearer t", call_id="88\0ab").start()


def test_audio_audiohook_cannot_carry_is_refused_at_the_start(sio_url: str) -> None:
    # Refused before any connection; the session used to start, lose its audio channel and
    # wait for audio, with push_wav raising Closed.
    with pytest.raises(das.InvalidArgument, match="not A-law"):
        with das.RegisterSession(sio_url, authorization="Bearer t",
                                 audio_url="ws://127.0.0.1:1/audiohook/ws", audio_codec="alaw"):
            pass


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


def test_bytes_nested_in_the_payload_stay_bytes_in_place(sio_url: str) -> None:
    # python-socketio sends bytes inside a dict as a placeholder nested in the payload; the
    # event hands them back where they were, as python-socketio's own client would.
    audio = bytes(i % 251 for i in range(4000))
    with das.RegisterSession(sio_url, authorization="Bearer t", model_hash="nested-audio") as session:
        result = session.wait_result(10)
    assert result.kind == "result-success" and result.collected_audio == audio
    assert result.data["collected_audio"] == audio
    assert result.data["detail"] == {"collected_audio": audio, "codec": "mulaw"}
    assert result.arguments == [result.data]
    assert result.fields["credential"] == "Q1JFREVOVElBTA=="


def test_audio_without_a_channel_is_not_ready(sio_url: str) -> None:
    with das.RegisterSession(sio_url, authorization="Bearer t") as session:
        # The message names the Python keyword, not the Rust builder.
        with pytest.raises(das.NotReady, match="audio_url="):
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
    # `inf` (or a number no timer holds) waits without limit.
    with das.RegisterSession(sio_url, authorization="Bearer t") as session:
        names = [event.name for event in session.events(timeout=float("inf"))]
        assert names[-1] == "result-success"
    with das.RegisterSession(sio_url, authorization="Bearer t") as session:
        assert next(session.events(timeout=1e300)).name == "welcome"
    with das.RegisterSession(sio_url, authorization="Bearer t", model_hash="silent") as session:
        events = session.events(timeout=0.3)
        names = [next(events).name for _ in range(2)]
        assert names == ["welcome", "x-initialize-echo"]
        with pytest.raises(das.TimeoutError):
            next(events)


def test_events_end_at_an_error_from_the_service(sio_url: str) -> None:
    # No result can follow an `error`: the iteration ends there instead of waiting it out.
    with das.RegisterSession(sio_url, authorization="Bearer t", model_hash="error") as session:
        events = list(session.events(timeout=10))
    assert [event.name for event in events] == ["welcome", "x-initialize-echo", "error"]
    assert [event.is_final for event in events] == [False, False, True]
    assert session.result is None


def test_events_are_typed_once_in_rust() -> None:
    text = ('{"event": "result-success", "authenticity": 0.9, "voice_audio_collected": 5.1, '
            '"content": "Verification: accepted", "score": 0.7, "credential": "C"}')
    event = das.Event("result-success", text)
    assert type(event) is das._native.Event and type(event).__module__ == "das"
    assert event.data == json.loads(text) and event.fields is event.data
    assert (event.kind, event.is_result) == ("result-success", True)
    assert (event.authenticity, event.voice_audio_collected, event.score) == (0.9, 5.1, 0.7)
    assert (event.credential, event.content) == ("C", "Verification: accepted")
    assert event.vad_percentage is None and event.reason is None
    assert event == das.Event("result-success", json.loads(text))
    assert repr(das.Event("x", [1])) == "Event('x', [1])"

    vad = das.Event("info-vad-status", {"content": "Voice activity detection percentage",
                                        "audio_seconds": 0.52, "vad_percentage": 10})
    assert vad.kind == "vad-status" and isinstance(vad.vad_percentage, float)
    assert (vad.audio_seconds, vad.vad_percentage) == (0.52, 10.0)
    assert vad.content == "Voice activity detection percentage"
    odd = das.Event("info-vad-status", {"audio_seconds": "not-a-number"})
    assert odd.audio_seconds is None and odd.fields == {"audio_seconds": "not-a-number"}
    other = das.Event("info-new", "just text")
    assert (other.kind, other.data, other.fields) == ("other", "just text", {})


def test_session_events_carry_the_local_fields(sio_url: str) -> None:
    with das.RegisterSession(sio_url, authorization="Bearer t", model_hash="drop") as session:
        events = list(session.events(10))
    last = events[-1]
    assert (last.kind, last.before_result) == ("disconnected", True)
    assert last.reason and last.reason == last.data["reason"]


def test_a_misspelled_option_fails_at_construction() -> None:
    # Nothing is started: no server is needed to learn about the typo.
    url = "http://127.0.0.1:9/socket.io"
    with pytest.raises(TypeError, match="RegisterSession.*'realtim'.*did you mean 'realtime'"):
        das.RegisterSession(url, realtim=False)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="AsyncVerifySession.*'audio_urll'"):
        das.AsyncVerifySession(url, "CRED", audio_urll="ws://x")  # type: ignore[call-arg]


def test_close_from_another_thread_ends_a_blocked_event_wait(sio_url: str) -> None:
    # The peer sends nothing more: the reader waits until the close ends it.
    with das.RegisterSession(sio_url, authorization="Bearer t", model_hash="silent") as session:
        events = session.events(timeout=60)
        assert [next(events).name for _ in range(2)] == ["welcome", "x-initialize-echo"]
        rest: list[object] = []
        reader = threading.Thread(target=lambda: rest.extend(events))
        reader.start()
        time.sleep(0.3)
        assert reader.is_alive(), "the reader waits for an event"
        session.close()
        reader.join(10)
        assert not reader.is_alive(), "close did not end the event wait"
    assert [getattr(e, "name") for e in rest] in ([], ["disconnected"])
