"""Scenarios on das's caller-driven asyncio loop, one per interpreter: the mode is
process-wide, so test_driven_loop.py runs each here in a subprocess of its own
(``python driven_scenarios.py NAME``, the emulator's endpoints in ``DAS_TEST_EMULATOR``,
the python-socketio peer's URL in ``DAS_TEST_SIO_URL``). A scenario passes by exiting 0."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import threading
import time
import types
from typing import Any, Callable, Dict, List

import das
import das.event_loop
from test_asyncio import speaker_a_frames
from test_emulator import SPEAKER_A, credentials

SCENARIOS: Dict[str, Callable[[], None]] = {}
# Every wait below is bounded: a deadlock fails the scenario instead of hanging it.
BOUND = 30.0


def scenario(fn: Callable[[], None]) -> Callable[[], None]:
    SCENARIOS[fn.__name__] = fn
    return fn


def emulator() -> Any:
    return types.SimpleNamespace(**json.loads(os.environ["DAS_TEST_EMULATOR"]))


def thread_names() -> List[str]:
    """The kernel's names of this process's threads (native threads included)."""
    names = []
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/comm") as comm:
            names.append(comm.read().strip())
    return names


def libdas_threads() -> List[str]:
    return [name for name in thread_names() if name.startswith(("das-runtime", "tokio"))]


async def register(frames: List[bytes]) -> str:
    """One session streaming ``frames`` without waiting; the name of its last event."""
    em = emulator()
    names = []
    async with das.AsyncRegisterSession(em.socketio_url, **credentials(em)) as session:
        async for event in session:
            names.append(event.name)
            if event.name == "info-consumer-ready":
                for frame in frames:
                    try:
                        await session.push_audio(frame)
                    except das.Closed:
                        break  # the emulator had heard enough: it ended the audio
                    # A loop turn per frame: libdas sends as the program pushes.
                    await asyncio.sleep(0)
                await session.end_audio()
    assert session.result is not None, names
    return names[-1]


@scenario
def sessions() -> None:
    """Several sessions at once reach their result on the driven loop, with no libdas thread."""
    async def main() -> List[str]:
        frames = speaker_a_frames()
        run = asyncio.gather(*(register(frames) for _ in range(4)))
        await asyncio.sleep(0.05)
        # While the sessions stream.
        assert libdas_threads() == [], thread_names()
        return await asyncio.wait_for(run, BOUND)

    assert das.run(main()) == ["result-success"] * 4
    assert libdas_threads() == [], thread_names()


@scenario
def sessions_default_mode() -> None:
    """The control of ``sessions``: on asyncio's own loop a libdas thread runs them."""
    async def main() -> str:
        return await asyncio.wait_for(register(speaker_a_frames()), BOUND)

    assert asyncio.run(main()) == "result-success"
    assert libdas_threads() == ["das-runtime"], thread_names()


async def echo_round_trips(port: int, count: int) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for i in range(count):
            writer.write(b"%d\n" % i)
            assert await reader.readline() == b"%d\n" % i
    finally:
        writer.close()
        await writer.wait_closed()
    return count


@scenario
def asyncio_alongside() -> None:
    """asyncio's timers and another socket keep working while libdas is idle and while
    sessions stream."""
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while line := await reader.readline():
            writer.write(line)
        writer.close()

    async def ticks(period: float, until: asyncio.Future[Any]) -> int:
        count = 0
        while not until.done():
            await asyncio.sleep(period)
            count += 1
        return count

    async def main() -> None:
        server = await asyncio.start_server(echo, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        # Idle: no session yet, but the runtime was started by the loop's first wait.
        started = time.monotonic()
        await asyncio.wait_for(asyncio.sleep(0.2), BOUND)
        assert time.monotonic() - started >= 0.2
        assert await asyncio.wait_for(echo_round_trips(port, 20), BOUND) == 20
        # Streaming: timers and the echo socket share the loop with four sessions.
        sessions = asyncio.ensure_future(
            asyncio.gather(*(register(speaker_a_frames()) for _ in range(4))))
        ticker = asyncio.ensure_future(ticks(0.01, sessions))
        echoed = 0
        while not sessions.done():
            echoed += await asyncio.wait_for(echo_round_trips(port, 5), BOUND)
        assert await asyncio.wait_for(sessions, BOUND) == ["result-success"] * 4
        assert await asyncio.wait_for(ticker, BOUND) > 0 and echoed > 0
        server.close()
        await server.wait_closed()

    das.run(main())


@scenario
def executor_calls() -> None:
    """start, push_wav, push_audio(wait=True) and close (worker-thread calls, which take turns
    with the loop's thread at driving libdas) neither deadlock nor stall the loop."""
    async def one(index: int) -> str:
        em = emulator()
        session = das.AsyncRegisterSession(em.socketio_url, **credentials(em))
        await asyncio.wait_for(session.start(), BOUND)
        try:
            if index % 2:
                await asyncio.wait_for(session.push_wav(SPEAKER_A), BOUND)
            else:
                for frame in speaker_a_frames():
                    try:
                        await asyncio.wait_for(session.push_audio(frame, wait=True), BOUND)
                    except das.Closed:
                        break  # the emulator had heard enough: it ended the audio
            await session.end_audio()
            result = await asyncio.wait_for(session.wait_result(), BOUND)
            assert result is not None
            return result.name
        finally:
            await asyncio.wait_for(session.close(), BOUND)

    async def main() -> List[str]:
        return await asyncio.gather(*(one(i) for i in range(4)))

    assert das.run(main()) == ["result-success"] * 4
    assert libdas_threads() == [], thread_names()


@scenario
def async_client() -> None:
    """das.AsyncClient (worker threads that block in libdas) works unchanged on the loop."""
    async def main() -> List[str]:
        sio = das.AsyncClient(reconnection=False)
        seen: List[str] = []
        done = asyncio.Event()

        @sio.on("*", namespace="/socket.io/register")
        async def catch_all(event: str, data: Any) -> None:
            seen.append(event)
            if event == "result-success":
                done.set()

        await asyncio.wait_for(
            sio.connect(os.environ["DAS_TEST_SIO_URL"], headers={"Authorization": "Bearer t"},
                        namespaces=["/", "/socket.io/register"], transports=["websocket"]),
            BOUND)
        assert await asyncio.wait_for(sio.call("echo", (1, 2)), BOUND) == (1, 2)
        await sio.emit("initialize", {"register_request": {}}, namespace="/socket.io/register")
        await asyncio.wait_for(done.wait(), BOUND)
        await asyncio.wait_for(sio.disconnect(), BOUND)
        return seen

    assert das.run(main())[-1] == "result-success"
    assert libdas_threads() == [], thread_names()


@scenario
def blocking_calls_drive() -> None:
    """In caller-driven mode, a plain RegisterSession outside any loop runs libdas inside its
    own blocking calls."""
    das.event_loop.new_event_loop().close()
    em = emulator()
    with das.RegisterSession(em.socketio_url, **credentials(em)) as session:
        session.push_wav(SPEAKER_A)
        session.end_audio()
        result = session.wait_result(timeout=BOUND)
    assert result is not None and result.name == "result-success"
    assert libdas_threads() == [], thread_names()


@scenario
def asked_too_late() -> None:
    """Caller-driven mode cannot be asked for once libdas runs on its own thread."""
    em = emulator()
    with das.RegisterSession(em.socketio_url, **credentials(em)):
        pass
    try:
        das.new_event_loop()
    except das.AlreadyStarted as error:
        assert "caller-driven" in str(error)
    else:
        raise AssertionError("new_event_loop() should have raised AlreadyStarted")


@scenario
def ctrl_c() -> None:
    """Ctrl-C interrupts das.run while the loop waits inside libdas, as it does asyncio.run."""
    threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
    started = time.monotonic()
    try:
        das.run(asyncio.sleep(BOUND))
    except KeyboardInterrupt:
        assert time.monotonic() - started < BOUND
    else:
        raise AssertionError("SIGINT should have raised KeyboardInterrupt")


@scenario
def bad_descriptors() -> None:
    """run() refuses a descriptor it cannot wait on, with a typed error."""
    from das import _native

    _native.caller_driven()
    with open(__file__) as regular:  # epoll cannot watch a regular file
        for fd in (-1, regular.fileno()):
            try:
                _native.run(0.01, fd)
            except das.InvalidArgument:
                continue
            raise AssertionError(f"run() should have refused descriptor {fd}")


@scenario
def run_without_runner() -> None:
    """The das.run of Python 3.9 and 3.10 (no asyncio.Runner): result, then clean-up."""
    async def main() -> str:
        leftover = asyncio.ensure_future(asyncio.sleep(BOUND))
        result = await asyncio.wait_for(register(speaker_a_frames()), BOUND)
        return "left" if leftover.done() else result

    assert das.event_loop._run_without_runner(main(), None) == "result-success"


if __name__ == "__main__":
    SCENARIOS[sys.argv[1]]()
