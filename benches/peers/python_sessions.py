"""N concurrent real-time registration sessions from Python, for emulator/benches/sessions.rs.

Three stacks, one scenario (the Rust bench's): sessions start 2 ms apart, each streams
samples/speaker-a.wav (8 kHz µ-law) over AudioHook at 1x real time from
`info-consumer-ready` and waits for its result.

- `socketio`: the stack the das-Peak documentation shows: a client-credentials token over
  HTTP (one, shared), python-socketio's `AsyncClient` with the documented catch-all handler,
  and a `websockets` AudioHook client (signed upgrade, `open`/`opened`, 200 ms binary frames
  paced by deadline), all sessions on one asyncio loop.
- `wheel`: libdas's Python wheel, `das.RegisterSession`, one thread per session polling
  events and one pushing 200 ms frames every 200 ms from `info-consumer-ready` (the API is
  blocking; the network work happens on libdas's runtime threads).
- `wheel-asyncio`: the same wheel through `das.AsyncRegisterSession`, all sessions on one
  asyncio loop (events read on the loop through each session's wake-up descriptor), 200 ms
  frames pushed by deadline on the loop, as the `socketio` stack paces them.
- `wheel-driven`: `wheel-asyncio`'s code on `das.run`'s loop instead of `asyncio.run`'s: no
  libdas thread, the loop's selector waits inside libdas (caller-driven mode).

Prints one JSON report on stdout (the fields of `ClientReport` in sessions.rs): CPU and peak
RSS growth of this process, setup times, and the wall-clock time each server event was
handed to the caller, with its sequence number on the session, for the latency join.

Usage: python python_sessions.py socketio|wheel|wheel-asyncio|wheel-driven SOCKETIO_URL TOKEN_URL AUDIOHOOK_URL
       CLIENT_ID CLIENT_SECRET AUDIOHOOK_API_KEY AUDIOHOOK_SECRET WAV N
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import sys
import threading
import time
import uuid
from collections import Counter
from urllib.parse import urlsplit

NAMESPACE = "/socket.io/register"
START_SPACING = 0.002  # above 1,000 sessions the starts share RAMP (as in the Rust bench)
RAMP = 2.0
SESSION_TIMEOUT = 60.0
FRAME_SECONDS = 0.2
FRAME_BYTES = 1600  # 200 ms of 8 kHz µ-law
LATE = 0.05  # a frame leaving this far behind its deadline is late
SIGNED = ["@request-target", "@authority", "audiohook-organization-id", "audiohook-session-id",
          "audiohook-correlation-id", "x-api-key"]


def start_spacing(sessions: int) -> float:
    return min(START_SPACING, RAMP / max(sessions, 1))


class Endpoints:
    def __init__(self, argv: list) -> None:
        (self.socketio_url, self.token_url, self.audiohook_url, self.client_id,
         self.client_secret, self.api_key, self.audiohook_secret, self.wav) = argv[:8]
        self.sessions = int(argv[8])


class Run:
    """What every session adds to the report; the process figures around them."""

    def __init__(self, sessions: int) -> None:
        self.sessions = sessions
        self.lock = threading.Lock()
        self.successes = 0
        self.failures: Counter = Counter()
        self.session_seconds = 0.0
        self.setup_ms: list = []
        self.received: list = []
        self.late_frames = 0
        self.frames = 0
        self.rss_before = rss_bytes()
        self.rss_peak = self.rss_before
        self.times_before = os.times()
        self.started = time.monotonic()

    def finish_session(self, started: float, result: str | None, setup: float | None,
                       received: list) -> None:
        with self.lock:
            self.session_seconds += time.monotonic() - started
            if setup is not None:
                self.setup_ms.append((setup - started) * 1000.0)
            self.received.extend(received)
            if result == "result-success":
                self.successes += 1
            else:
                self.failures[result or "no result"] += 1

    def sample_rss(self) -> None:
        self.rss_peak = max(self.rss_peak, rss_bytes())

    def report(self, notes: list) -> dict:
        times = os.times()
        return {
            "sessions": self.sessions,
            "successes": self.successes,
            "failures": dict(self.failures),
            "cpu_seconds": (times.user + times.system
                            - self.times_before.user - self.times_before.system),
            "kernel_seconds": times.system - self.times_before.system,
            "wall_seconds": time.monotonic() - self.started,
            "session_seconds": self.session_seconds,
            "rss_growth_bytes": max(0, self.rss_peak - self.rss_before),
            "setup_ms": self.setup_ms,
            "received": self.received,
            "late_frames": self.late_frames,
            "frames": self.frames,
            "notes": notes,
        }


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def wav_data(path: str) -> bytes:
    blob = open(path, "rb").read()
    at = 12
    while blob[at:at + 4] != b"data":
        at += 8 + int.from_bytes(blob[at + 4:at + 8], "little")
    size = int.from_bytes(blob[at + 4:at + 8], "little")
    return blob[at + 8:at + 8 + size]


def initialize(call_id: str) -> dict:
    return {
        "metadata": {"audio_protocol": "audiohook", "audio_format": "raw", "audio_codec": "mulaw",
                     "sample_format": "", "sample_rate": "8000", "channels": "1",
                     "call_id": call_id},
        "register_request": {"authenticity_threshold": 0.8, "audio_total_duration": 5.0,
                             "model_hash": "<MODEL_HASH>"},
    }


def audiohook_headers(ends: Endpoints, organization: str, session: str) -> dict:
    """The AudioHook upgrade headers, signed (HTTP Message Signatures, hmac-sha256)."""
    url = urlsplit(ends.audiohook_url)
    values = [url.path + (f"?{url.query}" if url.query else ""), url.netloc, organization,
              session, str(uuid.uuid4()), ends.api_key]
    nonce = base64.b64encode(os.urandom(18)).decode()
    created = int(time.time())
    params = ("(" + " ".join(f'"{name}"' for name in SIGNED) + ")"
              f';keyid="{ends.api_key}";nonce="{nonce}";alg="hmac-sha256"'
              f";created={created};expires={created + 30}")
    base = "\n".join(f'"{name}": {value}' for name, value in zip(SIGNED, values))
    base += f'\n"@signature-params": {params}'
    mac = hmac.new(base64.b64decode(ends.audiohook_secret), base.encode(), hashlib.sha256)
    headers = dict(zip(SIGNED[2:], values[2:]))
    headers["signature-input"] = f"sig1={params}"
    headers["signature"] = f"sig1=:{base64.b64encode(mac.digest()).decode()}:"
    return headers


async def paced_frames(run: Run, audio: bytes):
    """The call's audio as it happens: 200 ms frames at their deadlines on the loop, late
    ones counted."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    for index in range(0, len(audio) // FRAME_BYTES):
        deadline = start + index * FRAME_SECONDS
        delay = deadline - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if loop.time() - deadline > LATE:
            run.late_frames += 1
        run.frames += 1
        yield audio[index * FRAME_BYTES:(index + 1) * FRAME_BYTES]


# --- python-socketio + websockets ---------------------------------------------------------

async def stream_audiohook(ends: Endpoints, run: Run, call_id: str, organization: str,
                           audio: bytes) -> None:
    from websockets.asyncio.client import connect

    session = str(uuid.uuid4())
    headers = audiohook_headers(ends, organization, session)
    async with connect(ends.audiohook_url, additional_headers=headers, compression=None,
                       open_timeout=SESSION_TIMEOUT) as ws:
        await ws.send(json.dumps({
            "version": "2", "id": session, "type": "open", "seq": 1, "serverseq": 0,
            "position": "PT0S", "parameters": {
                "organizationId": organization, "conversationId": call_id,
                "participant": {"id": str(uuid.uuid4()), "ani": "", "aniName": "", "dnis": ""},
                "media": [{"type": "audio", "format": "PCMU", "channels": ["external"],
                           "rate": 8000}]}}))
        opened = json.loads(await asyncio.wait_for(ws.recv(), SESSION_TIMEOUT))
        if opened.get("type") != "opened":
            raise RuntimeError(f"AudioHook answered {opened.get('type')}")
        async for frame in paced_frames(run, audio):
            await ws.send(frame)


async def socketio_session(ends: Endpoints, run: Run, authorization: str, organization: str,
                           audio: bytes) -> None:
    import socketio

    started = time.monotonic()
    call_id = str(uuid.uuid4())
    received: list = []
    state = {"setup": None, "streamer": None}
    result: asyncio.Future = asyncio.get_running_loop().create_future()
    sio = socketio.AsyncClient(reconnection=False)

    @sio.on("*", namespace=NAMESPACE)
    async def catch_all(event, data):
        received.append({"call_id": call_id, "seq": len(received) + 1, "event": event,
                         "unix_ns": time.time_ns()})
        if event == "info-consumer-ready":
            state["setup"] = time.monotonic()
            state["streamer"] = asyncio.ensure_future(
                stream_audiohook(ends, run, call_id, organization, audio))
        elif (event.startswith("result-") or event == "error") and not result.done():
            result.set_result(event)

    outcome = None
    try:
        await sio.connect(ends.socketio_url, headers={"Authorization": authorization},
                          namespaces=[NAMESPACE], transports=["websocket"],
                          wait_timeout=SESSION_TIMEOUT)
        await sio.emit("initialize", initialize(call_id), namespace=NAMESPACE)
        outcome = await asyncio.wait_for(result, SESSION_TIMEOUT)
    except Exception as error:  # counted as a failure by its type
        outcome = f"{type(error).__name__}: {error}"[:120]
    streamer = state["streamer"]
    if streamer is not None:
        if streamer.done() and streamer.exception() is not None:
            outcome = f"audio: {streamer.exception()!r}"[:120]
        streamer.cancel()
        await asyncio.gather(streamer, return_exceptions=True)
    run.finish_session(started, outcome, state["setup"], received)
    await sio.disconnect()


async def run_socketio(ends: Endpoints) -> dict:
    # Imported before the measurement starts.
    import aiohttp
    import socketio  # noqa: F401
    import websockets.asyncio.client  # noqa: F401

    audio = wav_data(ends.wav)
    organization = str(uuid.uuid4())
    async with aiohttp.ClientSession() as http:
        form = {"client_id": ends.client_id, "client_secret": ends.client_secret,
                "grant_type": "client_credentials"}
        async with http.post(ends.token_url, data=form) as response:
            token = await response.json()
    authorization = f"{token['token_type']} {token['access_token']}"
    # Warm-up: one session first, so one-time costs stay out of the figures (as in Rust).
    await socketio_session(ends, Run(1), authorization, organization, audio)
    run = Run(ends.sessions)

    async def delayed(index: int) -> None:
        await asyncio.sleep(index * start_spacing(ends.sessions))
        await socketio_session(ends, run, authorization, organization, audio)

    sessions = asyncio.gather(*(delayed(i) for i in range(ends.sessions)))
    while not sessions.done():
        await asyncio.wait([sessions], timeout=0.25)
        run.sample_rss()
    await sessions
    return run.report([])


# --- the das wheel ------------------------------------------------------------------------

def wheel_options(ends: Endpoints) -> dict:
    """The session options of both wheel stacks."""
    return dict(token_url=ends.token_url, client_id=ends.client_id,
                client_secret=ends.client_secret, audio_url=ends.audiohook_url,
                audio_protocol="audiohook", api_key=ends.api_key,
                client_secret_audio=ends.audiohook_secret, event_timeout=SESSION_TIMEOUT)


def record(received: list, call_id: str, event) -> bool:
    """Notes when a server event was handed over; False for the session's own events."""
    now = time.time_ns()
    if event.name in ("audio-ended", "disconnected"):
        return False  # generated locally: no emulator send time
    received.append({"call_id": call_id, "seq": len(received) + 1, "event": event.name,
                     "unix_ns": now})
    return True


def live_audio(session, run: Run, audio: bytes, stop: threading.Event) -> None:
    """The call's audio as it happens: one 200 ms frame per 200 ms, until `stop`; late ones
    counted."""
    start = time.monotonic()
    for index in range(0, (len(audio) + FRAME_BYTES - 1) // FRAME_BYTES):
        deadline = start + index * FRAME_SECONDS
        if stop.wait(max(0.0, deadline - time.monotonic())):
            return
        late = time.monotonic() - deadline > LATE
        with run.lock:
            run.frames += 1
            run.late_frames += late
        try:
            session.push_audio(audio[index * FRAME_BYTES:(index + 1) * FRAME_BYTES])
        except Exception:
            return  # the session ended
    session.end_audio()


def wheel_session(ends: Endpoints, run: Run, index: int, audio: bytes) -> None:
    import das

    time.sleep(index * start_spacing(ends.sessions))
    started = time.monotonic()
    received: list = []
    setup, outcome = None, None
    stop, pusher = threading.Event(), None
    try:
        with das.RegisterSession(ends.socketio_url, **wheel_options(ends)) as session:
            call_id = session.call_id
            for event in session.events():
                if not record(received, call_id, event):
                    continue
                if event.name == "info-consumer-ready":
                    setup = time.monotonic()
                    pusher = threading.Thread(target=live_audio,
                                              args=(session, run, audio, stop))
                    pusher.start()
                if event.is_result or event.name == "error":
                    outcome = event.name
                    break
            stop.set()
            if pusher is not None:
                pusher.join()
    except Exception as error:
        outcome = f"{type(error).__name__}: {error}"[:120]
    stop.set()
    run.finish_session(started, outcome, setup, received)


def run_wheel(ends: Endpoints) -> dict:
    # Warm-up: one session first, so one-time costs stay out of the figures (as in Rust).
    audio = wav_data(ends.wav)
    wheel_session(ends, Run(1), 0, audio)
    run = Run(ends.sessions)
    threads = [threading.Thread(target=wheel_session, args=(ends, run, i, audio))
               for i in range(ends.sessions)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        threads[-1].join(0.25)
        run.sample_rss()
    for thread in threads:
        thread.join()
    return run.report([])


# --- the das wheel on asyncio -------------------------------------------------------------

async def paced_audio(session, run: Run, audio: bytes) -> None:
    """The call's audio, paced on the loop as the `socketio` stack paces it."""
    async for frame in paced_frames(run, audio):
        try:
            await session.push_audio(frame)
        except Exception:
            return  # the session ended
    await session.end_audio()


async def wheel_asyncio_session(ends: Endpoints, run: Run, index: int, audio: bytes) -> None:
    import das

    await asyncio.sleep(index * start_spacing(ends.sessions))
    started = time.monotonic()
    received: list = []
    setup, outcome, pusher = None, None, None
    try:
        async with das.AsyncRegisterSession(ends.socketio_url, **wheel_options(ends)) as session:
            call_id = session.call_id
            async for event in session:
                if not record(received, call_id, event):
                    continue
                if event.name == "info-consumer-ready":
                    setup = time.monotonic()
                    pusher = asyncio.ensure_future(paced_audio(session, run, audio))
                if event.is_result or event.name == "error":
                    outcome = event.name
                    break
            if pusher is not None:
                pusher.cancel()
                await asyncio.gather(pusher, return_exceptions=True)
    except Exception as error:
        outcome = f"{type(error).__name__}: {error}"[:120]
    run.finish_session(started, outcome, setup, received)


async def run_wheel_asyncio(ends: Endpoints) -> dict:
    # Warm-up: one session first, so one-time costs stay out of the figures (as in Rust).
    audio = wav_data(ends.wav)
    await wheel_asyncio_session(ends, Run(1), 0, audio)
    run = Run(ends.sessions)
    sessions = asyncio.gather(*(wheel_asyncio_session(ends, run, i, audio)
                                for i in range(ends.sessions)))
    while not sessions.done():
        await asyncio.wait([sessions], timeout=0.25)
        run.sample_rss()
    await sessions
    return run.report([])


def main() -> None:
    stack, ends = sys.argv[1], Endpoints(sys.argv[2:])
    if stack == "socketio":
        report = asyncio.run(run_socketio(ends))
    elif stack == "wheel":
        report = run_wheel(ends)
    elif stack == "wheel-asyncio":
        report = asyncio.run(run_wheel_asyncio(ends))
    elif stack == "wheel-driven":
        import das

        report = das.run(run_wheel_asyncio(ends))
    else:
        raise SystemExit(
            f"unknown stack {stack!r}: socketio, wheel, wheel-asyncio or wheel-driven")
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
