"""Real peers for the Python tests: the python-socketio signalling server the Rust tests use
(tests/peers/sio_server.py) and an OAuth2 client-credentials token endpoint."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

import das

ROOT = Path(__file__).resolve().parents[2]
PEERS = ROOT / "tests" / "peers"
FIXTURES = ROOT / "tests" / "fixtures"
CLIENT_ID = "test-client"
CLIENT_SECRET = "s3cr3t-value"
ACCESS_TOKEN = "tok-123"


def start_peer(*args: str) -> "tuple[subprocess.Popen[str], int]":
    proc = subprocess.Popen([sys.executable, str(PEERS / "sio_server.py"), *args],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.strip().isdigit():
        proc.kill()
        raise RuntimeError(f"sio_server.py did not print its port: {line!r}")
    return proc, int(line)


@pytest.fixture(scope="session")
def sio_port() -> Iterator[int]:
    proc, port = start_peer()
    yield port
    proc.kill()
    proc.wait(5)


@pytest.fixture(scope="session")
def emulator() -> Iterator[das.Emulator]:
    with das.Emulator() as running:
        yield running


@pytest.fixture(scope="session")
def sio_url(sio_port: int) -> str:
    return f"http://127.0.0.1:{sio_port}/socket.io"


class TokenHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        ok = (form.get("client_id") == [CLIENT_ID] and form.get("client_secret") == [CLIENT_SECRET]
              and form.get("grant_type") == ["client_credentials"])
        body = ({"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 300}
                if ok else {"error": "invalid_client"})
        data = json.dumps(body).encode()
        self.send_response(200 if ok else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def token_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), TokenHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/socket.io/oauth2/token"
    server.shutdown()
