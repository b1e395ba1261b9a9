"""Trusted roots from Python: the emulator's TLS front, whose private CA (``tls_ca_pem`` of
its description) is trusted through SSL_CERT_FILE (set for a child process, as a deployment
sets it), through ``root_certificate_pem``, or not at all (``das.TlsError``
naming the CA), for a session (token endpoint, Socket.IO, AudioHook), an AudioHook channel
and TRD."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, Optional

import pytest

import das

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "speaker-a.wav"
CA_NAME = "das emulator private CA"


class Bed:
    """What a client needs to reach the emulator through its TLS front (plain data, so a child
    process can rebuild it from JSON)."""

    def __init__(self, urls: Dict[str, str], credentials: Dict[str, str], ca_pem: str) -> None:
        self.urls, self.credentials, self.ca_pem = urls, credentials, ca_pem

    def to_json(self) -> str:
        return json.dumps([self.urls, self.credentials, self.ca_pem])

    @staticmethod
    def from_json(text: str) -> "Bed":
        return Bed(*json.loads(text))

    def register(self, **trust: Any) -> Optional[str]:
        """A whole registration over TLS; the result's name."""
        c = self.credentials
        with das.RegisterSession(
                self.urls["socketio"],
                token_url=self.urls["token"],
                client_id=c["client_id"], client_secret=c["client_secret"],
                audio_url=self.urls["audiohook"], audio_protocol="audiohook",
                api_key=c["api_key"], client_secret_audio=c["audio_secret"], realtime=False,
                **trust) as session:
            session.push_wav(SAMPLE)
            session.end_audio()
            result = session.wait_result(30)
        return result.name if result else None

    def audiohook(self, **trust: Any) -> str:
        c = self.credentials
        with das.AudioChannel(self.urls["audiohook"], "audiohook",
                              call_id=CALL_ID, realtime=False,
                              api_key=c["api_key"], client_secret=c["audio_secret"],
                              **trust) as channel:
            channel.send(b"\xff" * 1600)
            return channel.close()

    def whoami(self, **trust: Any) -> str:
        client = das.trd.Client(self.urls["trd"], bearer="demo-trd-token",
                                   **trust)
        return client.whoami()

    def outcomes(self, **trust: Any) -> Dict[str, str]:
        """Each client's result, or its error class and message."""
        found = {}
        for attempt in (self.register, self.audiohook, self.whoami):
            try:
                found[attempt.__name__] = str(attempt(**trust))
            except das.DasError as error:
                found[attempt.__name__] = f"{type(error).__name__}: {error}"
        return found


@pytest.fixture
def bed() -> Iterator[Bed]:
    with das.Emulator() as emulator:
        urls = {"socketio": emulator.tls_socketio_url, "token": emulator.tls_token_url,
                "audiohook": emulator.tls_audiohook_url, "trd": emulator.tls_trd_url}
        credentials = {"client_id": emulator.client_id, "client_secret": emulator.client_secret,
                       "api_key": emulator.audiohook_api_key,
                       "audio_secret": emulator.audiohook_client_secret}
        yield Bed(urls, credentials, emulator.tls_ca_pem)


CALL_ID = "1b4b1a3c-5b9c-4e2b-9b3e-2f0c7f4c9a11"
# Past TLS, a lone AudioHook channel meets the emulator's refusal of the stream (no session
# has its call_id; the registration streams its audio over AudioHook in full).
TRUSTED = {"register": "result-success", "whoami": "127.0.0.1",
           "audiohook": "RejectedError: AudioHook server disconnected with an error: "
                        f'no live session has call_id "{CALL_ID}"'}


def assert_refused(outcomes: Dict[str, str]) -> None:
    for name, outcome in outcomes.items():
        assert outcome.startswith("TlsError: ") and CA_NAME in outcome, (name, outcome)
        assert "roots consulted: bundled Mozilla roots" in outcome, (name, outcome)


def test_an_explicit_root_is_trusted_and_nothing_else(bed: Bed) -> None:
    assert bed.outcomes(root_certificate_pem=bed.ca_pem) == TRUSTED
    assert_refused(bed.outcomes())
    with pytest.raises(das.InvalidArgument, match="bundled, system or both"):
        bed.whoami(trusted_roots="all")


def in_child(bed: Bed, env: Dict[str, str], **trust: Any) -> Dict[str, str]:
    """The outcomes in a fresh process with `env` in its environment from the start, as a
    deployment sets the variables."""
    script = ("import json, sys\n"
              "sys.path.insert(0, sys.argv[1])\n"
              "from test_trusted_roots import Bed\n"
              "print(json.dumps(Bed.from_json(sys.argv[2]).outcomes(**json.loads(sys.argv[3]))))")
    done = subprocess.run(
        [sys.executable, "-c", script, str(Path(__file__).parent), bed.to_json(),
         json.dumps(trust)],
        env=env, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


def test_ssl_cert_file_is_trusted_unless_roots_are_bundled_only(bed: Bed,
                                                               tmp_path: Path) -> None:
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text(bed.ca_pem)
    env = {k: v for k, v in os.environ.items() if k not in ("SSL_CERT_FILE", "SSL_CERT_DIR")}
    assert_refused(in_child(bed, env))
    env["SSL_CERT_FILE"] = str(ca_file)
    assert in_child(bed, env) == TRUSTED
    bundled = in_child(bed, env, trusted_roots="bundled")
    assert_refused(bundled)
    assert all(str(ca_file) not in outcome for outcome in bundled.values()), bundled
