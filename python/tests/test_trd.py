"""das.trd against the TRD fixtures shared with the Rust tests."""

from __future__ import annotations

import json

import pytest

import das
from conftest import FIXTURES

TRD = FIXTURES / "trd"
DOCUMENTS = sorted(p for p in TRD.glob("*.json") if p.name != "queued_create_response.json")


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
def test_every_fixture_parses_and_round_trips(path) -> None:
    body = path.read_bytes()
    result = das.trd.parse_webhook(body)
    assert result.job.id and isinstance(result.job.status, str)
    again = das.trd.parse_webhook(result.to_json())
    assert again == result and again.to_dict() == result.to_dict()
    assert das.trd.parse_webhook(body.decode()) == result


def test_typed_access() -> None:
    result = das.trd.parse_webhook((TRD / "completed_stereo_two_channels.json").read_bytes())
    assert result.job.status == "COMPLETED"
    segment = result.segments[0]
    assert isinstance(segment, das.trd.Segment) and segment.end >= segment.start
    assert segment.text == segment.alternatives[0].text
    assert result.job.media.output.channels[0].channel == 1
    assert result.transcript.count("\n") == len(result.segments) - 1
    assert result.token not in repr(result)


def test_unknown_fields_are_kept() -> None:
    body = (TRD / "robust_unknown_fields.json").read_bytes()
    result = das.trd.parse_webhook(body)
    original = json.loads(body)
    unknown = set(original["job"]) - set(das.trd.Job._fields)
    assert unknown and unknown <= set(result.job.extra)


@pytest.mark.parametrize("body, kind, path", [
    (b'{"job": {"id": 5}}', "schema", "job.id"),
    (b'{"job": ', "truncated", "job"),
    (b"not json", "syntax", "."),
    (b"\xff\xfe", "syntax", "."),
])
def test_bad_bodies_raise_webhook_parse_error(body: bytes, kind: str, path: str) -> None:
    with pytest.raises(das.WebhookParseError) as info:
        das.trd.parse_webhook(body)
    assert (info.value.kind, info.value.path) == (kind, path)
    assert info.value.line >= 1 and info.value.column >= 0
    assert isinstance(info.value, ValueError)


def test_wrong_body_type_is_invalid_argument() -> None:
    with pytest.raises(das.InvalidArgument):
        das.trd.parse_webhook(42)  # type: ignore[arg-type]


def test_verify_token_and_job_id() -> None:
    result = das.trd.parse_webhook((TRD / "completed_mono_single_speaker.json").read_bytes())
    assert result.token
    das.trd.verify_token(result, result.token)
    with pytest.raises(das.InvalidTokenError):
        das.trd.verify_token(result, result.token + "x")
    # An unset setting is an empty expected token: nothing verifies against it, not even a
    # body whose token is empty too.
    for body in (result, das.trd.parse_webhook(result.to_json().replace(result.token, ""))):
        with pytest.raises(das.InvalidTokenError, match="expected token is empty"):
            das.trd.verify_token(body, "")
    with pytest.raises(das.InvalidTokenError, match="carries no token"):
        das.trd.verify_token(
            das.trd.parse_webhook((TRD / "seed_3_11_verbatim.json").read_bytes()), "t")
    das.trd.verify_job_id(result, result.job.id)
    with pytest.raises(das.InvalidTokenError):
        das.trd.verify_job_id(result, "other")
