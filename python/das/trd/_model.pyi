from collections.abc import Sequence
from typing import Any

from .. import _native

__all__ = ['Record', 'JobResult', 'Job', 'Media', 'MediaInput', 'MediaOutput', 'OutputChannel', 'DtmfTone', 'Segment', 'Alternative', 'Word']

class Record:
    def __init__(self, data: dict[str, Any] | _native.TrdView) -> None: ...
    def __getattr__(self, name: str) -> Any: ...
    @property
    def extra(self) -> dict[str, Any]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self, indent: int | None = None) -> str: ...
    def __eq__(self, other: object) -> bool: ...
    def __reduce__(self) -> tuple[type, tuple[dict[str, Any]]]: ...

class Word(Record):
    text: str
    score: float | None
    start_time: float
    end_time: float

class Alternative(Record):
    text: str | None
    words: Sequence[Word] | None
    score: float | None
    lm: str | None

class Segment(Record):
    channel: int
    speaker: str | None
    start: float
    end: float
    status: str | None
    alternatives: Sequence[Alternative] | None
    task_results: Any | None
    @property
    def text(self) -> str | None: ...

class DtmfTone(Record):
    start: float | None
    end: float | None
    row_freq: int | None
    col_freq: int | None
    value: str | None

class OutputChannel(Record):
    channel: int
    duration: float | None
    speech: float | None
    silence: bool | None
    bandwidth: float | None
    dtmf: Sequence[DtmfTone] | None

class MediaInput(Record):
    sample_rate: int | None
    channels: int | None
    bit_rate: int | None
    format: str | None
    codec: str | None
    bandwidth: float | None

class MediaOutput(Record):
    redundant_channel: bool | None
    channels: Sequence[OutputChannel] | None

class Media(Record):
    md5: str | None
    size: int | None
    input: MediaInput | None
    output: MediaOutput | None

class Job(Record):
    id: str
    filename: str | None
    status: str
    created_at: str | None
    started_at: str | None
    diarized_at: str | None
    completed_at: str | None
    tag: str | None
    callback_urls: list[str] | None
    callback_failure_reason: str | None
    failure_reason: str | None
    media: Media | None
    config: Any | None

class JobResult(Record):
    job: Job
    segments: Sequence[Segment] | None
    token: str | None
    @property
    def transcript(self) -> str: ...
