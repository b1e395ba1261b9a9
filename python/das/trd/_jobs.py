"""TRD jobs: ``Client`` (also TRD's webhook set-up) submits recordings and reads jobs back (``create_job``, ``status``,
``result``, ``list``, ``stop``, ``retry``, ``delete``, ``query``) and ``transcribe`` does it
all in one call, as trd-sdk-python's ``TranscriptionClient.transcribe`` does. ``AsyncClient``
is the same for asyncio. Jobs and results are the typed records of ``das.trd``."""

from __future__ import annotations

import json
import os
import typing as t

from .. import _native
from ._model import Job, JobResult
from ._receiver import WebhookReceiver

__all__ = ["Client", "AsyncClient", "JobWebhooks", "JobPage"]

PathLike = t.Union[str, "os.PathLike[str]"]
ConfigItem = t.Union[str, t.Dict[str, t.Any]]


class JobPage(t.NamedTuple):
    """One page of ``Client.list``: the jobs, and the total TRD reports (``None`` if not)."""

    jobs: t.List[Job]
    total: t.Optional[int]


class JobWebhooks:
    """A webhook receiver shared by any number of ``transcribe`` calls: each registers
    ``url`` as a callback of its job and waits for its own result. Make it with
    ``Client.start_webhooks``; ``close()`` stops it."""

    def __init__(self, native: _native.TrdJobWebhooks) -> None:
        self._native = native

    @property
    def url(self) -> str:
        """The callback URL given to TRD."""
        return self._native.url

    def close(self) -> None:
        self._native.shutdown()

    def __enter__(self) -> "JobWebhooks":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _config(items: t.Iterable[ConfigItem]) -> t.List[str]:
    return [item if isinstance(item, str) else json.dumps(item) for item in items]


class Client:
    """TRD's REST API v3 at ``base_url`` (``https://speech.cpqd.com.br/trd/v3``): jobs and
    webhook set-up (``whoami``, ``validate``, ``start_webhook``).

    Credentials: ``bearer`` (a ready-made token); ``username`` + ``password`` with
    ``token_url`` (the CPqD license server; tokens refreshed before they expire); ``username``
    + ``password`` alone (HTTP Basic); or none. ``timeout`` (seconds) bounds each request;
    answers 429/503 are retried honouring ``Retry-After``. TLS trusts ``trusted_roots``
    (``'bundled'``, ``'system'`` or ``'both'``, the default) plus ``root_certificate_pem``.
    ``proxy``: ``None`` (the environment's ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY``), ``''``
    (none) or ``http://[user:password@]host:port``.
    Errors: ``AuthError``, ``RejectedError`` (400/413/422 with the server's detail),
    ``NotFoundError``, ``BusyError``, ``TimeoutError``, ``ConnectError``, ``IoError``
    (unreadable file), ``InvalidArgument`` (empty file, bad config item or job id),
    ``JobFailedError``.
    """

    def __init__(self, base_url: str, *, bearer: t.Optional[str] = None,
                 token_url: t.Optional[str] = None, username: t.Optional[str] = None,
                 password: t.Optional[str] = None, timeout: float = 10.0,
                 root_certificate_pem: t.Optional[str] = None,
                 trusted_roots: str = "both", proxy: t.Optional[str] = None) -> None:
        self._webhook_calls = _native.TrdClient(
            base_url, bearer=bearer, token_url=token_url, username=username,
            password=password, timeout=timeout, root_certificate_pem=root_certificate_pem,
            trusted_roots=trusted_roots, proxy=proxy)
        self._native = self._webhook_calls.jobs()

    def whoami(self) -> str:
        """This machine's address as TRD sees it."""
        return self._webhook_calls.whoami()

    def validate(self, url: str, *, token: t.Optional[str] = None, crt: t.Optional[str] = None,
                 attempt_timeout: t.Optional[int] = None, retries: t.Optional[int] = None) -> bool:
        """Whether TRD can reach the webhook at ``url``; registers ``token``/``crt`` if given."""
        return self._webhook_calls.validate(url, token=token, crt=crt,
                                       attempt_timeout=attempt_timeout, retries=retries)

    def start_webhook(self, host: str = "0.0.0.0", port: int = 0,
                      **options: t.Any) -> WebhookReceiver:
        """One call: ``whoami`` (unless ``public_host``), a receiver with a self-signed
        certificate and a fresh token (unless given), registered with ``validate``. Options as
        for ``WebhookReceiver``."""
        if options.get("spool") is not None:
            options["spool"] = os.fspath(options["spool"])
        return WebhookReceiver(_native_receiver=self._webhook_calls.start_webhook(host, port,
                                                                             **options))

    def create_job(self, path: PathLike, *, config: t.Iterable[ConfigItem] = (),
                   callback_urls: t.Sequence[str] = (), tag: t.Optional[str] = None) -> Job:
        """Uploads the recording (streamed from disk) and returns the created job.
        ``config`` items are ``"key=value"`` strings or dicts (sent as JSON)."""
        view = self._native.create_job(os.fspath(path), config=_config(config),
                                       callback_urls=list(callback_urls), tag=tag)
        return JobResult(view).job

    def status(self, job_id: str) -> Job:
        return JobResult(self._native.call("status", job_id)).job

    def result(self, job_id: str) -> JobResult:
        return JobResult(self._native.call("result", job_id))

    def stop(self, job_id: str) -> Job:
        """Stops a queued or running job; returns it afterwards."""
        return JobResult(self._native.call("stop", job_id)).job

    def retry(self, job_id: str) -> Job:
        """Runs a finished or failed job again; returns it queued."""
        return JobResult(self._native.call("retry", job_id)).job

    def delete(self, job_id: str) -> None:
        self._native.delete(job_id)

    def list(self, *, page: t.Optional[int] = None, limit: t.Optional[int] = None,
             tag: t.Optional[str] = None) -> JobPage:
        views, total = self._native.list(page=page, limit=limit, tag=tag)
        return JobPage([JobResult(view).job for view in views], total)

    def query(self, *, tags: t.Sequence[str] = (), filenames: t.Sequence[str] = (),
              statuses: t.Sequence[str] = (), projection: t.Sequence[str] = (),
              with_result: bool = False, page: t.Optional[int] = None,
              limit: t.Optional[int] = None, start_date: t.Optional[str] = None,
              end_date: t.Optional[str] = None) -> t.Iterator[JobResult]:
        """The matching jobs (``segments`` too with ``with_result``), read one line at a time
        as TRD streams them."""
        filter_: t.Dict[str, t.Any] = {
            "tags": list(tags), "filenames": list(filenames), "statuses": list(statuses),
            "projection": list(projection), "with_result": with_result, "page": page,
            "limit": limit, "start_date": start_date, "end_date": end_date}
        records = self._native.query(json.dumps({k: v for k, v in filter_.items()
                                                 if v is not None}))
        while True:
            view = records.next_record()
            if view is None:
                return
            yield JobResult(view)

    def start_webhooks(self, host: str = "127.0.0.1", port: int = 0, *,
                       public_host: t.Optional[str] = None, tls: str = "self-signed",
                       validate: bool = True) -> JobWebhooks:
        """Starts a receiver for ``transcribe(webhooks=...)``: HTTPS with a self-signed
        certificate (``tls="plain"`` for HTTP) on ``host:port``, reached by TRD as
        ``public_host``; with ``validate`` registered through ``webhook/validate`` first."""
        return JobWebhooks(self._native.start_webhooks(host, port, public_host=public_host,
                                                       tls=tls, validate=validate))

    def transcribe(self, path: PathLike, *, config: t.Iterable[ConfigItem] = (),
                   callback_urls: t.Sequence[str] = (), tag: t.Optional[str] = None,
                   webhooks: t.Optional[JobWebhooks] = None, timeout: float = 1800.0,
                   stop_on_timeout: bool = False, delete_after: bool = False) -> JobResult:
        """Creates the job and waits up to ``timeout`` seconds for its result, through
        ``webhooks`` or by polling ``job/status`` with backoff. Raises ``JobFailedError`` for
        a ``FAILED`` job and ``TimeoutError`` when no result came (after ``job/stop`` if
        ``stop_on_timeout``)."""
        native_hooks = webhooks._native if webhooks is not None else None
        return JobResult(self._native.transcribe(
            os.fspath(path), config=_config(config), callback_urls=list(callback_urls),
            tag=tag, webhooks=native_hooks, timeout=timeout, stop_on_timeout=stop_on_timeout,
            delete_after=delete_after))


class AsyncClient:
    """``Client`` for asyncio: the same methods as coroutines (each runs the blocking call in
    the loop's default executor, outside the GIL), ``query`` as an async iterator."""

    def __init__(self, base_url: str, **options: t.Any) -> None:
        self._sync = Client(base_url, **options)

    async def _run(self, function: t.Any, *args: t.Any, **kwargs: t.Any) -> t.Any:
        import asyncio  # here, not at import time: see das.__getattr__
        import functools

        call = functools.partial(function, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(None, call)

    async def whoami(self) -> str:
        result: str = await self._run(self._sync.whoami)
        return result

    async def validate(self, url: str, **options: t.Any) -> bool:
        result: bool = await self._run(self._sync.validate, url, **options)
        return result

    async def create_job(self, path: PathLike, **options: t.Any) -> Job:
        result: Job = await self._run(self._sync.create_job, path, **options)
        return result

    async def status(self, job_id: str) -> Job:
        result: Job = await self._run(self._sync.status, job_id)
        return result

    async def result(self, job_id: str) -> JobResult:
        result: JobResult = await self._run(self._sync.result, job_id)
        return result

    async def stop(self, job_id: str) -> Job:
        result: Job = await self._run(self._sync.stop, job_id)
        return result

    async def retry(self, job_id: str) -> Job:
        result: Job = await self._run(self._sync.retry, job_id)
        return result

    async def delete(self, job_id: str) -> None:
        await self._run(self._sync.delete, job_id)

    async def list(self, **options: t.Any) -> JobPage:
        result: JobPage = await self._run(self._sync.list, **options)
        return result

    async def query(self, **options: t.Any) -> t.AsyncIterator[JobResult]:
        records = self._sync.query(**options)
        done = object()
        while True:
            record = await self._run(next, records, done)
            if record is done:
                return
            yield record

    async def start_webhooks(self, *args: t.Any, **options: t.Any) -> JobWebhooks:
        result: JobWebhooks = await self._run(self._sync.start_webhooks, *args, **options)
        return result

    async def transcribe(self, path: PathLike, **options: t.Any) -> JobResult:
        result: JobResult = await self._run(self._sync.transcribe, path, **options)
        return result
