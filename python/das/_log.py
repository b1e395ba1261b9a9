"""Moves the Rust core's log records to the ``das`` logger on a daemon thread of its own (runtime
threads never take the GIL, see python/src/log.rs), and again in a forked child."""

from __future__ import annotations

import logging
import os
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


def _start() -> None:
    threading.Thread(target=_forward, name="das-log", daemon=True).start()


_start()
# A forked child has no forwarding thread: without its own, its records would never arrive.
if hasattr(os, "register_at_fork"):  # POSIX only
    os.register_at_fork(after_in_child=_start)
