"""Collected audio sent as a second, binary argument of result-success (the emulator's
``send_collected_audio``): the documented three-parameter handler gets the same arguments from
python-socketio and from das.Client, and sessions expose it as ``event.collected_audio``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

import das
from conftest import ROOT

EXAMPLES = Path(__file__).parent / "examples"
SPEAKER_A = str(ROOT / "samples" / "speaker-a.wav")
SPEAKER_A_VERIFY = str(ROOT / "samples" / "speaker-a-verify.wav")


@pytest.fixture(scope="module")
def sending_emulator() -> Iterator[das.Emulator]:
    with das.Emulator({"send_collected_audio": True}) as running:
        yield running


def run_handler_script(client: str, emulator: das.Emulator) -> list:
    env = {"EXAMPLE_URL": emulator.socketio_url, "EXAMPLE_TOKEN_URL": emulator.token_url,
           "EXAMPLE_CLIENT_ID": emulator.client_id, "EXAMPLE_CLIENT_SECRET": emulator.client_secret,
           "EXAMPLE_AUDIO_URL": emulator.audiohook_url,
           "EXAMPLE_AUDIOHOOK_API_KEY": emulator.audiohook_api_key,
           "EXAMPLE_AUDIOHOOK_SECRET": emulator.audiohook_client_secret, "EXAMPLE_WAV": SPEAKER_A}
    result = subprocess.run([sys.executable, str(EXAMPLES / "collected_audio.py"), client],
                            env={**os.environ, **env}, cwd=EXAMPLES, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_three_parameter_handler_gets_the_audio_from_both_clients(sending_emulator: das.Emulator) -> None:
    with_python_socketio = run_handler_script("socketio", sending_emulator)
    with_das = run_handler_script("das", sending_emulator)
    # The audio's length depends on when the consumer had enough, and how many
    # info-vad-status arrive before (or after) the result on when each run's audio did:
    # compare the argument shapes each event came with.
    def shapes(lines: list) -> set:
        return {line.rsplit(" ", 1)[0] if line.startswith("result-success") else line
                for line in lines}

    assert shapes(with_das) == shapes(with_python_socketio)
    result = with_das[-1].split()
    assert result[:3] == ["result-success", "str", "bytes"] and int(result[3]) >= 5 * 8000
    assert with_das[0] == "info-consumer-ready str None"


def register(emulator: das.Emulator) -> das.Event:
    session = das.RegisterSession(emulator.socketio_url, token_url=emulator.token_url,
                                  client_id=emulator.client_id,
                                  client_secret=emulator.client_secret,
                                  audio_url=emulator.twilio_url, audio_protocol="twilio",
                                  realtime=False)
    with session:
        session.push_wav(SPEAKER_A)
        session.end_audio()
        for event in session.events(timeout=30):
            if event.is_result:
                return event
    raise AssertionError("no result")


def test_sessions_expose_the_collected_audio_and_a_verdict(sending_emulator: das.Emulator,
                                                          emulator: das.Emulator) -> None:
    result = register(sending_emulator)
    assert result.kind == "result-success" and isinstance(result.data, dict)
    assert isinstance(result.collected_audio, bytes) and len(result.collected_audio) >= 5 * 8000
    assert result.arguments[1] == result.collected_audio
    assert result.verdict == "accepted" and result.accepted is True
    assert result.credential

    plain = register(emulator)
    assert plain.collected_audio is None and len(plain.arguments) == 1
    assert plain.voice_audio_collected is not None and plain.score is None


def test_verdict_rule_on_constructed_events() -> None:
    rejected = das.Event("result-success", '{"content": "Verification: rejected", "score": 0.9}')
    assert (rejected.verdict, rejected.accepted, rejected.score) == ("rejected", False, 0.9)
    unknown = das.Event("result-success", {"score": 0.9})
    assert (unknown.verdict, unknown.accepted) == ("unknown", None)
    other = das.Event("info-vad-status", {"audio_seconds": 1.0})
    assert (other.verdict, other.accepted, other.collected_audio) == (None, None, None)


def test_constructed_events_keep_bytes_nested_in_their_payload() -> None:
    # As python-socketio would send this dict: the bytes as a nested binary attachment.
    result = das.Event("result-success", {"content": "Registration: approved", "collected_audio": b"\x01\x02"})
    assert result.collected_audio == b"\x01\x02" and result.data["collected_audio"] == b"\x01\x02"
    assert result.arguments == [{"content": "Registration: approved", "collected_audio": b"\x01\x02"}]
    assert result.verdict == "accepted"
    whole = das.Event("x-blob", b"\x03")
    assert whole.arguments == [b"\x03"] and whole.data is None


@pytest.mark.parametrize("threshold, verdict", [(0.0, "accepted"), (1.0, "rejected")])
def test_the_score_threshold_option_decides_the_verdict(emulator: das.Emulator,
                                                        threshold: float, verdict: str) -> None:
    credential = register(emulator).credential
    assert credential
    with das.VerifySession(emulator.socketio_url, credential, token_url=emulator.token_url,
                           client_id=emulator.client_id, client_secret=emulator.client_secret,
                           audio_url=emulator.twilio_url, audio_protocol="twilio",
                           realtime=False, score_threshold=threshold) as session:
        session.push_wav(SPEAKER_A_VERIFY)
        session.end_audio()
        result = session.wait_result(timeout=30)
    assert result is not None and result.name == "result-success"
    assert (result.verdict, result.threshold) == (verdict, threshold)


def test_a_score_threshold_outside_zero_to_one_is_refused(emulator: das.Emulator) -> None:
    with pytest.raises(das.InvalidArgument, match="score_threshold"):
        das.VerifySession(emulator.socketio_url, "C", token_url=emulator.token_url,
                          client_id=emulator.client_id, client_secret=emulator.client_secret,
                          score_threshold=1.5).start()
