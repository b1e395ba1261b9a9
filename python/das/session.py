"""``das.RegisterSession`` / ``das.VerifySession``: a das-Peak session in a few lines. The
session connects, sends ``initialize``, opens its audio channel at ``info-consumer-ready`` and
streams what you push; ``events()`` yields every event until the result. Without ``audio_url``
the session is signalling only: someone else streams the call with its ``call_id`` (Genesys
Cloud does, with the conversation id), and the metadata announces ``audio_protocol``,
``audio_codec``, ``sample_rate`` and ``channels`` (AudioHook, µ-law, 8 kHz, mono by default)."""

from __future__ import annotations

import difflib
import os
import threading
from typing import (TYPE_CHECKING, Any, Dict, Iterator, Mapping, Optional, TypedDict, TypeVar,
                    Union)

from . import _native
from ._errors import Closed
from ._native import Event

if TYPE_CHECKING:
    # Only type checkers read it (annotations are not evaluated at run time).
    from typing_extensions import Unpack

__all__ = ["Event", "RegisterSession", "SessionOptions", "VerifySession"]


class SessionOptions(TypedDict, total=False):
    """The keyword options of ``RegisterSession``/``VerifySession`` and their asyncio
    flavours (one declaration, so type checkers and the constructors agree)."""

    # Credentials: a token endpoint and client credentials, or a ready header value.
    token_url: str
    client_id: str
    client_secret: str
    authorization: str
    # The initialize request.
    call_id: str
    model_hash: str
    authenticity_threshold: float
    score_threshold: float
    audio_total_duration: float
    audio_codec: str
    sample_rate: int
    channels: int
    metadata: Dict[str, Any]
    request: Dict[str, Any]
    payload: Dict[str, Any]
    # Signalling.
    namespace: str
    socketio_path: str
    connect_timeout: float
    event_timeout: float
    root_certificate_pem: str
    trusted_roots: str
    # None: the environment's proxy variables; "": no proxy; or http:// (or https://,
    # socks5h://, socks5://) [user:pass@]host:port.
    proxy: Optional[str]
    # The audio channel (with ``audio_url``).
    audio_url: str
    audio_protocol: str
    codec: str
    realtime: bool
    organization_id: str
    api_key: str
    client_secret_audio: str
    stream_sid: str
    account_sid: str
    track: str
    buffer_bytes: int


_OPTION_NAMES = frozenset(SessionOptions.__annotations__)


def check_options(cls: type, options: Mapping[str, object]) -> None:
    """Raises ``TypeError`` at construction for a keyword that is not an option, as Python
    does for a misspelled parameter (type checkers see it earlier, from ``SessionOptions``)."""
    for name in options:
        if name not in _OPTION_NAMES:
            close = difflib.get_close_matches(name, sorted(_OPTION_NAMES), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise TypeError(f"{cls.__name__}() got an unexpected keyword argument {name!r}{hint}")


_S = TypeVar("_S", bound="_Session")


class _Session:
    _kind = ""

    def __init__(self, url: str, *, credential: Optional[str] = None,
                 **options: Unpack[SessionOptions]) -> None:
        check_options(type(self), options)
        settings: Dict[str, Any] = dict(options)
        self.url = url
        self.event_timeout: float = settings.pop("event_timeout", 30.0)
        self.result: Optional[Event] = None
        audio_url = settings.pop("audio_url", None)
        # audio_protocol stays in the options: the metadata announces it, with or without an
        # audio channel of this session.
        self._audio_config = _channel_config(audio_url, settings.get("audio_protocol"), settings)
        if credential is not None:
            settings["credential"] = credential
        self._options = settings
        self._native: Optional[_native.Session] = None
        self._ended = False
        # close() from another thread ends a start still connecting; the lock orders a start
        # that just finished against a close, so that neither leaves the session open.
        self._cancel = _native.StartCancel()
        self._lock = threading.Lock()

    def start(self: _S) -> _S:
        """Connects and sends ``initialize`` (``with`` does this for you). ``close()`` from
        another thread makes a start still connecting raise ``Closed``."""
        native = _native.Session.start(
            self._kind, self.url, audio_channel=self._audio_config, cancel=self._cancel,
            **self._options)
        with self._lock:
            if not self._cancel.cancelled:
                self._native = native
                return self
        native.close()
        raise Closed("the session was closed while starting")

    @property
    def call_id(self) -> str:
        return self._session().call_id

    @property
    def namespace(self) -> str:
        return self._session().namespace

    def events(self, timeout: Optional[float] = None) -> Iterator[Event]:
        """Yields events in order, each within ``timeout`` seconds (default
        ``event_timeout``, else ``das.TimeoutError``), up to and including the first event
        after which no result can follow (``Event.is_final``): the result
        (``result-success``/``result-failure``, also kept in ``.result``), an ``error``,
        ``disconnected``, or an ``audio-ended`` whose channel failed before sending audio."""
        session = self._session()
        wait = self.event_timeout if timeout is None else timeout
        while not self._ended:
            try:
                event = session.next_event(wait)
            except Closed:
                self._ended = True
                return
            yield self._took(event)

    def next_event_nowait(self) -> Optional[Event]:
        """The next event if one is pending, else ``None`` (never blocks); raises ``Closed``
        after the last. With ``fileno()``, for a program's own event loop."""
        session = self._session()
        try:
            event = session.next_event_nowait()
        except Closed:
            self._ended = True
            raise
        return None if event is None else self._took(event)

    def fileno(self) -> int:
        """A descriptor that is readable while an event or the end is pending (for
        ``selectors``, ``select``, ``loop.add_reader``): when it is, call
        ``next_event_nowait()`` until it returns ``None``. Never read from or close it; it lives
        as long as the session."""
        return self._session().fileno()

    def _took(self, event: Event) -> Event:
        """Notes what ``event`` means for the session: the result, the end."""
        if event.is_result:
            self.result = event
        if event.is_final:
            self._ended = True
        return event

    def wait_result(self, timeout: Optional[float] = None) -> Optional[Event]:
        """Consumes events until the result; returns it (``None`` if the session ended
        without one)."""
        for _ in self.events(timeout):
            pass
        return self.result

    def push_audio(self, data: bytes, wait: bool = False) -> None:
        """Queues call audio in the channel's wire codec (copied). Without ``wait``, raises
        ``WouldBlock`` when the buffer is full."""
        self._session().push_audio(bytes(data), wait)

    def push_wav(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Converts a WAV file to the channel's format and queues it, waiting for room."""
        self._session().push_wav(os.fspath(path))

    def end_audio(self) -> None:
        """No more audio: what is queued is sent, then the channel closes."""
        self._session().end_audio()

    def close(self) -> None:
        """Disconnects (bounded wait), or ends a ``start()`` still connecting in another
        thread. Safe to call twice."""
        with self._lock:
            self._cancel.cancel()
            native = self._native
        if native is not None:
            native.close()
        self._ended = True

    def _session(self) -> _native.Session:
        if self._native is None:
            raise Closed("the session was not started; use `with` or start()")
        return self._native

    def __enter__(self: _S) -> _S:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


class RegisterSession(_Session):
    """Enrols a speaker. ``url`` as in the documented example; the keyword options are
    ``SessionOptions``. Credentials either as
    ``token_url``/``client_id``/``client_secret`` or a ready ``authorization`` header value.
    Options: ``model_hash``, ``authenticity_threshold``, ``audio_total_duration``, ``call_id``,
    ``audio_codec``, ``sample_rate``, ``channels``, ``namespace``, ``socketio_path``,
    ``connect_timeout``, and dicts ``metadata``/``request``/``payload`` merged into
    ``initialize``. Audio: ``audio_url`` and ``audio_protocol`` plus the ``das.AudioChannel``
    options (``organization_id``, ``api_key``, ``client_secret_audio``, ``realtime``, ...);
    without ``audio_url`` the session is signalling only (``push_audio`` raises
    ``das.NotReady``) and waits for audio streamed by someone else with its ``call_id``.
    ``root_certificate_pem`` adds trusted roots for every TLS connection the session makes
    (token endpoint, signalling, audio channel, an ``https://`` proxy), besides ``trusted_roots``: ``'bundled'``,
    ``'system'`` (``SSL_CERT_FILE``/``SSL_CERT_DIR`` when set, else the system store) or
    ``'both'`` (the default). ``proxy``: ``None`` (the environment's ``HTTPS_PROXY``,
    ``HTTP_PROXY``, ``ALL_PROXY``, ``NO_PROXY``), ``''`` (none) or
    ``http://[user:password@]host:port``, for every connection."""

    _kind = "register"


class VerifySession(_Session):
    """Verifies a speaker against ``credential`` (from a registration's result); otherwise as
    ``RegisterSession``."""

    _kind = "verify"

    def __init__(self, url: str, credential: str, **options: Unpack[SessionOptions]) -> None:
        super().__init__(url, credential=credential, **options)


_CHANNEL_OPTIONS = ("codec", "realtime", "organization_id", "api_key", "client_secret_audio",
                    "stream_sid", "account_sid", "track", "buffer_bytes")


def _channel_config(audio_url: Optional[str], protocol: Optional[str],
                    options: Dict[str, Any]) -> Optional[_native.ChannelConfig]:
    """The audio channel options, taken out of ``options``."""
    channel = {key: options.pop(key) for key in _CHANNEL_OPTIONS if key in options}
    if audio_url is None:
        if channel:
            raise TypeError(f"audio options {sorted(channel)} need audio_url")
        return None
    if "client_secret_audio" in channel:
        channel["client_secret"] = channel.pop("client_secret_audio")
    for key in ("sample_rate", "channels", "root_certificate_pem", "trusted_roots"):
        if key in options:
            channel[key] = options[key]
    if "audio_codec" in options:
        channel["codec"] = options["audio_codec"]
    return _native.ChannelConfig(audio_url, protocol or "audiohook", **channel)
