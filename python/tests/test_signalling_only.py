"""The Genesys integrator's flow: a signalling-only session (no ``audio_url``) gets its result
from audio that someone else streams to the emulator's AudioHook consumer with
``conversationId`` = the session's ``call_id``, as Genesys Cloud does in production."""

from __future__ import annotations

import threading
import uuid

import das
from conftest import ROOT


def genesys_streams(emulator: das.Emulator, conversation: str, wav: str) -> threading.Thread:
    """Genesys Cloud's part, in a thread: an AudioHook stream for ``conversation``."""
    def stream() -> None:
        with das.AudioChannel(emulator.audiohook_url, "audiohook", call_id=conversation,
                              api_key=emulator.audiohook_api_key,
                              client_secret=emulator.audiohook_client_secret,
                              realtime=False) as channel:
            channel.send_wav(ROOT / "samples" / wav)
    thread = threading.Thread(target=stream)
    thread.start()
    return thread


def test_a_signalling_only_session_gets_the_result_of_audio_streamed_for_its_call_id(
        emulator: das.Emulator) -> None:
    conversation = str(uuid.uuid4())
    with das.RegisterSession(emulator.socketio_url, token_url=emulator.token_url,
                             client_id=emulator.client_id,
                             client_secret=emulator.client_secret,
                             audio_protocol="audiohook", call_id=conversation) as session:
        events = session.events(timeout=20)
        first = next(events)
        assert first.name == "info-consumer-ready"
        genesys = genesys_streams(emulator, conversation, "speaker-a.wav")
        names = [first.name] + [event.name for event in events]
        genesys.join(20)
    assert not genesys.is_alive()
    assert names[-1] == "result-success" and "info-vad-status" in names
    assert session.result is not None and session.result.credential


def test_a_signalling_only_session_announces_the_audio_it_waits_for(sio_url: str) -> None:
    with das.RegisterSession(sio_url, authorization="Bearer t", audio_protocol="twilio",
                             audio_codec="alaw") as session:
        events = session.events(timeout=10)
        next(events)  # the peer's `welcome`
        echo = next(events)
    assert echo.name == "x-initialize-echo"
    assert echo.data["metadata"]["audio_protocol"] == "twilio"
    assert echo.data["metadata"]["audio_codec"] == "alaw"
