"""das.trd.Client / AsyncClient against the emulator: transcribe by polling and through one
shared webhook receiver, every job call, streamed query, credentials and typed errors."""

import asyncio
import concurrent.futures
import pathlib
import socket
import threading

import pytest

import das
from das.trd import AsyncClient, Client, JobResult

SAMPLES = pathlib.Path(__file__).resolve().parents[2] / "samples"
TOKEN = "demo-trd-token"


def client(emulator: das.Emulator) -> Client:
    return Client(emulator.trd_url, bearer=TOKEN)


def test_transcribe_by_polling_then_every_job_call(emulator: das.Emulator) -> None:
    trd = client(emulator)
    result = trd.transcribe(SAMPLES / "speaker-a.wav", tag="py", timeout=30,
                            config=["diarization.descriptor.enabled=True",
                                    {"recognition": {"hints.words": ["mexirica"]}}])
    assert isinstance(result, JobResult)
    assert result.job.status == "COMPLETED"
    assert result.job.tag == "py"
    assert result.job.config["recognition"] == {"hints.words": ["mexirica"]}
    job_id = result.job.id

    assert trd.status(job_id).status == "COMPLETED"
    assert trd.result(job_id).job.media.size == (SAMPLES / "speaker-a.wav").stat().st_size
    page = trd.list(tag="py", limit=10)
    assert [job.id for job in page.jobs] == [job_id]
    assert page.total == 1
    assert trd.retry(job_id).status == "QUEUED"
    records = list(trd.query(tags=["py"], projection=["filename"]))
    assert [r.job.filename for r in records] == ["speaker-a.wav"]
    trd.delete(job_id)
    with pytest.raises(das.NotFoundError, match="not found"):
        trd.status(job_id)


def test_concurrent_jobs_share_one_validated_receiver(emulator: das.Emulator) -> None:
    trd = client(emulator)
    with trd.start_webhooks(public_host="127.0.0.1") as hooks:
        assert hooks.url.startswith("https://127.0.0.1:")
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            futures = [pool.submit(trd.transcribe, SAMPLES / "speaker-b.wav", webhooks=hooks,
                                   timeout=30, tag=f"hook-{n}") for n in range(4)]
            results = [f.result() for f in futures]
    assert {r.job.status for r in results} == {"COMPLETED"}
    assert len({r.job.id for r in results}) == 4


def test_bad_input_raises_typed_errors(emulator: das.Emulator, tmp_path: pathlib.Path) -> None:
    trd = client(emulator)
    with pytest.raises(das.IoError):
        trd.create_job(tmp_path / "missing.wav")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(das.InvalidArgument, match="empty"):
        trd.create_job(empty)
    text = tmp_path / "notes.txt"
    text.write_text("not audio")
    with pytest.raises(das.JobFailedError, match="not a RIFF/WAVE file"):
        trd.transcribe(text, timeout=30)
    with pytest.raises(das.RejectedError, match="not an http\\(s\\) URL") as refused:
        trd.create_job(SAMPLES / "speaker-a.wav", callback_urls=["ftp://example.com"])
    assert refused.value.code == 306
    with pytest.raises(das.NotFoundError):
        trd.result("0123456789abcdef01234567")
    with pytest.raises(das.InvalidArgument):
        trd.status("../etc/passwd")
    with pytest.raises(das.AuthError):
        Client(emulator.trd_url, bearer="wrong").list()
    basic = Client(emulator.trd_url, username=emulator.trd_license_user,
                   password=emulator.trd_license_password)
    assert basic.list().jobs is not None


def raw_peer(answer: bytes) -> str:
    """A TRD base URL whose server answers every request with ``answer`` and closes."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            connection, _ = listener.accept()
            with connection:
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = connection.recv(4096)
                    if not chunk:
                        break
                    request += chunk
                connection.sendall(answer)

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/trd/v3"


def test_broken_http_framing_is_a_protocol_error() -> None:
    # A chunk size that is not hex is the peer breaking HTTP (it was a ConnectError); a body
    # cut short by the connection stays a network failure.
    corrupt = raw_peer(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                       b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")
    with pytest.raises(das.ProtocolError, match="Invalid chunk size line"):
        Client(corrupt, bearer=TOKEN).whoami()
    cut = raw_peer(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                   b"Content-Length: 100\r\n\r\n{\"a\"")
    with pytest.raises(das.ConnectError, match="end of file before message length"):
        Client(cut, bearer=TOKEN).whoami()


def test_asyncio_client() -> None:
    async def main(url: str) -> None:
        trd = AsyncClient(url, bearer=TOKEN)
        results = await asyncio.gather(*(trd.transcribe(SAMPLES / "speaker-a.wav", tag="aio",
                                                        timeout=30) for _ in range(2)))
        assert [r.job.status for r in results] == ["COMPLETED", "COMPLETED"]
        seen = [record.job.id async for record in trd.query(tags=["aio"])]
        assert sorted(seen) == sorted(r.job.id for r in results)
        assert (await trd.status(seen[0])).status == "COMPLETED"
        with pytest.raises(das.NotFoundError):
            await trd.result("0123456789abcdef01234567")

    with das.Emulator() as emulator:
        asyncio.run(main(emulator.trd_url))
