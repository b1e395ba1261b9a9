"""Every connection through a real HTTP proxy (tinyproxy, scripts/proxy-bed) from Python: the
emulator is addressed as ``das-emulator.test``, a name only the proxy resolves. A registration,
TRD whoami, ``das.Client(http_session=requests.Session())``'s ``proxies`` (as python-socketio),
the environment with ``NO_PROXY``, wrong credentials (``das.ProxyError``), an unreachable
proxy (``das.ConnectError``) and a silent one (``das.TimeoutError``). The same registration
through an HTTPS proxy (tinyproxy behind stunnel, its issuer trusted with
``root_certificate_pem``) and a SOCKS5 proxy (microsocks, ``socks5h://``), and a refusal."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests

import das

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "speaker-a.wav"
CREDENTIALS = "agent:s3cret-proxy"


def behind_proxy(url: str) -> str:
    return url.replace("127.0.0.1", "das-emulator.test", 1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def proxy_bed(directory: Path, *flags: str) -> Iterator[int]:
    """scripts/proxy-bed with CREDENTIALS, until the test ends; its port."""
    port = free_port()
    proc = subprocess.Popen([str(ROOT / "scripts" / "proxy-bed"), *flags, str(directory),
                             str(port), CREDENTIALS], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "no proxy"
                time.sleep(0.05)
        yield port
    finally:
        proc.kill()
        proc.wait(10)


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[int]:
    """tinyproxy with Basic authentication (CREDENTIALS); its port."""
    yield from proxy_bed(tmp_path)


@pytest.fixture
def https_proxy(tmp_path: Path) -> Iterator[int]:
    """tinyproxy behind TLS (stunnel) with Basic authentication; its issuer is
    ``tmp_path / "ca.pem"``; its port."""
    yield from proxy_bed(tmp_path, "--https")


@pytest.fixture
def socks_proxy(tmp_path: Path) -> Iterator[int]:
    """microsocks with user name and password (CREDENTIALS); its port."""
    yield from proxy_bed(tmp_path, "--socks5")


def register_through(emulator: das.Emulator, url: str, **options: str) -> None:
    """Registers speaker A with every connection through the proxy at ``url``."""
    with das.RegisterSession(
            behind_proxy(emulator.socketio_url), token_url=behind_proxy(emulator.token_url),
            client_id=emulator.client_id, client_secret=emulator.client_secret,
            audio_url=behind_proxy(emulator.audiohook_url), audio_protocol="audiohook",
            api_key=emulator.audiohook_api_key,
            client_secret_audio=emulator.audiohook_client_secret, realtime=False,
            proxy=url, **options) as session:
        session.push_wav(SAMPLE)
        session.end_audio()
        result = session.wait_result(30)
    assert result is not None and result.name == "result-success"


def test_a_registration_and_whoami_go_through_the_proxy(emulator: das.Emulator,
                                                        proxy: int) -> None:
    url = f"http://{CREDENTIALS}@127.0.0.1:{proxy}"
    register_through(emulator, url)
    trd = das.trd.Client(behind_proxy(emulator.trd_url), bearer=emulator.trd_token,
                      proxy=url)
    assert trd.whoami() == "127.0.0.1"
    with pytest.raises(das.ConnectError):
        das.trd.Client(behind_proxy(emulator.trd_url), bearer=emulator.trd_token,
                        proxy="").whoami()


def connect(emulator: das.Emulator, **kwargs: object) -> None:
    token = das.get_access_token(emulator.token_url, emulator.client_id, emulator.client_secret,
                                 proxy="")
    sio = das.Client(reconnection=False, **kwargs)
    sio.connect(behind_proxy(emulator.socketio_url),
                headers={"Authorization": f"{token['token_type']} {token['access_token']}"},
                namespaces=["/socket.io/register"], wait_timeout=3)
    sio.disconnect()


def test_the_http_sessions_proxies_carry_the_signalling(emulator: das.Emulator,
                                                       proxy: int) -> None:
    http = requests.Session()
    http.proxies = {"http": f"http://{CREDENTIALS}@127.0.0.1:{proxy}"}
    connect(emulator, http_session=http)
    http.proxies = {"http": f"http://agent:wrong-password@127.0.0.1:{proxy}"}
    with pytest.raises(das.ProxyError, match="HTTP 401") as refused:
        connect(emulator, http_session=http)
    assert "wrong-password" not in str(refused.value)
    assert isinstance(refused.value, das.ConnectError) and refused.value.code == 308


def test_an_unreachable_proxy_and_a_silent_one(emulator: das.Emulator) -> None:
    http = requests.Session()
    http.proxies = {"http": f"http://127.0.0.1:{free_port()}"}
    with pytest.raises(das.ConnectError) as unreachable:
        connect(emulator, http_session=http)
    assert not isinstance(unreachable.value, das.ProxyError)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        http.proxies = {"http": f"http://127.0.0.1:{silent.getsockname()[1]}"}
        with pytest.raises(das.TimeoutError, match="did not answer the CONNECT"):
            connect(emulator, http_session=http)


def test_the_environment_with_no_proxy(emulator: das.Emulator, proxy: int) -> None:
    """In a child process: the variables are the process's."""
    script = ("import sys, das\n"
              "c = das.trd.Client(sys.argv[1], bearer=sys.argv[2])\n"
              "try:\n    print(c.whoami())\n"
              "except das.DasError as e:\n    print(type(e).__name__)\n")
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["http_proxy"] = f"http://{CREDENTIALS}@127.0.0.1:{proxy}"

    def whoami(no_proxy: str) -> str:
        done = subprocess.run([sys.executable, "-c", script, behind_proxy(emulator.trd_url),
                               emulator.trd_token], env={**env, "NO_PROXY": no_proxy},
                              capture_output=True, text=True, timeout=60, check=True)
        return done.stdout.strip()

    assert whoami("localhost") == "127.0.0.1"
    assert whoami(".test") == "ConnectError"
    assert json.dumps(whoami("*")) == '"ConnectError"'


def test_a_registration_goes_through_a_socks5_proxy(emulator: das.Emulator,
                                                     socks_proxy: int) -> None:
    register_through(emulator, f"socks5h://{CREDENTIALS}@127.0.0.1:{socks_proxy}")
    wrong = f"socks5h://agent:wrong-password@127.0.0.1:{socks_proxy}"
    with pytest.raises(das.ProxyError, match="user name or password refused") as refused:
        das.trd.Client(behind_proxy(emulator.trd_url), bearer=emulator.trd_token,
                       proxy=wrong).whoami()
    assert "wrong-password" not in str(refused.value)


def test_a_registration_goes_through_an_https_proxy_trusting_its_issuer(
        emulator: das.Emulator, https_proxy: int, tmp_path: Path) -> None:
    url = f"https://{CREDENTIALS}@127.0.0.1:{https_proxy}"
    register_through(emulator, url, root_certificate_pem=(tmp_path / "ca.pem").read_text())
    with pytest.raises(das.TlsError):
        register_through(emulator, url)
