"""``das.AudioChannel``: stream call audio to a das-Peak audio consumer (Genesys AudioHook or
Twilio Media Streams), announcing the session's ``call_id``."""

from __future__ import annotations

import os
from typing import Optional, Tuple, Union

from . import _native


__all__ = ["AudioChannel"]

class AudioChannel:
    """An open audio channel; also a context manager that closes it.

    ``protocol`` is ``'audiohook'`` (``organization_id``, ``api_key`` and a base64
    ``client_secret`` as the consumer requires) or ``'twilio'`` (the das-Peak subset; full
    Twilio frames when ``stream_sid`` is given). Bytes given to ``send`` are in ``codec``
    (``'mulaw'``, ``'alaw'``, ``'l16'``) at ``sample_rate``, ``channels`` interleaved.
    With ``realtime`` (the default) frames leave at 1x real time. ``root_certificate_pem``
    adds trusted roots for a ``wss://`` consumer with a private or self-signed certificate;
    ``trusted_roots`` is ``'bundled'``, ``'system'`` (``SSL_CERT_FILE``/``SSL_CERT_DIR`` when
    set, else the system store) or ``'both'`` (the default). An untrusted certificate raises
    ``das.TlsError`` naming its issuer. ``proxy``: ``None`` (the environment), ``''`` (none)
    or ``http://[user:password@]host:port``.
    """

    def __init__(self, url: str, protocol: str = "audiohook", *, call_id: str,
                 codec: str = "mulaw", sample_rate: int = 8000, channels: int = 1,
                 realtime: bool = True, organization_id: Optional[str] = None,
                 api_key: Optional[str] = None, client_secret: Optional[str] = None,
                 stream_sid: Optional[str] = None, account_sid: Optional[str] = None,
                 track: str = "inbound", buffer_bytes: int = 160_000,
                 root_certificate_pem: Optional[str] = None,
                 trusted_roots: str = "both", proxy: Optional[str] = None) -> None:
        self.config = _native.ChannelConfig(
            url, protocol, codec=codec, sample_rate=sample_rate, channels=channels,
            realtime=realtime, organization_id=organization_id, api_key=api_key,
            client_secret=client_secret, stream_sid=stream_sid, account_sid=account_sid,
            track=track, buffer_bytes=buffer_bytes, root_certificate_pem=root_certificate_pem,
            trusted_roots=trusted_roots, proxy=proxy)
        self.call_id = call_id
        self._channel = _native.AudioChannel.open(self.config, call_id)

    def send(self, data: bytes, wait: bool = True) -> None:
        """Queues ``data`` (copied). Without ``wait``, raises ``WouldBlock`` when full."""
        self._channel.send(bytes(data), wait)

    def send_wav(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Converts a WAV file (PCM16, µ-law or A-law, any rate) to the channel's format and
        queues it, waiting for room."""
        self._channel.send_wav(os.fspath(path))

    def close(self) -> str:
        """Flushes and ends the stream: ``'finished'``, ``'consumer-closed'`` (the consumer
        had enough audio) or ``'closed'`` when already closed."""
        return self._channel.close()

    @property
    def counters(self) -> Tuple[int, int, int]:
        """Bytes ``(queued, sent, dropped)``."""
        return self._channel.counters

    def __enter__(self) -> "AudioChannel":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
