# pyright: strict
"""Typed use of the das API: mypy --strict and pyright (strict) must accept this file, and
each assert_type states what a type checker infers (test_typing.py runs both)."""

from __future__ import annotations

import selectors
from typing import Any, Dict, List, Optional, Sequence, assert_type

import das
import das.exceptions
import das.trd

sio = das.Client(reconnection=False)


@sio.on("*", namespace="/socket.io/register")
def catch_all(event: str, data: Dict[str, Any]) -> None:
    print(event, data)


@sio.event
def connect() -> None:
    print("connected")


@sio.event(namespace="/chat")
def message(text: str) -> str:
    return text


# The decorators hand back the function itself, with its type (an untyped decorator would
# make mypy --strict report "Untyped decorator makes function untyped").
assert_type(message("hi"), str)
catch_all("info-consumer-ready", {})


def on_error(data: Any) -> None:
    print(data)


assert_type(sio.on("connect_error", on_error), None)

async_sio = das.AsyncClient()


@async_sio.on("connect")
async def async_connect() -> None:
    print("connected")



def register(url: str, wav: str) -> Optional[str]:
    with das.RegisterSession(url, authorization="Bearer t", model_hash="<MODEL_HASH>",
                             audio_url="ws://127.0.0.1/audiohook", realtime=False,
                             sample_rate=8000) as session:
        assert_type(session, das.RegisterSession)
        session.push_wav(wav)
        session.end_audio()
        for event in session.events():
            assert_type(event, das.Event)
            assert_type(event.vad_percentage, Optional[float])
            assert_type(event.credential, Optional[str])
    result = session.result
    return result.credential if result is not None else None


def drain(session: das.RegisterSession, selector: selectors.BaseSelector) -> List[das.Event]:
    """A selector loop's turn: the events pending once the session's descriptor is ready."""
    selector.register(session.fileno(), selectors.EVENT_READ)
    selector.select(1.0)
    selector.unregister(session.fileno())
    events: List[das.Event] = []
    while (event := session.next_event_nowait()) is not None:
        assert_type(event, das.Event)
        events.append(event)
    return events


async def verify(url: str, credential: str) -> Optional[float]:
    async with das.AsyncVerifySession(url, credential, authorization="Bearer t",
                                      event_timeout=10.0) as session:
        assert_type(session, das.AsyncVerifySession)
        result = await session.wait_result()
    return result.score if result is not None else None


def transcript(body: bytes) -> str:
    result = das.trd.parse_webhook(body)
    assert_type(result.segments, Optional[Sequence[das.trd.Segment]])
    assert_type(result.job.status, str)
    return result.transcript


def refused(error: das.exceptions.ConnectionRefusedError) -> Any:
    assert_type(error.error_args, Any)
    return error.namespace
