"""Typed, attribute-access views of a parsed TRD result document. Each class names the fields
the Rust parser knows; absent optional fields read as ``None``; unknown keys stay in
``.extra``; ``to_dict()``/``to_json()`` give the document back.

A record wraps a view into the typed tree the Rust parser built (shared, immutable): attribute
values are built when read, and lists of records are lazy read-only sequences."""

from __future__ import annotations

import abc
import collections.abc
import json
from typing import TYPE_CHECKING, Any, ClassVar, Dict, List, Optional, Sequence, Tuple, Union, cast

from .. import _native

# Lists of records are native lazy sequences; this makes isinstance(x, Sequence) hold.
# (Type checkers see Sequence as a generic alias, not the ABC it is at run time.)
cast(abc.ABCMeta, collections.abc.Sequence).register(_native.TrdList)


__all__ = ["Record", "JobResult", "Job", "Media", "MediaInput", "MediaOutput", "OutputChannel",
           "DtmfTone", "Segment", "Alternative", "Word"]

class Record:
    """Base of the typed views: wraps one JSON object of the normalised document."""

    _fields: ClassVar[Tuple[str, ...]] = ()
    _nested: ClassVar[Dict[str, type]] = {}
    _lists: ClassVar[Dict[str, type]] = {}

    __slots__ = ("_data",)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Each field becomes a native descriptor reading the view (see `trd_record.rs`).
        super().__init_subclass__(**kwargs)
        for name in cls._fields:
            setattr(cls, name, _native.TrdField(name, cls._nested.get(name) or cls._lists.get(name)))

    def __init__(self, data: Union[Dict[str, Any], _native.TrdView]) -> None:
        """``data``: plain JSON data of this record (checked against the parser's schema,
        raising ``das.InvalidArgument``), or a view the parser made."""
        if not isinstance(data, _native.TrdView):
            data = _native.TrdView.from_data(type(self).__name__, data)
        self._data = data

    if not TYPE_CHECKING:
        # Only reached for names that are not fields (those are descriptors on the class).
        # Hidden from type checkers, so a misspelled attribute stays a type error.
        def __getattr__(self, name: str) -> Any:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}")

    @property
    def extra(self) -> Dict[str, Any]:
        """Keys the parser does not know, as received."""
        return self._data.extra()

    def to_dict(self) -> Dict[str, Any]:
        """The object as plain JSON data (a copy)."""
        return self._data.to_dict()  # type: ignore[no-any-return]

    def to_json(self, indent: Optional[int] = None) -> str:
        return json.dumps(self._data.to_dict(), ensure_ascii=False, indent=indent)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._data == other._data  # type: ignore[attr-defined]

    def __reduce__(self) -> Tuple[type, Tuple[Dict[str, Any]]]:
        return type(self), (self.to_dict(),)

    def __repr__(self) -> str:
        data = self._data.to_dict()
        shown = {k: data[k] for k in type(self)._fields[:3] if k in data}
        return f"{type(self).__name__}({shown})"


class Word(Record):
    _fields = ("text", "score", "start_time", "end_time")
    text: str
    score: Optional[float]
    start_time: float
    end_time: float


class Alternative(Record):
    _fields = ("text", "words", "score", "lm")
    _lists = {"words": Word}
    text: Optional[str]
    words: Optional[Sequence[Word]]
    score: Optional[float]
    lm: Optional[str]


class Segment(Record):
    _fields = ("channel", "speaker", "start", "end", "status", "alternatives", "task_results")
    _lists = {"alternatives": Alternative}
    channel: int
    speaker: Optional[str]
    start: float
    end: float
    status: Optional[str]
    alternatives: Optional[Sequence[Alternative]]
    task_results: Optional[Any]

    @property
    def text(self) -> Optional[str]:
        """The best alternative's text."""
        alternatives = self.alternatives
        return alternatives[0].text if alternatives else None


class DtmfTone(Record):
    _fields = ("start", "end", "row_freq", "col_freq", "value")
    start: Optional[float]
    end: Optional[float]
    row_freq: Optional[int]
    col_freq: Optional[int]
    value: Optional[str]


class OutputChannel(Record):
    _fields = ("channel", "duration", "speech", "silence", "bandwidth", "dtmf")
    _lists = {"dtmf": DtmfTone}
    channel: int
    duration: Optional[float]
    speech: Optional[float]
    silence: Optional[bool]
    bandwidth: Optional[float]
    dtmf: Optional[Sequence[DtmfTone]]


class MediaInput(Record):
    _fields = ("sample_rate", "channels", "bit_rate", "format", "codec", "bandwidth")
    sample_rate: Optional[int]
    channels: Optional[int]
    bit_rate: Optional[int]
    format: Optional[str]
    codec: Optional[str]
    bandwidth: Optional[float]


class MediaOutput(Record):
    _fields = ("redundant_channel", "channels")
    _lists = {"channels": OutputChannel}
    redundant_channel: Optional[bool]
    channels: Optional[Sequence[OutputChannel]]


class Media(Record):
    _fields = ("md5", "size", "input", "output")
    _nested = {"input": MediaInput, "output": MediaOutput}
    md5: Optional[str]
    size: Optional[int]
    input: Optional[MediaInput]
    output: Optional[MediaOutput]


class Job(Record):
    _fields = ("id", "filename", "status", "created_at", "started_at", "diarized_at",
               "completed_at", "tag", "callback_urls", "callback_failure_reason",
               "failure_reason", "media", "config")
    _nested = {"media": Media}
    id: str
    filename: Optional[str]
    #: Open set: ``QUEUED``, ``PROCESSING``, ``COMPLETED``, ``FAILED``, or any new value.
    status: str
    created_at: Optional[str]
    started_at: Optional[str]
    diarized_at: Optional[str]
    completed_at: Optional[str]
    tag: Optional[str]
    callback_urls: Optional[List[str]]
    callback_failure_reason: Optional[str]
    failure_reason: Optional[str]
    media: Optional[Media]
    config: Optional[Any]


class JobResult(Record):
    """The whole result document: ``job``, ``segments`` and the shared ``token``."""

    _fields = ("job", "segments", "token")
    _nested = {"job": Job}
    _lists = {"segments": Segment}
    job: Job
    segments: Optional[Sequence[Segment]]
    token: Optional[str]

    def __repr__(self) -> str:
        # The token is a secret: never shown.
        # A job without a result (not finished, FAILED) has no segments at all: None, not 0.
        segments = self.segments
        count = None if segments is None else len(segments)
        return f"JobResult(job={self.job!r}, segments={count})"

    @property
    def transcript(self) -> str:
        """Every segment's best text, in order, one line each."""
        return "\n".join(s.text or "" for s in self.segments or [])
