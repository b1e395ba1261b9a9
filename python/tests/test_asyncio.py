"""asyncio flavours: AsyncClient and AsyncRegisterSession never block the loop; a session's
events reach the loop through its wake-up descriptor, not through worker threads."""

from __future__ import annotations

import asyncio
import concurrent.futures
import select
from typing import Any, Callable, List

import pytest

import das
from test_emulator import SPEAKER_A, credentials

AUTH = {"Authorization": "Bearer test"}
REGISTER = "/socket.io/register"


def test_async_client_runs_the_example_flow(sio_url: str) -> None:
    async def main() -> list:
        sio = das.AsyncClient(reconnection=False)
        seen: list = []
        done = asyncio.Event()

        @sio.on("*", namespace=REGISTER)
        async def catch_all(event: str, data: dict) -> None:
            seen.append(event)
            if event == "result-success":
                done.set()

        @sio.on("question")
        def question(data: dict) -> str:
            return "sync handler ran on the loop"

        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0.005)

        task = asyncio.ensure_future(ticker())
        await sio.connect(sio_url, headers=AUTH, namespaces=["/", REGISTER],
                          transports=["websocket"])
        assert await sio.call("echo", (1, 2)) == (1, 2)
        await sio.emit("initialize", {"register_request": {}}, namespace=REGISTER)
        await asyncio.wait_for(done.wait(), 10)
        await sio.disconnect()
        await sio.wait()
        await task
        assert ticks > 0 and not sio.connected
        return seen

    seen = asyncio.run(main())
    assert seen[-1] == "result-success" and "info-consumer-ready" in seen


def test_async_session_iterates_events(sio_url: str) -> None:
    async def main() -> list:
        async with das.AsyncRegisterSession(sio_url, authorization="Bearer t") as session:
            names = [event.name async for event in session]
            assert session.result is not None and session.result.name == "result-success"
            return names

    names = asyncio.run(main())
    assert names[-1] == "result-success"


def test_async_errors_are_the_same_types(sio_url: str) -> None:
    async def main() -> None:
        sio = das.AsyncClient()
        try:
            await sio.connect(sio_url, headers={"Authorization": "nope"})
        except das.ConnectRefused:
            return
        raise AssertionError("connect should have been refused")

    asyncio.run(main())


FRAME = 1600  # 200 ms of 8 kHz µ-law


def speaker_a_frames() -> List[bytes]:
    """samples/speaker-a.wav's µ-law samples in 200 ms frames."""
    blob = SPEAKER_A.read_bytes()
    at = 12
    while blob[at:at + 4] != b"data":
        at += 8 + int.from_bytes(blob[at + 4:at + 8], "little")
    data = blob[at + 8:at + 8 + int.from_bytes(blob[at + 4:at + 8], "little")]
    return [data[i:i + FRAME] for i in range(0, len(data), FRAME)]


class CountingExecutor(concurrent.futures.ThreadPoolExecutor):
    """The loop's default executor, counting what is handed to its threads."""

    submitted = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        self.submitted += 1
        return super().submit(fn, *args, **kwargs)


def readable(fd: int) -> bool:
    return bool(select.select([fd], [], [], 0)[0])


def test_async_session_events_and_audio_take_no_worker_thread(emulator: das.Emulator) -> None:
    frames = speaker_a_frames()

    async def main() -> "tuple[list, int]":
        executor = CountingExecutor(max_workers=2)
        asyncio.get_running_loop().set_default_executor(executor)
        names = []
        async with das.AsyncRegisterSession(emulator.socketio_url,
                                            **credentials(emulator)) as session:
            async for event in session:
                names.append(event.name)
                if event.name == "info-consumer-ready":
                    for frame in frames:
                        await session.push_audio(frame)
                    await session.end_audio()
        return names, executor.submitted

    names, submitted = asyncio.run(main())
    assert names[0] == "info-consumer-ready" and names[-1] == "result-success"
    assert names.count("info-vad-status") >= 3
    # start and close; not one per event nor per frame (len(frames) pushes).
    assert submitted <= 2 < len(names)


def test_a_cancelled_or_timed_out_wait_loses_nothing_and_stops_watching(
        emulator: das.Emulator) -> None:
    frames = speaker_a_frames()

    async def main() -> list:
        loop = asyncio.get_running_loop()
        async with das.AsyncRegisterSession(emulator.socketio_url,
                                            **credentials(emulator)) as session:
            fd = session._session._session().fileno()
            assert (await session.__anext__()).name == "info-consumer-ready"
            attached = await session.__anext__()  # the audio channel is there, no audio yet
            assert attached.name == "info-vad-status" and attached.audio_seconds == 0
            # Nothing more comes until audio is pushed.
            waiter = asyncio.ensure_future(session.__anext__())
            await asyncio.sleep(0.2)
            assert not waiter.done()
            waiter.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiter
            assert not loop.remove_reader(fd), "the cancelled wait left its reader"
            with pytest.raises(das.TimeoutError):
                await session.wait_result(timeout=0.1)
            assert not loop.remove_reader(fd), "the timed-out wait left its reader"
            for frame in frames:
                await session.push_audio(frame)
            await session.end_audio()
            rest = [event async for event in session]
            assert not loop.remove_reader(fd)
        return rest

    rest = asyncio.run(main())
    assert rest[-1].name == "result-success"
    # Statuses come every 0.5 s of audio: the first one (0.5) is there, and none is missing.
    seconds = [event.audio_seconds for event in rest if event.name == "info-vad-status"]
    assert seconds == [0.5 * (i + 1) for i in range(len(seconds))] and len(seconds) >= 3


def test_an_async_session_not_started_says_so(sio_url: str) -> None:
    async def main() -> None:
        session = das.AsyncRegisterSession(sio_url, authorization="Bearer t")
        with pytest.raises(das.Closed, match="not started"):
            await session.__anext__()
        await session.start()
        try:
            assert (await session.__anext__()).name == "welcome"
        finally:
            await session.close()

    asyncio.run(main())


def test_the_wake_descriptor_follows_what_is_pending(sio_url: str) -> None:
    session = das.RegisterSession(sio_url, authorization="Bearer t").start()
    fd = session.fileno()
    assert session.fileno() == fd
    names = []
    while "result-success" not in names:
        assert select.select([fd], [], [], 10)[0], "an event is on its way"
        while (event := session.next_event_nowait()) is not None:
            names.append(event.name)
    # The peer sends nothing after the result: drained, the descriptor is quiet.
    assert names[-1] == "result-success" and "info-vad-status" in names
    assert session.result is not None and session.result.name == "result-success"
    assert session.next_event_nowait() is None and not readable(fd)
    session.close()
    assert readable(fd), "the end is pending"
    with pytest.raises(das.Closed):
        while session.next_event_nowait() is not None:
            pass
    assert readable(fd), "the end stays readable"
    with pytest.raises(das.Closed):
        session.next_event_nowait()
    with pytest.raises(das.Closed):
        session._session().next_event(1.0)
