"""A TRD webhook receiver in FastAPI on uvicorn (uvloop + httptools), doing what
`das webhook serve` does per delivery, in the same order, so the two can be load-tested side by
side (benches/run/webhook):

1. path segments: 1-100 characters of A-Z a-z 0-9 . _ ~ -           (else 400)
2. Content-Length above the body limit                               (413)
3. Content-Type application/json                                    (415)
4. JSON parse + schema validation with pydantic (the fields das's typed parser knows; unknown
   keys kept)                                                        (400)
5. the body's `token` equals the registered one (constant time)      (401)
6. path job id equals `job.id`                                        (400)
7. room in the bounded delivery queue                                (503 + Retry-After)
8. with --spool: body written to a temporary file, fsynced, renamed, directory fsynced, in a
   worker thread, before the 200                                     (500 on failure)
9. duplicate (name, job id) flagged; the delivery queued; 200 "OK"
A consumer task takes each delivery, prints one line (job id, status, flags) and acknowledges it
(deletes the spool file), as `das webhook serve` without --out/--exec does.

Usage: python fastapi_receiver.py --port P --token T [--spool DIR] [--cert PEM --key PEM]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hmac
import os
import re
import sys
import tempfile
import uuid
from typing import Any, AsyncIterator, List, Optional, Tuple

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError

BODY_LIMIT = 32 << 20
QUEUE_BOUND = 1024
SAFE_SEGMENT = re.compile(r"[A-Za-z0-9._~-]{1,100}")


class Open(BaseModel):
    """Unknown keys are kept, as das keeps them in `extra`."""
    model_config = ConfigDict(extra="allow")


class Word(Open):
    text: str
    score: Optional[float] = None
    start_time: float
    end_time: float


class Alternative(Open):
    text: Optional[str] = None
    words: Optional[List[Word]] = None
    score: Optional[float] = None
    lm: Optional[str] = None


class Segment(Open):
    channel: int = Field(ge=0)
    speaker: Optional[str] = None
    start: float
    end: float
    status: Optional[str] = None
    alternatives: Optional[List[Alternative]] = None
    task_results: Optional[Any] = None


class DtmfTone(Open):
    start: Optional[float] = None
    end: Optional[float] = None
    row_freq: Optional[int] = Field(default=None, ge=0)
    col_freq: Optional[int] = Field(default=None, ge=0)
    value: Optional[str] = None


class OutputChannel(Open):
    channel: int = Field(ge=0)
    duration: Optional[float] = None
    speech: Optional[float] = None
    silence: Optional[bool] = None
    bandwidth: Optional[float] = None
    dtmf: Optional[List[DtmfTone]] = None


class MediaInput(Open):
    sample_rate: Optional[int] = Field(default=None, ge=0)
    channels: Optional[int] = Field(default=None, ge=0)
    bit_rate: Optional[int] = Field(default=None, ge=0)
    format: Optional[str] = None
    codec: Optional[str] = None
    bandwidth: Optional[float] = None


class MediaOutput(Open):
    redundant_channel: Optional[bool] = None
    channels: Optional[List[OutputChannel]] = None


class Media(Open):
    md5: Optional[str] = None
    size: Optional[int] = Field(default=None, ge=0)
    input: Optional[MediaInput] = None
    output: Optional[MediaOutput] = None


class Job(Open):
    id: str
    filename: Optional[str] = None
    status: str
    created_at: Optional[str] = Field(default=None,
                                      validation_alias=AliasChoices("created_at", "create_at"))
    started_at: Optional[str] = None
    diarized_at: Optional[str] = None
    completed_at: Optional[str] = None
    tag: Optional[str] = None
    callback_urls: Optional[List[str]] = None
    callback_failure_reason: Optional[str] = None
    failure_reason: Optional[str] = None
    media: Optional[Media] = None
    config: Optional[Any] = None


class JobResult(Open):
    job: Job
    segments: Optional[List[Segment]] = None
    token: Optional[str] = None


Delivery = Tuple[Optional[str], str, JobResult, Optional[str], bool]


def store(spool: str, name: Optional[str], job_id: str, body: bytes) -> str:
    """Durable before the 200: temp file, fsync, rename, directory fsync."""
    final = os.path.join(spool, f"{name or '_'}--{job_id}--{uuid.uuid4().hex}.json")
    fd, temp = tempfile.mkstemp(dir=spool, suffix=".tmp")
    try:
        os.write(fd, body)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.rename(temp, final)
    dir_fd = os.open(spool, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return final


def build_app(token: str, spool: Optional[str]) -> FastAPI:
    queue: "asyncio.Queue[Delivery]" = asyncio.Queue(maxsize=QUEUE_BOUND)
    seen: set = set()

    async def consume() -> None:
        while True:
            name, job_id, result, spool_file, duplicate = await queue.get()
            flags = " duplicate" if duplicate else ""
            print(f"{job_id} {result.job.status}{flags} received")
            if spool_file is not None:
                os.remove(spool_file)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        consumer = asyncio.create_task(consume())
        yield
        consumer.cancel()

    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, lifespan=lifespan)

    async def accept(request: Request, name: Optional[str], job_id: str) -> PlainTextResponse:
        for segment in ([name] if name is not None else []) + [job_id]:
            if not SAFE_SEGMENT.fullmatch(segment) or segment in (".", ".."):
                return PlainTextResponse("bad path segment", status_code=400)
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > BODY_LIMIT:
            return PlainTextResponse("body too large", status_code=413)
        content_type = request.headers.get("content-type", "")
        if content_type.split(";")[0].strip().lower() != "application/json":
            return PlainTextResponse("Content-Type must be application/json", status_code=415)
        body = await request.body()
        if len(body) > BODY_LIMIT:
            return PlainTextResponse("body too large", status_code=413)
        try:
            result = JobResult.model_validate_json(body)
        except ValidationError as error:
            return PlainTextResponse(str(error), status_code=400)
        if result.token is None or not hmac.compare_digest(result.token.encode(), token.encode()):
            return PlainTextResponse("missing or wrong token", status_code=401)
        if result.job.id != job_id:
            return PlainTextResponse("path job id differs from body job.id", status_code=400)
        if queue.full():
            return PlainTextResponse("receiver queue is full, retry later", status_code=503,
                                     headers={"Retry-After": "1"})
        spool_file = None
        if spool is not None:
            try:
                spool_file = await asyncio.to_thread(store, spool, name, job_id, body)
            except OSError:
                return PlainTextResponse("cannot store delivery", status_code=500)
        key = (name, job_id)
        duplicate = key in seen
        seen.add(key)
        queue.put_nowait((name, job_id, result, spool_file, duplicate))
        return PlainTextResponse("OK")

    @app.post("/{job_id}")
    async def root_delivery(job_id: str, request: Request) -> PlainTextResponse:
        return await accept(request, None, job_id)

    @app.post("/{name}/{job_id}")
    async def named_delivery(name: str, job_id: str, request: Request) -> PlainTextResponse:
        return await accept(request, name, job_id)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--spool")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()
    if args.spool:
        os.makedirs(args.spool, exist_ok=True)
    print(f"listening on {'https' if args.cert else 'http'}://{args.host}:{args.port}",
          flush=True)
    uvicorn.run(build_app(args.token, args.spool), host=args.host, port=args.port,
                loop="uvloop", http="httptools", access_log=False, log_level="warning",
                ssl_certfile=args.cert, ssl_keyfile=args.key)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
