"""An independent TRD v3 job service written with FastAPI from the public documentation only
(REST API v3, webhook API, trd-sdk-python's calls), to test libdas's TRD client against a peer
that shares no code with it or with the emulator.

Routes under /trd/v3: job/create (multipart upload_file, repeatable config and callback_urls,
?tag= at most 32 characters so FastAPI's own 422 can be provoked), job/status, job/result, job
(list: a bare JSON array), job/stop and job/retry (answer a message, not the job), DELETE job,
query/job (NDJSON; bare job objects when a projection is given), webhook/whoami and
webhook/validate. Auth: `Authorization: Bearer <--token>` or HTTP Basic `--user:--password`.

A job is QUEUED, IN_PROGRESS after --step seconds, then COMPLETED with one segment spanning the
audio (the length from its RIFF header) or FAILED when the upload is not a WAV file, and the result
is POSTed to each callback URL + /{job_id} (with the token and certificate registered through
webhook/validate). --busy N answers the first N job/create calls 503 with Retry-After: 1;
--bad-gateway N the first N job/status calls 502 with an HTML page, as a failing gateway does;
--wrong-result answers job/result with another job's result; --unreachable-callbacks records
every callback as failed without posting it (TRD cannot reach the webhook); --park-status NAME
leaves each job in the status NAME (one TRD does not document) instead of finishing it.
Prints the bound port on stdout, then serves until killed.
"""

import argparse
import asyncio
import base64
import datetime
import hashlib
import json
import socket
import ssl
import uuid
from typing import Dict, List, Optional

import aiohttp
import uvicorn
from fastapi import Depends, FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--token", default="fastapi-token")
parser.add_argument("--user", default="trd-user")
parser.add_argument("--password", default="trd-password")
parser.add_argument("--step", type=float, default=0.2)
parser.add_argument("--busy", type=int, default=0)
parser.add_argument("--bad-gateway", type=int, default=0)
parser.add_argument("--wrong-result", action="store_true")
parser.add_argument("--unreachable-callbacks", action="store_true")
parser.add_argument("--park-status")
args = parser.parse_args()

app = FastAPI()
jobs: Dict[str, dict] = {}
uploads: Dict[str, bytes] = {}
hooks: Dict[str, dict] = {}
busy_left = args.busy
bad_gateway_left = args.bad_gateway


def authorized(request: Request) -> None:
    header = request.headers.get("authorization", "")
    basic = "Basic " + base64.b64encode(f"{args.user}:{args.password}".encode()).decode()
    if header not in (f"Bearer {args.token}", basic):
        raise HTTPException(status_code=401, detail="Not authenticated")


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="microseconds")


def find(job_id: str) -> dict:
    if job_id not in jobs:
        raise HTTPException(status_code=404, detail="Job not found")
    return jobs[job_id]


@app.post("/trd/v3/job/create", dependencies=[Depends(authorized)])
async def create(upload_file: UploadFile = File(...), config: List[str] = Form(default=[]),
                 callback_urls: List[str] = Form(default=[]),
                 tag: Optional[str] = Query(default=None, max_length=32)):
    global busy_left
    if busy_left > 0:
        busy_left -= 1
        return JSONResponse({"detail": "Servidor ocupado"}, status_code=503,
                            headers={"Retry-After": "1"})
    data = await upload_file.read()
    urls = [u.strip() for field in callback_urls for u in field.split(",") if u.strip()]
    job_id = uuid.uuid4().hex[:24]
    job = {"id": job_id, "filename": upload_file.filename, "status": "QUEUED",
           "created_at": now(), "callback_urls": urls, "callback_failure_reason": "",
           "failure_reason": "", "media": {"md5": hashlib.md5(data).hexdigest(),
                                           "size": len(data)},
           "config": {"items": config}}
    if tag is not None:
        job["tag"] = tag
    jobs[job_id] = {"job": job, "segments": []}
    uploads[job_id] = data
    asyncio.get_running_loop().create_task(process(job_id))
    return {"job": job}


async def process(job_id: str) -> None:
    await asyncio.sleep(args.step)
    if job_id not in jobs or jobs[job_id]["job"]["status"] != "QUEUED":
        return
    document = jobs[job_id]
    document["job"]["status"] = "IN_PROGRESS"
    document["job"]["started_at"] = now()
    await asyncio.sleep(args.step)
    if document["job"]["status"] != "IN_PROGRESS":
        return
    if args.park_status:
        document["job"]["status"] = args.park_status
        return
    seconds = wav_seconds(uploads[job_id])
    if seconds is not None:
        document["segments"] = [{
            "channel": 1, "speaker": "1", "start": 0.0, "end": round(seconds, 3),
            "status": "RECOGNIZED",
            "alternatives": [{"text": "transcrito pelo fastapi", "score": 97,
                              "words": [{"text": "transcrito", "score": 97, "start_time": 0.0,
                                         "end_time": 0.5},
                                        {"text": "pelo", "score": 98, "start_time": 0.5,
                                         "end_time": 0.7},
                                        {"text": "fastapi", "score": 96, "start_time": 0.7,
                                         "end_time": 1.0}]}]}]
        document["job"]["status"] = "COMPLETED"
    else:
        document["job"]["status"] = "FAILED"
        document["job"]["failure_reason"] = "formato de áudio não suportado"
    document["job"]["completed_at"] = now()
    await deliver(job_id)


def wav_seconds(data: bytes) -> Optional[float]:
    """The length of a RIFF/WAVE file in PCM, A-law or µ-law; None for anything else."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    position, byte_rate, data_size = 12, None, None
    while position + 8 <= len(data):
        chunk, size = data[position:position + 4], int.from_bytes(data[position + 4:position + 8],
                                                                 "little")
        body = data[position + 8:position + 8 + size]
        if chunk == b"fmt " and len(body) >= 12:
            if int.from_bytes(body[0:2], "little") not in (1, 6, 7):
                return None
            byte_rate = int.from_bytes(body[8:12], "little")
        elif chunk == b"data":
            data_size = len(body)
        position += 8 + size + (size & 1)
    if not byte_rate or data_size is None:
        return None
    return data_size / byte_rate


async def deliver(job_id: str) -> None:
    document = jobs[job_id]
    failures = []
    for url in document["job"]["callback_urls"]:
        if args.unreachable_callbacks:
            failures.append(f"{url}: Connection refused")
            continue
        origin = "/".join(url.split("/")[:3])
        hook = hooks.get(origin, {})
        body = dict(document)
        if hook.get("token"):
            body["token"] = hook["token"]
        context = ssl.create_default_context(cadata=hook["crt"]) if hook.get("crt") else None
        try:
            async with aiohttp.ClientSession() as session:
                async with session.post(f"{url.rstrip('/')}/{job_id}", json=body, ssl=context,
                                        timeout=aiohttp.ClientTimeout(total=10)) as answer:
                    if answer.status != 200:
                        failures.append(f"{url}: HTTP {answer.status}")
        except Exception as error:  # the reason is recorded, as TRD does
            failures.append(f"{url}: {error}")
    document["job"]["callback_failure_reason"] = "; ".join(failures)


@app.get("/trd/v3/job/status/{job_id}", dependencies=[Depends(authorized)])
async def status(job_id: str):
    global bad_gateway_left
    if bad_gateway_left > 0:
        bad_gateway_left -= 1
        return HTMLResponse("<html><body>502 Bad Gateway</body></html>", status_code=502)
    return {"job": find(job_id)["job"]}


@app.get("/trd/v3/job/result/{job_id}", dependencies=[Depends(authorized)])
async def result(job_id: str):
    if args.wrong_result:
        return {**find(job_id), "job": {**find(job_id)["job"], "id": "another-job"}}
    return find(job_id)


@app.get("/trd/v3/job", dependencies=[Depends(authorized)])
async def list_jobs(page: int = 1, limit: int = 100, tag: Optional[str] = None):
    selected = [d["job"] for d in jobs.values() if tag is None or d["job"].get("tag") == tag]
    return selected[(page - 1) * limit:page * limit]


@app.post("/trd/v3/job/stop/{job_id}", dependencies=[Depends(authorized)])
async def stop(job_id: str):
    job = find(job_id)["job"]
    if job["status"] not in ("QUEUED", "IN_PROGRESS"):
        raise HTTPException(status_code=422, detail="Job já finalizado")
    job["status"] = "FAILED"
    job["failure_reason"] = "interrompido"
    return {"message": "stopped"}


@app.post("/trd/v3/job/retry/{job_id}", dependencies=[Depends(authorized)])
async def retry(job_id: str):
    document = find(job_id)
    document["job"].update(status="QUEUED", failure_reason="")
    document["segments"] = []
    asyncio.get_running_loop().create_task(process(job_id))
    return {"message": "queued"}


@app.delete("/trd/v3/job/{job_id}", dependencies=[Depends(authorized)])
async def delete(job_id: str):
    find(job_id)
    del jobs[job_id]
    return {"message": "deleted"}


@app.get("/trd/v3/query/job", dependencies=[Depends(authorized)])
async def query(tag: List[str] = Query(default=[]), status: List[str] = Query(default=[]),
                projection: List[str] = Query(default=[]), result: bool = False,
                page: int = 1, limit: int = 100):
    selected = [d for d in jobs.values()
                if (not tag or d["job"].get("tag") in tag)
                and (not status or d["job"]["status"] in status)]

    async def lines():
        for document in selected[(page - 1) * limit:page * limit]:
            if projection:
                job = {k: v for k, v in document["job"].items()
                       if k in projection or k in ("id", "status")}
                yield json.dumps(job) + "\n"
            else:
                record = {"job": document["job"]}
                if result:
                    record["segments"] = document["segments"]
                yield json.dumps(record) + "\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson")


@app.get("/trd/v3/webhook/whoami", dependencies=[Depends(authorized)])
async def whoami(request: Request):
    return {"address": request.client.host}


@app.api_route("/trd/v3/webhook/validate", methods=["GET", "POST"],
               dependencies=[Depends(authorized)])
async def validate(request: Request, url: str, timeout: int = 2, retries: int = 1):
    body = await request.json() if request.method == "POST" else {}
    crt = body.get("crt")
    context = ssl.create_default_context(cadata=crt) if crt else None
    reachable = False
    for _ in range(max(retries, 1)):
        try:
            async with aiohttp.ClientSession() as session:
                async with session.get(url, ssl=context,
                                       timeout=aiohttp.ClientTimeout(total=timeout)):
                    reachable = True
                    break
        except Exception:
            await asyncio.sleep(0.1)
    if reachable:
        hooks["/".join(url.split("/")[:3])] = {"token": body.get("token"), "crt": crt}
    return {"reachable": reachable}


def bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(128)
    print(sock.getsockname()[1], flush=True)
    return sock


if __name__ == "__main__":
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    server.run(sockets=[bound_socket()])
