"""``das.Emulator``: a local das-Peak Streaming + CPqD TRD service for your own tests and offline
development, run as a child process (``das emulator --json``) on a free loopback port.

The ``das`` program comes with the ``libdas-emulator`` wheel (``pip install 'libdas[emulator]'``);
any ``das`` binary of the same version works: ``$DAS_BIN`` first, then this interpreter's scripts
directories, then ``PATH``. The emulator exits when its standard input closes, so it ends with
this process however that ends, and ``close()`` (or leaving the ``with`` block, or garbage
collection) stops it at once."""

from __future__ import annotations

import collections
import json
import logging
import os
import queue
import shutil
import subprocess
import sysconfig
import tempfile
import threading
import urllib.error
import urllib.request
import weakref
import typing

from ._errors import Closed, ConnectError, InvalidArgument, IoError

__all__ = ["Emulator", "find_das"]

_log = logging.getLogger("das.emulator")

#: Bound on starting (until the description arrives) and on stopping.
_WAIT_SECONDS = 20.0
#: Settings that would override what ``Emulator`` asks for (see ``das emulator --help``).
_IGNORED_ENVIRONMENT = ("DAS_CONFIG", "DAS_EMULATOR_SETTINGS", "DAS_EMULATOR_HOST", "DAS_EMULATOR_PORT")
#: Exit codes of ``das`` meaning "bad options or settings".
_USAGE_EXITS = (2, 6)


def find_das() -> str:
    """The ``das`` program ``Emulator`` runs: ``$DAS_BIN``, else the one installed beside this
    interpreter (the ``libdas-emulator`` wheel), else the first on ``PATH``."""
    explicit = os.environ.get("DAS_BIN")
    if explicit:
        return explicit
    name = "das.exe" if os.name == "nt" else "das"
    for directory in _scripts_directories():
        candidate = os.path.join(directory, name)
        if os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(name)
    if found is None:
        raise IoError("das.Emulator runs the `das` program, which is not installed: "
                      "pip install 'libdas[emulator]', or set DAS_BIN to its path")
    return found


def _scripts_directories() -> typing.List[str]:
    """Where pip puts the programs of this interpreter's wheels: its environment's, the user's."""
    directories = [sysconfig.get_path("scripts")]
    try:
        directories.append(sysconfig.get_path("scripts", f"{os.name}_user"))
    except KeyError:
        pass
    return directories


class _StderrTail:
    """Drains the emulator's stderr (so it never blocks on a full pipe): every line goes to
    the ``das.emulator`` logger, and the last ones are kept for error messages."""

    def __init__(self, stream: typing.IO[bytes]) -> None:
        self._lines: typing.Deque[str] = collections.deque(maxlen=20)
        self._thread = threading.Thread(target=self._drain, args=(stream,),
                                        name="das-emulator-stderr", daemon=True)
        self._thread.start()

    def _drain(self, stream: typing.IO[bytes]) -> None:
        with stream:
            for raw in stream:
                line = raw.decode("utf-8", "replace").rstrip()
                self._lines.append(line)
                _log.warning("%s", line)

    def text(self) -> str:
        self._thread.join(1.0)
        return "\n".join(self._lines)


def _first_line(stream: typing.IO[bytes], timeout: float) -> typing.Optional[bytes]:
    """The first line of ``stream`` (b"" at its end), or None when none came in time."""
    lines: "queue.Queue[bytes]" = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), name="das-emulator-stdout",
                     daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return None


def _stop(process: "subprocess.Popen[bytes]") -> None:
    """Closes the emulator's stdin (its signal to stop), waits, kills it if it lingers."""
    if process.stdin is not None:
        try:
            process.stdin.close()
        except OSError:
            pass
    try:
        process.wait(_WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Emulator:
    """Starts at once; a context manager that closes it.

    ``config`` names only the emulator settings to change (the JSON form of the Rust
    ``EmulatorConfig``: ``clients``, ``token_ttl_secs``, ``audio_timeout_ms``,
    ``payload_encoding``, ``vad``, ``verify``, ``audiohook``, ``trd``, ``faults``); unknown
    names raise ``InvalidArgument``."""

    def __init__(self, config: typing.Optional[typing.Dict[str, typing.Any]] = None) -> None:
        program = find_das()
        args = [program, "emulator", "--host", "127.0.0.1", "--port", "0", "--json"]
        settings = None
        if config is not None:
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as settings:
                json.dump(config, settings)
            args += ["--settings", settings.name]
        env = {k: v for k, v in os.environ.items() if k not in _IGNORED_ENVIRONMENT}
        try:
            # Its own session: a Ctrl-C meant for this program's terminal is not for the emulator.
            process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, env=env, start_new_session=True)
        except OSError as error:
            if settings is not None:
                os.unlink(settings.name)
            raise IoError(f"cannot run {program}: {error}") from error
        self._process = process
        self._finalizer = weakref.finalize(self, _stop, process)
        assert process.stdout is not None and process.stderr is not None
        stderr = _StderrTail(process.stderr)
        try:
            line = _first_line(process.stdout, _WAIT_SECONDS)
        finally:
            if settings is not None:
                os.unlink(settings.name)
        process.stdout.close()
        if not line:
            self._finalizer()
            reason = stderr.text() or f"{program} exited with status {process.returncode}"
            if line is None:
                raise ConnectError(f"das emulator did not describe itself within {_WAIT_SECONDS:.0f} s")
            if process.returncode in _USAGE_EXITS:
                raise InvalidArgument(reason)
            raise ConnectError(reason)
        try:
            self._description: typing.Dict[str, str] = json.loads(line)
        except ValueError as error:
            self._finalizer()
            raise ConnectError(f"{program} is not the libdas `das` command: it printed {line[:80]!r}") from error

    def _field(self, name: str) -> str:
        return self._description[name]

    @property
    def base_url(self) -> str:
        return self._field("base_url")

    @property
    def socketio_url(self) -> str:
        """The URL to give ``Client.connect`` (``http://127.0.0.1:PORT/socket.io``)."""
        return self._field("socketio_url")

    @property
    def token_url(self) -> str:
        """The OAuth2 client-credentials endpoint."""
        return self._field("token_url")

    @property
    def twilio_url(self) -> str:
        """The Twilio Media Streams audio consumer (``ws://…/twilio/ws``)."""
        return self._field("twilio_url")

    @property
    def audiohook_url(self) -> str:
        return self._field("audiohook_url")

    @property
    def trd_url(self) -> str:
        """The TRD v3 API base (bearer token ``trd_token``)."""
        return self._field("trd_url")

    @property
    def trd_token(self) -> str:
        """A bearer token the TRD endpoints accept (``demo-trd-token`` by default)."""
        return self._field("trd_token")

    @property
    def client_id(self) -> str:
        return self._field("client_id")

    @property
    def client_secret(self) -> str:
        return self._field("client_secret")

    @property
    def audiohook_api_key(self) -> str:
        """The AudioHook ``X-API-KEY`` the emulator accepts."""
        return self._field("audiohook_api_key")

    @property
    def audiohook_client_secret(self) -> str:
        """The base64 AudioHook client secret that signs requests with that key."""
        return self._field("audiohook_client_secret")

    @property
    def trd_license_url(self) -> str:
        """The license server's token URL (``das.trd.Client(token_url=...)``)."""
        return self._field("trd_license_url")

    @property
    def trd_license_user(self) -> str:
        return self._field("trd_license_user")

    @property
    def trd_license_password(self) -> str:
        return self._field("trd_license_password")

    @property
    def tls_socketio_url(self) -> str:
        """Socket.IO through the emulator's TLS front (``https://localhost:PORT/socket.io``),
        whose certificate only ``tls_ca_pem`` vouches for."""
        return self._field("tls_socketio_url")

    @property
    def tls_token_url(self) -> str:
        """The OAuth2 endpoint through the TLS front."""
        return self._field("tls_token_url")

    @property
    def tls_audiohook_url(self) -> str:
        """The AudioHook consumer through the TLS front (``wss://localhost:PORT/audiohook/ws``)."""
        return self._field("tls_audiohook_url")

    @property
    def tls_trd_url(self) -> str:
        """The TRD v3 API base through the TLS front."""
        return self._field("tls_trd_url")

    @property
    def tls_trd_license_url(self) -> str:
        """The license server's token endpoint through the TLS front."""
        return self._field("tls_trd_license_url")

    @property
    def tls_ca_pem(self) -> str:
        """The PEM of the TLS front's private CA, trusted nowhere until a client adds it."""
        return self._field("tls_ca_pem")

    def set_faults(self, **faults: typing.Any) -> None:
        """Replaces the fault switches, e.g. ``set_faults(reject_auth=True)``; the ones not
        named are switched off. Unknown names or wrong types raise ``InvalidArgument``."""
        if not self._finalizer.alive:
            raise Closed("the emulator is closed")
        request = urllib.request.Request(self._field("faults_url"), method="PUT",
                                         data=json.dumps(faults).encode(),
                                         headers={"Content-Type": "application/json"})
        # Loopback only: no proxy from the environment may see this request.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=_WAIT_SECONDS):
                pass
        except urllib.error.HTTPError as error:
            detail = json.loads(error.read() or b"{}").get("detail", str(error))
            raise InvalidArgument(f"faults: {detail}") from None
        except OSError as error:
            raise ConnectError(f"the emulator did not answer: {error}") from error

    def close(self) -> None:
        """Stops the emulator (its sessions end, its port closes). Safe to call twice."""
        self._finalizer()

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "running" if self._finalizer.alive else "closed"
        return f"<das.Emulator {self.base_url} {state}>"
