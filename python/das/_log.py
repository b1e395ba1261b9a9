"""Moves the Rust core's log records to the ``das`` logger on a daemon thread of its own (runtime
threads never take the GIL, see python/src/log.rs); the package starts another in a forked child."""

from __future__ import annotations

import logging
import threading

from . import _native

__all__: list[str] = []

_logger = logging.getLogger("das")


def _forward() -> None:
    while True:
        records = _native.next_log_records(0.5, _logger.getEffectiveLevel())
        if records is None:
            return
        for level, message in records:
            _logger.log(level, "%s", message)


def start_forwarding() -> None:
    """Starts the forwarding thread: at import, and in a forked child, which has none."""
    threading.Thread(target=_forward, name="das-log", daemon=True).start()


start_forwarding()
