"""Misuse a type checker must report: test_typing.py runs mypy --strict and pyright on this
file and expects an error on exactly the lines marked ``expect-error`` (no more, no less)."""

from __future__ import annotations

import das
import das.trd

URL = "http://127.0.0.1:8080/socket.io"

das.RegisterSession(URL, realtim=False)  # expect-error: a misspelled option
das.AsyncRegisterSession(URL, audio_urll="ws://127.0.0.1/audiohook")  # expect-error
das.AsyncVerifySession(URL, "CREDENTIAL", sample_rate="8000")  # expect-error: not an int
das.VerifySession(URL)  # expect-error: no credential


def misspelled_field(word: das.trd.Word) -> object:
    return word.txt  # expect-error: Word has no such field


def vad(event: das.Event) -> int:
    return event.vad_percentage  # expect-error: Optional[float], not int


sio = das.Client()


@sio.on("connect")
def connect() -> None:
    print("connected")


@sio.event
def reply(text: str) -> str:
    return text


connect("unexpected")  # expect-error: the decorated function keeps its signature
len(reply("x")) + reply("y")  # expect-error: it returns str
