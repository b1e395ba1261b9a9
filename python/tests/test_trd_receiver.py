"""das.trd.WebhookReceiver (thread and asyncio) and das.trd.Client's webhook set-up, with
real HTTP peers."""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest

import das
from conftest import FIXTURES

BODY = (FIXTURES / "trd" / "completed_mono_single_speaker.json").read_bytes()
DOC = json.loads(BODY)
JOB = DOC["job"]["id"]
TOKEN = DOC["token"]


def post(url: str, body: bytes, context: "ssl.SSLContext | None" = None) -> int:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10, context=context) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def test_plain_receiver_checks_the_token_and_delivers() -> None:
    with das.trd.WebhookReceiver(tls="plain", token=TOKEN) as receiver:
        assert receiver.url.startswith("http://127.0.0.1:")
        assert post(f"{receiver.url}/{JOB}", BODY) == 200
        assert post(f"{receiver.url}/{JOB}", BODY.replace(TOKEN.encode(), b"other")) == 401
        assert post(f"{receiver.url}/{JOB}", b"{not json") == 400
        delivery = receiver.next(5)
        assert delivery is not None and delivery.job_id == JOB and delivery.name is None
        assert delivery.result.job.id == JOB and delivery.body == BODY
        delivery.ack()
        assert receiver.next(0.05) is None
        assert post(f"{receiver.url}/named/{JOB}", BODY) == 200
        named = receiver.next(5)
        assert named is not None and named.name == "named"
        assert post(f"{receiver.url}/{JOB}", BODY) == 200
        # No limit: returns with the delivery already waiting.
        assert receiver.next(float("inf")) is not None


def test_an_empty_token_is_refused_at_start() -> None:
    # It would let bodies with "token": "" in; None is the way to check no token.
    with pytest.raises(das.InvalidTokenError, match="webhook token is empty"):
        das.trd.WebhookReceiver(tls="plain", token="")
    # Nor is one registered with TRD: refused before anything is sent.
    with pytest.raises(das.InvalidTokenError, match="webhook token is empty"):
        das.trd.Client("http://127.0.0.1:9/trd/v3").validate("https://203.0.113.7", token="")


def test_self_signed_https_with_the_published_certificate() -> None:
    with das.trd.WebhookReceiver() as receiver:
        assert receiver.url.startswith("https://") and receiver.certificate_pem
        context = ssl.create_default_context(cadata=receiver.certificate_pem)
        assert post(f"{receiver.url}/{JOB}", BODY, context) == 200
        assert receiver.next(5) is not None


def test_spool_keeps_unacknowledged_deliveries() -> None:
    with tempfile.TemporaryDirectory() as spool:
        with das.trd.WebhookReceiver(tls="plain", spool=spool) as first:
            assert post(f"{first.url}/{JOB}", BODY) == 200
            assert first.next(5) is not None  # taken but never acknowledged
        with das.trd.WebhookReceiver(tls="plain", spool=spool) as second:
            again = second.next(5)
            assert again is not None and again.recovered and again.job_id == JOB
            again.ack()
        with das.trd.WebhookReceiver(tls="plain", spool=spool) as third:
            assert third.next(0.05) is None


def test_on_result_handlers_run_on_the_receiver_thread() -> None:
    got = []
    done = threading.Event()
    receiver = das.trd.WebhookReceiver(tls="plain")

    @receiver.on_result
    def handle(delivery: das.trd.Delivery) -> None:
        got.append((delivery.job_id, threading.current_thread().name))
        done.set()

    with receiver.start():
        assert post(f"{receiver.url}/{JOB}", BODY) == 200
        assert done.wait(5)
    assert got == [(JOB, "das-trd-receiver")]


def test_async_receiver() -> None:
    async def main() -> str:
        async with das.trd.AsyncWebhookReceiver(tls="plain") as receiver:
            loop = asyncio.get_running_loop()
            status = await loop.run_in_executor(None, post, f"{receiver.url}/{JOB}", BODY)
            assert status == 200
            async for delivery in receiver:
                return delivery.job_id
        raise AssertionError("no delivery")

    assert asyncio.run(main()) == JOB


def test_bad_receiver_options() -> None:
    with pytest.raises(das.InvalidArgument):
        das.trd.WebhookReceiver(host="not-an-ip")
    with pytest.raises(das.InvalidArgument):
        das.trd.WebhookReceiver(tls="pem")
    with pytest.raises(das.TlsError):
        das.trd.WebhookReceiver(tls="pem", cert_pem="junk", key_pem="junk")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(das.ConnectError):
            das.trd.WebhookReceiver(port=taken.getsockname()[1], tls="plain")


class FakeTrd(BaseHTTPRequestHandler):
    """TRD's webhook endpoints: whoami answers the caller's address; validate really
    connects to the given URL, as TRD does."""

    registered: dict = {}

    def _reply(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802
        if self.headers.get("Authorization") != "Bearer trd-token":
            return self._reply(401, {"detail": "unauthorized"})
        if self.path.startswith("/trd/v3/webhook/whoami"):
            return self._reply(200, {"address": "127.0.0.1"})
        self._reply(404, {})

    def do_POST(self) -> None:  # noqa: N802
        if self.headers.get("Authorization") != "Bearer trd-token":
            return self._reply(401, {"detail": "unauthorized"})
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        url = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("url", [""])[0]
        parts = urllib.parse.urlsplit(url)
        try:
            socket.create_connection((parts.hostname, parts.port), timeout=2).close()
            reachable = True
        except OSError:
            reachable = False
        FakeTrd.registered = body
        self._reply(200, {"reachable": reachable})

    def log_message(self, *args: object) -> None:
        pass



@pytest.fixture()
def trd_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTrd)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/trd/v3"
    server.shutdown()


def test_trd_client_whoami_and_one_call_setup(trd_url: str) -> None:
    client = das.trd.Client(trd_url, bearer="trd-token")
    assert client.whoami() == "127.0.0.1"
    with client.start_webhook("127.0.0.1", 0) as receiver:
        assert receiver.url.startswith("https://127.0.0.1:")
        assert FakeTrd.registered["token"] == receiver.token
        assert FakeTrd.registered["crt"] == receiver.certificate_pem
    with pytest.raises(das.AuthError):
        das.trd.Client(trd_url, bearer="wrong").whoami()
    with pytest.raises(das.InvalidArgument):
        das.trd.Client(trd_url, bearer="x", username="u")
    # An empty bearer (an unset setting) would be refused 401 by every request: said at once.
    with pytest.raises(das.InvalidArgument, match="bearer token is empty"):
        das.trd.Client(trd_url, bearer="")


def test_async_trd_client_asks_the_same_webhook_calls(trd_url: str) -> None:
    import asyncio

    async def main() -> tuple:
        client = das.trd.AsyncClient(trd_url, bearer="trd-token")
        # Nothing listens on port 1: TRD (the fake) cannot reach it.
        return await client.whoami(), await client.validate("https://127.0.0.1:1/hook",
                                                            token="t", crt="c")

    assert asyncio.run(main()) == ("127.0.0.1", False)
    assert FakeTrd.registered["token"] == "t"
