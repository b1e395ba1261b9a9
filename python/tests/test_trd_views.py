"""The lazy views of das.trd: sequences of records built on access, sharing one parsed tree."""

from __future__ import annotations

import collections.abc
import gc
import json
import pickle

import pytest

import das
from conftest import FIXTURES

STEREO = FIXTURES / "trd" / "completed_stereo_two_channels.json"


@pytest.fixture
def body() -> bytes:
    return STEREO.read_bytes()


def test_segments_index_like_a_list(body: bytes) -> None:
    result = das.trd.parse_webhook(body)
    plain = json.loads(body)["segments"]
    segments = result.segments
    assert len(segments) == len(plain) >= 2
    assert isinstance(segments, collections.abc.Sequence)
    assert segments[0].to_dict() == plain[0]
    assert segments[-1].to_dict() == plain[-1]
    assert segments[-len(plain)] == segments[0]
    with pytest.raises(IndexError):
        segments[len(plain)]
    with pytest.raises(IndexError):
        segments[-len(plain) - 1]
    with pytest.raises(TypeError):
        segments["0"]  # type: ignore[call-overload]


def test_slices_are_lists_of_records(body: bytes) -> None:
    segments = das.trd.parse_webhook(body).segments
    plain = json.loads(body)["segments"]
    for key in (slice(None), slice(1, None), slice(None, None, -1), slice(0, 100, 2),
                slice(-2, None), slice(5, 1)):
        part = segments[key]
        assert isinstance(part, list)
        assert [s.to_dict() for s in part] == plain[key]


def test_iteration_builds_each_record_in_order(body: bytes) -> None:
    result = das.trd.parse_webhook(body)
    plain = json.loads(body)["segments"]
    seen = [s.to_dict() for s in result.segments]
    assert seen == plain
    assert all(isinstance(s, das.trd.Segment) for s in result.segments)
    words = [w.text for s in result.segments for a in s.alternatives or () for w in a.words or ()]
    assert words == [w["text"] for s in plain for a in s.get("alternatives", ())
                     for w in a.get("words", ())]
    it = iter(result.segments)
    assert iter(it) is it
    assert list(reversed(result.segments)) == list(result.segments)[::-1]


def test_equality_and_repr(body: bytes) -> None:
    first, second = das.trd.parse_webhook(body), das.trd.parse_webhook(body)
    assert first.segments == second.segments
    assert first.segments == list(second.segments)
    assert first.segments != list(second.segments)[1:]
    assert first.segments != first.segments[0].alternatives
    assert first.segments != "segments"
    assert first.segments[0] in second.segments
    assert repr(first.segments) == repr(list(first.segments))
    assert repr(first.segments[0]).startswith("Segment({'channel': ")
    assert first.segments[0] != first.segments[0].to_dict()


def test_records_outlive_the_parse_result(body: bytes) -> None:
    result = das.trd.parse_webhook(body)
    expected = json.loads(body)
    segments, media = result.segments, result.job.media
    word = result.segments[0].alternatives[0].words[0]
    del result
    gc.collect()
    assert word.to_dict() == expected["segments"][0]["alternatives"][0]["words"][0]
    assert media.output.channels[1].channel == 2
    assert [s.to_dict() for s in segments] == expected["segments"]


def test_records_from_plain_data_and_pickle(body: bytes) -> None:
    result = das.trd.parse_webhook(body)
    word = result.segments[0].alternatives[0].words[0]
    assert das.trd.Word(word.to_dict()) == word
    assert das.trd.JobResult(result.to_dict()) == result
    assert pickle.loads(pickle.dumps(result)) == result
    with pytest.raises(das.InvalidArgument):
        das.trd.Word({"text": 5})


def test_to_json_matches_json_dumps(body: bytes) -> None:
    result = das.trd.parse_webhook(body)
    assert result.to_json() == json.dumps(result.to_dict(), ensure_ascii=False)
    assert result.to_json(indent=2) == json.dumps(result.to_dict(), ensure_ascii=False, indent=2)
    assert result.to_dict() is not result.to_dict()


def test_fields_are_read_only_and_unknown_names_say_so(body: bytes) -> None:
    result = das.trd.parse_webhook(body)
    segment = result.segments[0]
    word = segment.alternatives[0].words[0]
    assert word.text == json.loads(body)["segments"][0]["alternatives"][0]["words"][0]["text"]
    with pytest.raises(AttributeError, match="read-only"):
        word.text = "changed"  # type: ignore[misc]
    with pytest.raises(AttributeError, match="Word has no field 'txt'"):
        word.txt  # type: ignore[attr-defined]  # noqa: B018
    # Read from the class, a field is its descriptor; records made from plain data read the same.
    assert isinstance(das.trd.Word.text, das._native.TrdField)
    assert das.trd.Word(word.to_dict()).text == word.text
