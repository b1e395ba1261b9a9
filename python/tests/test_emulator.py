"""das.Emulator with the high-level sessions: real audio, real VAD, register then verify; the
emulator as a child process that ends with its owner."""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
import time

import pytest

import das
from conftest import ROOT

SPEAKER_A = ROOT / "samples" / "speaker-a.wav"
SPEAKER_A_VERIFY = ROOT / "samples" / "speaker-a-verify.wav"


def credentials(emulator: das.Emulator, protocol: str = "twilio") -> dict:
    audio = (dict(audio_url=emulator.audiohook_url, api_key=emulator.audiohook_api_key,
                  client_secret_audio=emulator.audiohook_client_secret)
             if protocol == "audiohook" else dict(audio_url=emulator.twilio_url))
    return dict(token_url=emulator.token_url, client_id=emulator.client_id,
                client_secret=emulator.client_secret, audio_protocol=protocol, realtime=False,
                **audio)


@pytest.mark.parametrize("protocol", ["twilio", "audiohook"])
def test_register_then_verify_with_real_audio(emulator: das.Emulator, protocol: str) -> None:
    with das.RegisterSession(emulator.socketio_url, **credentials(emulator, protocol)) as session:
        session.push_wav(SPEAKER_A)
        session.end_audio()
        names = [event.name for event in session.events(timeout=20)]
    assert names[0] == "info-consumer-ready" and names[-1] == "result-success"
    assert "info-vad-status" in names
    credential = session.result.credential
    assert credential and session.result.authenticity is not None

    with das.VerifySession(emulator.socketio_url, credential,
                           **credentials(emulator, protocol)) as verify:
        verify.push_wav(SPEAKER_A_VERIFY)
        verify.end_audio()
        result = verify.wait_result(timeout=20)
    assert result is not None and result.name == "result-success"
    assert result.content in ("Verification: accepted", "Verification: rejected")


def test_a_missing_wav_is_file_not_found(emulator: das.Emulator) -> None:
    with das.RegisterSession(emulator.socketio_url, **credentials(emulator)) as session:
        with pytest.raises(FileNotFoundError) as info:
            session.push_wav("/no/such.wav")
        assert info.value.filename == "/no/such.wav"


def test_async_register_with_audio(emulator: das.Emulator) -> None:
    async def main() -> str:
        async with das.AsyncRegisterSession(emulator.socketio_url,
                                            **credentials(emulator)) as session:
            await session.push_wav(SPEAKER_A)
            await session.end_audio()
            async for event in session:
                last = event.name
            return last

    assert asyncio.run(main()) == "result-success"


def test_audio_ending_early_is_a_result_failure(emulator: das.Emulator) -> None:
    with das.RegisterSession(emulator.socketio_url, **credentials(emulator)) as session:
        session.push_audio(b"\xff" * 800)  # 0.1 s of µ-law silence, then the end
        session.end_audio()
        result = session.wait_result(timeout=20)
    assert result is not None and result.name == "result-failure"
    assert result.reason == "audio_ended"


def test_a_refused_audiohook_key_ends_the_audio_as_an_auth_failure(emulator: das.Emulator) -> None:
    settings = {**credentials(emulator, "audiohook"), "api_key": "not-the-key"}
    with das.RegisterSession(emulator.socketio_url, **settings) as session:
        session.push_wav(SPEAKER_A)
        # The events end there: no result can follow (the service would only reach its
        # audio timeout, 30 s later).
        events = list(session.events(timeout=20))
    ended = events[-1]
    assert [event.is_final for event in events] == [False] * (len(events) - 1) + [True]
    assert (ended.kind, ended.reason, ended.error_kind, ended.bytes_sent) == (
        "audio-ended", "error", "auth", 0)
    assert ended.message and ended.data["error_kind"] == "auth"
    assert session.result is None


def test_an_audio_channel_whose_key_is_refused_raises_auth_error(emulator: das.Emulator) -> None:
    with pytest.raises(das.AuthError, match="unauthorized"):
        channel = das.AudioChannel(emulator.audiohook_url, "audiohook",
                                   call_id="888806c3-3391-4d73-bb86-e5874e6ed5b4",
                                   api_key="not-the-key",
                                   client_secret=emulator.audiohook_client_secret)
        channel.send(b"\xff" * 1600)
        channel.close()


def test_faults_reach_the_client() -> None:
    with das.Emulator({"faults": {"reject_auth": True}}) as emulator:
        with pytest.raises(das.AuthError, match="invalid_client"):
            das.get_access_token(emulator.token_url, emulator.client_id, emulator.client_secret)
        emulator.set_faults(reject_auth=False)
        token = das.get_access_token(emulator.token_url, emulator.client_id,
                                     emulator.client_secret)
        assert token["token_type"] == "Bearer"
    with pytest.raises(das.InvalidArgument):
        das.Emulator({"no_such_setting": 1})


def test_a_trd_reject_set_again_rejects_again(emulator: das.Emulator) -> None:
    client = das.trd.Client(emulator.trd_url, bearer=emulator.trd_token)
    try:
        for _ in range(3):
            emulator.set_faults(trd_reject={"status": 502, "count": 1})
            with pytest.raises(das.BusyError):
                client.whoami()
            assert client.whoami()
    finally:
        emulator.set_faults()


def test_every_endpoint_the_emulator_describes_is_a_property(emulator: das.Emulator) -> None:
    # `faults_url` is what `set_faults` uses.
    described = set(emulator._description) - {"faults_url"}
    missing = {name for name in described if not isinstance(getattr(type(emulator), name, None),
                                                               property)}
    assert not missing
    assert emulator.tls_trd_license_url.startswith("https://")


def test_trd_client_against_the_emulator(emulator: das.Emulator) -> None:
    client = das.trd.Client(emulator.trd_url, bearer="demo-trd-token")
    assert client.whoami()
    with das.trd.WebhookReceiver(tls="plain") as receiver:
        assert client.validate(receiver.url, token="t0k") is True


def test_trd_client_logs_in_at_the_license_server(emulator: das.Emulator) -> None:
    def client(password: str) -> das.trd.Client:
        return das.trd.Client(emulator.trd_url, token_url=emulator.trd_license_url,
                                 username=emulator.trd_license_user, password=password)

    assert client(emulator.trd_license_password).whoami() == "127.0.0.1"
    with pytest.raises(das.AuthError):
        client("wrong password").whoami()


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie that is not reaped yet counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _gone_within(pid: int, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_the_emulator_is_a_child_process_that_close_and_gc_stop() -> None:
    emulator = das.Emulator()
    pid = emulator._process.pid
    assert _alive(pid)
    emulator.close()
    assert _gone_within(pid)
    emulator.close()  # twice is harmless
    with pytest.raises(das.Closed):
        emulator.set_faults(reject_auth=True)

    forgotten = das.Emulator()
    pid = forgotten._process.pid
    del forgotten
    gc.collect()
    assert _gone_within(pid)


def test_the_emulator_dies_with_a_killed_parent() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", "import das, sys, time\n"
         "e = das.Emulator()\nprint(e._process.pid, flush=True)\ntime.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert _alive(child)
    parent.kill()
    parent.wait(10)
    assert _gone_within(child), "the emulator outlived its killed parent"


def test_bad_switches_and_a_missing_binary_are_typed_errors(
        emulator: das.Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(das.InvalidArgument, match="no_such_fault"):
        emulator.set_faults(no_such_fault=True)
    with pytest.raises(das.InvalidArgument, match="reject_auth"):
        emulator.set_faults(reject_auth="yes")
    monkeypatch.setenv("DAS_BIN", "/nonexistent/das")
    with pytest.raises(das.IoError, match="/nonexistent/das"):
        das.Emulator()
    monkeypatch.setenv("DAS_BIN", "/bin/true")
    with pytest.raises(das.ConnectError):
        das.Emulator()
