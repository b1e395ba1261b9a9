"""A forked child (multiprocessing's default on Linux, gunicorn and Celery workers) uses libdas
on its own: it starts its own runtime, even when the parent's ran sessions before the fork
(waiting on the parent's, which no thread drives in the child, hung past every timeout), and
its log records reach its `logging` (the parent's forwarding thread does not exist there)."""

from __future__ import annotations

import json
import logging
import os
import select
import signal
import threading
import time
import warnings
from typing import Callable, Dict, List

import pytest

import das

#: Bound on the child's whole run; a child that hangs is killed and the test fails.
CHILD_SECONDS = 60.0


def first_event(emulator: das.Emulator) -> str:
    """A signalling-only session's first event."""
    options = dict(token_url=emulator.token_url, client_id=emulator.client_id,
                   client_secret=emulator.client_secret, connect_timeout=10.0)
    with das.RegisterSession(emulator.socketio_url, **options) as session:  # type: ignore[arg-type]
        return next(iter(session.events())).name


def in_forked_child(work: Callable[[], Dict[str, object]]) -> Dict[str, object]:
    """`work()`'s result, computed in a forked child."""
    reader, writer = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12+ warns that forking a threaded process may deadlock the child: that
        # child is what this test is about.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:
        status = 1
        try:
            os.close(reader)
            try:
                outcome = work()
            except BaseException as error:  # reported to the parent, which fails the test
                outcome = {"error": f"{type(error).__name__}: {error}"}
            os.write(writer, json.dumps(outcome).encode())
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    try:
        ready, _, _ = select.select([reader], [], [], CHILD_SECONDS)
        if not ready:
            os.kill(pid, signal.SIGKILL)
            raise AssertionError(f"the forked child hung for {CHILD_SECONDS:.0f} s")
        report = b""
        while chunk := os.read(reader, 65536):
            report += chunk
    finally:
        os.close(reader)
        _, status = os.waitpid(pid, 0)
    assert status == 0, f"the forked child failed (status {status})"
    result: Dict[str, object] = json.loads(report)
    return result


def test_a_child_forked_after_sessions_runs_its_own(emulator: das.Emulator) -> None:
    assert first_event(emulator) == "info-consumer-ready"  # the parent's runtime is running
    child = in_forked_child(lambda: {"event": first_event(emulator)})
    assert child == {"event": "info-consumer-ready"}
    assert first_event(emulator) == "info-consumer-ready"  # and the parent's still runs


def test_a_forked_childs_log_records_reach_its_logging(emulator: das.Emulator) -> None:
    def session_with_records() -> Dict[str, object]:
        messages: List[str] = []

        class Keep(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                messages.append(record.getMessage())

        logger = logging.getLogger("das")
        logger.addHandler(Keep())
        logger.setLevel(logging.INFO)
        event = first_event(emulator)
        deadline = time.monotonic() + 10.0
        while not any("session initialized" in m for m in messages) and time.monotonic() < deadline:
            time.sleep(0.05)
        return {"event": event, "pid": os.getpid(), "messages": messages}

    first_event(emulator)
    child = in_forked_child(session_with_records)
    assert child["event"] == "info-consumer-ready"
    messages = child["messages"]
    assert isinstance(messages, list)
    assert any("session initialized" in str(m) for m in messages), messages


def test_children_forked_while_the_parent_logs_run_their_sessions(
        emulator: das.Emulator, caplog: pytest.LogCaptureFixture) -> None:
    # The parent's runtime thread queues log records while sessions start and end; a fork that
    # caught it holding the queue used to leave the child's first record waiting forever.
    caplog.set_level(logging.INFO, logger="das")  # restored after the test
    stop = threading.Event()

    def sessions_meanwhile() -> None:
        while not stop.is_set():
            first_event(emulator)

    busy = threading.Thread(target=sessions_meanwhile)
    busy.start()
    try:
        for _ in range(20):
            assert in_forked_child(lambda: {"event": first_event(emulator)}) == {
                "event": "info-consumer-ready"}
    finally:
        stop.set()
        busy.join(30)


def test_ctrl_c_reaches_a_child_forked_from_another_thread(emulator: das.Emulator) -> None:
    # The forking thread is the child's only thread, so it is the child's main thread, the one
    # Python delivers signals to: a blocking call there must wake to let Python handle them.
    # The package used to keep its parent's main thread, and then waited out the call's timeout.
    def interrupted_wait() -> Dict[str, object]:
        # Started from a background job, a process inherits SIGINT ignored.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        options = dict(token_url=emulator.token_url, client_id=emulator.client_id,
                       client_secret=emulator.client_secret, connect_timeout=10.0)
        with das.RegisterSession(emulator.socketio_url, **options) as session:  # type: ignore[arg-type]
            events = session.events(timeout=20.0)
            assert next(events).name == "info-consumer-ready"
            threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT)).start()
            started = time.monotonic()
            try:
                for _ in events:  # nothing comes: a signalling-only session waits for audio
                    pass
            except KeyboardInterrupt:
                return {"interrupted_after": time.monotonic() - started}
            return {"interrupted_after": None}

    outcome: Dict[str, object] = {}

    def fork_from_this_thread() -> None:
        try:
            outcome.update(in_forked_child(interrupted_wait))
        except BaseException as error:  # reported by the assertions below
            outcome["error"] = f"{type(error).__name__}: {error}"

    forker = threading.Thread(target=fork_from_this_thread)
    forker.start()
    forker.join(CHILD_SECONDS + 10)
    seconds = outcome.get("interrupted_after")
    assert isinstance(seconds, float), outcome
    # Woken within a poll interval, not at the end of the 20 s wait.
    assert seconds < 10.0, outcome
