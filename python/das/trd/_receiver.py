"""The TRD webhook receiver (thread and asyncio flavours)."""

from __future__ import annotations

import logging
import os
import threading
from typing import Any, Callable, Iterator, List, Optional, Tuple, Union

from .. import _native
from ._model import JobResult

__all__ = ["Delivery", "WebhookReceiver", "AsyncWebhookReceiver"]

log = logging.getLogger("das.trd")

ResultHandler = Callable[["Delivery"], Any]
PathLike = Union[str, "os.PathLike[str]"]


class Delivery:
    """One result TRD delivered (the receiver already answered 200). With a spool directory
    the body stays on disk until ``ack()``; an unacknowledged delivery comes again, marked
    ``recovered``, from the next receiver on the same spool."""

    __slots__ = ("job_id", "name", "result", "body", "duplicate", "recovered", "_id", "_owner")

    def __init__(self, owner: _native.WebhookReceiver, item: Tuple[Any, ...]) -> None:
        self._id, self.job_id, self.name, data, self.body, self.duplicate, self.recovered = item
        self.result = JobResult(data)
        self._owner = owner

    def ack(self) -> None:
        """The application took responsibility: the spool file (if any) is deleted."""
        self._owner.ack(self._id)

    def __repr__(self) -> str:
        return (f"Delivery(job_id={self.job_id!r}, name={self.name!r}, "
                f"status={self.result.job.status!r}, duplicate={self.duplicate})")


class WebhookReceiver:
    """An HTTP(S) server for ``POST /{job_id}`` and ``POST /{name}/{job_id}``; starts at once.

    ``tls``: ``'self-signed'`` (a certificate for ``hosts``, default loopback; its PEM is
    ``certificate_pem``), ``'plain'``, or ``'pem'`` with ``cert_pem``/``key_pem``. With
    ``token``, deliveries whose body carries another token are refused (401); an empty
    ``token`` raises ``das.InvalidTokenError`` (it would let ``"token": ""`` in). With ``spool``,
    every accepted delivery is kept on disk until acknowledged.

    Take deliveries with ``next()`` / iteration, or register ``@receiver.on_result`` handlers
    and ``start()`` a thread that calls them (acknowledging when a handler returns normally).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, token: Optional[str] = None,
                 tls: str = "self-signed", hosts: Optional[List[str]] = None,
                 cert_pem: Optional[str] = None, key_pem: Optional[str] = None,
                 public_host: Optional[str] = None, spool: Optional[PathLike] = None,
                 queue_bound: int = 1024, body_limit: int = 32 << 20,
                 _native_receiver: Optional[_native.WebhookReceiver] = None) -> None:
        self._native = _native_receiver or _native.WebhookReceiver.start(
            host, port, token=token, tls=tls, hosts=hosts, cert_pem=cert_pem, key_pem=key_pem,
            public_host=public_host, spool=os.fspath(spool) if spool is not None else None,
            queue_bound=queue_bound, body_limit=body_limit)
        self._handlers: List[ResultHandler] = []
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        """The base URL to give TRD (``https://host:port``)."""
        return self._native.url

    @property
    def certificate_pem(self) -> Optional[str]:
        return self._native.certificate_pem

    @property
    def token(self) -> Optional[str]:
        return self._native.token

    @property
    def local_addr(self) -> Tuple[str, int]:
        return self._native.local_addr

    def next(self, timeout: float = 30.0) -> Optional[Delivery]:
        """The next delivery within ``timeout`` seconds, else ``None``."""
        item = self._native.next_delivery(timeout)
        return Delivery(self._native, item) if item is not None else None

    def __iter__(self) -> Iterator[Delivery]:
        """Deliveries until ``close()``."""
        while not self._stop.is_set():
            delivery = self.next(0.2)
            if delivery is not None:
                yield delivery

    def on_result(self, handler: ResultHandler) -> ResultHandler:
        """Decorator: ``handler(delivery)`` runs on the receiver's thread for each delivery."""
        self._handlers.append(handler)
        return handler

    def start(self) -> "WebhookReceiver":
        """Starts the thread that hands deliveries to the ``on_result`` handlers."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._dispatch, name="das-trd-receiver",
                                            daemon=True)
            self._thread.start()
        return self

    def close(self) -> None:
        """Stops the server and the handler thread. Queued deliveries are not lost when a
        spool is configured."""
        self._stop.set()
        self._native.shutdown()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5)

    def __enter__(self) -> "WebhookReceiver":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _dispatch(self) -> None:
        for delivery in self:
            try:
                for handler in self._handlers:
                    handler(delivery)
            except Exception:
                log.exception("result handler failed for job %s; not acknowledged",
                              delivery.job_id)
                continue
            delivery.ack()


class AsyncWebhookReceiver:
    """asyncio flavour: ``async with``, ``await receiver.next()``, ``async for delivery in
    receiver``; same options as ``WebhookReceiver``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._sync = WebhookReceiver(*args, **kwargs)

    @property
    def url(self) -> str:
        return self._sync.url

    @property
    def certificate_pem(self) -> Optional[str]:
        return self._sync.certificate_pem

    @property
    def token(self) -> Optional[str]:
        return self._sync.token

    async def next(self, timeout: float = 30.0) -> Optional[Delivery]:
        import asyncio  # here, not at import time: see das.__getattr__

        return await asyncio.get_running_loop().run_in_executor(None, self._sync.next, timeout)

    def __aiter__(self) -> "AsyncWebhookReceiver":
        return self

    async def __anext__(self) -> Delivery:
        while not self._sync._stop.is_set():
            delivery = await self.next(0.2)
            if delivery is not None:
                return delivery
        raise StopAsyncIteration

    async def close(self) -> None:
        import asyncio

        await asyncio.get_running_loop().run_in_executor(None, self._sync.close)

    async def __aenter__(self) -> "AsyncWebhookReceiver":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

