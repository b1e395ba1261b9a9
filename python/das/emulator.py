"""``das.Emulator``: a local das-Peak Streaming + CPqD TRD service in this process, on a free
loopback port, for your own tests and offline development."""

from __future__ import annotations

from typing import Any, Dict, Optional

from . import _native

__all__ = ["Emulator"]


class Emulator:
    """Starts at once; a context manager that closes it.

    ``config`` names only the emulator settings to change (the JSON form of the Rust
    ``EmulatorConfig``: ``clients``, ``token_ttl_secs``, ``audio_timeout_ms``,
    ``payload_encoding``, ``vad``, ``verify``, ``trd``, ``faults``)."""

    def __init__(self, config: Optional[Dict[str, Any]] = None) -> None:
        self._native = _native.Emulator(config)

    @property
    def base_url(self) -> str:
        return self._native.base_url

    @property
    def socketio_url(self) -> str:
        """The URL to give ``Client.connect`` (``http://127.0.0.1:PORT/socket.io``)."""
        return self._native.socketio_url

    @property
    def token_url(self) -> str:
        """The OAuth2 client-credentials endpoint."""
        return self._native.token_url

    @property
    def twilio_url(self) -> str:
        """The Twilio Media Streams audio consumer (``ws://…/twilio/ws``)."""
        return self._native.twilio_url

    @property
    def audiohook_url(self) -> str:
        return self._native.audiohook_url

    @property
    def trd_url(self) -> str:
        """The TRD v3 API base (bearer token ``demo-trd-token``)."""
        return self._native.trd_url

    @property
    def client_id(self) -> str:
        return self._native.client_id

    @property
    def client_secret(self) -> str:
        return self._native.client_secret

    @property
    def audiohook_api_key(self) -> str:
        """The AudioHook ``X-API-KEY`` the emulator accepts."""
        return self._native.audiohook_api_key

    @property
    def audiohook_client_secret(self) -> str:
        """The base64 AudioHook client secret that signs requests with that key."""
        return self._native.audiohook_client_secret

    @property
    def trd_license_url(self) -> str:
        """The license server's token URL (``das.trd.TrdClient(token_url=...)``)."""
        return self._native.trd_license_url

    @property
    def trd_license_user(self) -> str:
        return self._native.trd_license_user

    @property
    def trd_license_password(self) -> str:
        return self._native.trd_license_password

    def set_faults(self, **faults: Any) -> None:
        """Replaces the fault switches, e.g. ``set_faults(reject_auth=True)``."""
        self._native.set_faults(faults)

    def close(self) -> None:
        self._native.close()

    def __enter__(self) -> "Emulator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
