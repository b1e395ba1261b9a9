"""asyncio flavours: AsyncClient and AsyncRegisterSession never block the loop."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import das

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


def test_asyncio_loads_only_when_an_async_flavour_is_used() -> None:
    probe = (
        "import sys, das; assert 'asyncio' not in sys.modules, 'import das loaded asyncio'; "
        "das.AsyncClient; assert 'asyncio' in sys.modules; "
        "from das import AsyncRegisterSession, AsyncVerifySession"
    )
    subprocess.run([sys.executable, "-c", probe], check=True, timeout=60)
    try:
        das.NoSuchThing  # type: ignore[attr-defined]
    except AttributeError as error:
        assert "NoSuchThing" in str(error)
    else:
        raise AssertionError("unknown attributes must raise AttributeError")
