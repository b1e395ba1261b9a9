"""CPqD TRD: ``parse_webhook`` turns a result body into typed objects (unknown fields kept in
``.extra``), ``verify_token``/``verify_job_id`` check a delivery, ``Client``/``AsyncClient``
submit recordings as jobs and ``transcribe`` them in one call."""

import typing as _typing

from .. import _native
from .._errors import InvalidTokenError, WebhookParseError
from ._model import (
    Alternative,
    DtmfTone,
    Job,
    JobResult,
    Media,
    MediaInput,
    MediaOutput,
    OutputChannel,
    Record,
    Segment,
    Word,
)
from ._jobs import AsyncClient, Client, JobPage, JobWebhooks
from ._receiver import AsyncWebhookReceiver, Delivery, WebhookReceiver


def parse_webhook(body: _typing.Union[bytes, bytearray, memoryview, str]) -> JobResult:
    """Parses a webhook POST body (or a ``job/result`` response). Raises
    ``das.WebhookParseError`` with ``path``, ``line`` and ``column`` on a bad body."""
    if isinstance(body, (bytearray, memoryview)):
        body = bytes(body)
    return JobResult(_native.trd_parse(body))


def verify_token(result: JobResult, expected: str) -> None:
    """Raises ``das.InvalidTokenError`` unless the body's ``token`` equals ``expected``
    (compared in constant time). An empty ``expected`` is refused: it would accept a body
    with ``"token": ""``."""
    why = _native.check_token(result.token, expected)
    if why is not None:
        raise InvalidTokenError(why)


def verify_job_id(result: JobResult, path_job_id: str) -> None:
    """Raises ``das.InvalidTokenError`` unless the URL path's job id is the body's ``job.id``."""
    if result.job.id != path_job_id:
        raise InvalidTokenError(
            f"path job id {path_job_id!r} differs from body job.id {result.job.id!r}")


__all__ = [
    "parse_webhook", "verify_token", "verify_job_id", "WebhookParseError", "InvalidTokenError",
    "Record",
    "JobResult", "Job", "Media", "MediaInput", "MediaOutput", "OutputChannel", "DtmfTone",
    "Segment", "Alternative", "Word", "WebhookReceiver", "AsyncWebhookReceiver", "Delivery",
    "Client", "AsyncClient", "JobWebhooks", "JobPage",
]

# Shown as `das.trd.Client` etc., where users import them, not as the private modules'.
def _show_here() -> None:
    for name in __all__:
        value = globals()[name]
        if isinstance(value, type) and value.__module__.startswith(__name__ + "."):
            value.__module__ = __name__


_show_here()
