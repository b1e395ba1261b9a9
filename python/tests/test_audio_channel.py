"""das.AudioChannel (Twilio Media Streams subset) against a real `websockets` consumer."""

from __future__ import annotations

import asyncio
import base64
import json
import ssl
import threading
from pathlib import Path
from typing import Iterator, List, Optional

import pytest
import trustme
import websockets

import das
from conftest import ROOT


class TwilioConsumer:
    """Records every JSON frame of each connection, in a thread with its own event loop."""

    def __init__(self, tls: Optional[ssl.SSLContext] = None) -> None:
        self.tls = tls
        self.connections: List[List[dict]] = []
        self.done = threading.Event()
        self.ready = threading.Event()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._stop: "asyncio.Future[None] | None" = None
        threading.Thread(target=self._loop.run_until_complete, args=(self._serve(),),
                         daemon=True).start()
        assert self.ready.wait(10)

    async def _handle(self, ws) -> None:  # type: ignore[no-untyped-def]
        frames: List[dict] = []
        self.connections.append(frames)
        async for message in ws:
            frames.append(json.loads(message))
        self.done.set()

    async def _serve(self) -> None:
        self._stop = self._loop.create_future()
        async with websockets.serve(self._handle, "127.0.0.1", 0, ssl=self.tls) as server:
            self.port = server.sockets[0].getsockname()[1]
            self.ready.set()
            await self._stop

    def close(self) -> None:
        self._loop.call_soon_threadsafe(lambda: self._stop and self._stop.set_result(None))


@pytest.fixture()
def consumer() -> Iterator[TwilioConsumer]:
    server = TwilioConsumer()
    yield server
    server.close()


def audio_of(frames: List[dict]) -> bytes:
    return b"".join(base64.b64decode(f["media"]["payload"]) for f in frames if f["event"] == "media")


def test_send_and_close_streams_everything(consumer: TwilioConsumer) -> None:
    url = f"ws://127.0.0.1:{consumer.port}/"
    audio = bytes(range(256)) * 20
    with das.AudioChannel(url, "twilio", call_id="CA-1", realtime=False,
                          buffer_bytes=8000) as channel:
        channel.send(audio)
        channel.send(audio[:100], wait=False)
        with pytest.raises(das.InvalidArgument, match="exceeds"):
            channel.send(b"\x00" * 8001, wait=False)
    assert channel.close() == "closed"
    assert consumer.done.wait(10)
    frames = consumer.connections[0]
    assert frames[0] == {"event": "start", "start": {"callSid": "CA-1"}}
    assert audio_of(frames) == audio + audio[:100]


def test_send_wav_converts_to_the_wire_codec(consumer: TwilioConsumer) -> None:
    url = f"ws://127.0.0.1:{consumer.port}/"
    wav = ROOT / "samples" / "speaker-a-16k.wav"
    channel = das.AudioChannel(url, "twilio", call_id="CA-2", realtime=False, buffer_bytes=1 << 20)
    with pytest.raises(FileNotFoundError):
        channel.send_wav("/no/such.wav")
    channel.send_wav(Path(wav))
    queued, sent_so_far, dropped = channel.counters
    assert dropped == 0 and queued + sent_so_far > 8000
    assert channel.close() == "finished"
    assert consumer.done.wait(10)
    # 8 kHz µ-law: one byte per sample, so the byte count is the 8 kHz duration.
    assert len(audio_of(consumer.connections[0])) == queued + sent_so_far
    with pytest.raises(das.Closed):
        channel.send(b"\x00")


def test_a_wss_consumer_with_a_private_root_is_trusted_only_when_given() -> None:
    authority = trustme.CA()
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost").configure_cert(tls)
    server = TwilioConsumer(tls)
    try:
        url = f"wss://localhost:{server.port}/"
        with pytest.raises(das.ConnectError, match="certificate"):
            das.AudioChannel(url, "twilio", call_id="CA-untrusted")
        root = authority.cert_pem.bytes().decode()
        with das.AudioChannel(url, "twilio", call_id="CA-tls", realtime=False,
                              root_certificate_pem=root) as channel:
            channel.send(b"\xff" * 1600)
        assert server.done.wait(10)
        trusted = server.connections[-1]
        assert trusted[0] == {"event": "start", "start": {"callSid": "CA-tls"}}
        assert audio_of(trusted) == b"\xff" * 1600
    finally:
        server.close()


def test_bad_channel_arguments() -> None:
    with pytest.raises(das.InvalidArgument, match="root_certificate_pem"):
        das.AudioChannel("wss://127.0.0.1:1/", "twilio", call_id="x",
                         root_certificate_pem="not a certificate")
    with pytest.raises(das.InvalidArgument):
        das.AudioChannel("not a url", call_id="x")
    with pytest.raises(das.InvalidArgument):
        das.AudioChannel("ws://127.0.0.1:1/", "carrier-pigeon", call_id="x")
    with pytest.raises(das.InvalidArgument):
        das.AudioChannel("ws://127.0.0.1:1/", "audiohook", call_id="x", codec="mp3")
    with pytest.raises(das.InvalidArgument, match="UUID"):
        das.AudioChannel("ws://127.0.0.1:1/", "audiohook", call_id="not-a-uuid")
    with pytest.raises(das.ConnectError):
        das.AudioChannel("ws://127.0.0.1:1/", "twilio", call_id="x")
