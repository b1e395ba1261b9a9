"""Interpreter exit with daemon threads still calling into libdas: the process exits cleanly.

Exit waits for the threads inside a GIL-free wait of the native module; a thread that starts
one after that must keep the GIL (finalization tears down a thread that asks for it back,
and inside Rust frames that aborts the process with "FATAL: exception not rethrown"). Threads
waiting for session events are let go at exit and can finish.
"""

from __future__ import annotations

import subprocess
import sys

import das

# Daemon threads that keep entering the log reader's wait (what `das/_log.py`'s thread does
# when exit catches it between two calls) and blocking session starts, until exit.
CHILD = """
import threading
import das
from das import _native

def read_logs():
    while True:
        _native.next_log_records(0.0, 0)

def start_sessions():
    while True:
        try:
            das.RegisterSession("http://127.0.0.1:1/socket.io", authorization="Bearer t").start()
        except das.DasError:
            pass

for target in [read_logs] * 4 + [start_sessions] * 2:
    threading.Thread(target=target, daemon=True).start()
print("running", flush=True)
"""


def test_daemon_threads_inside_libdas_do_not_abort_exit() -> None:
    for _ in range(5):
        done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                              timeout=30)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "running"
        assert "FATAL" not in done.stderr


# Daemon threads blocked in `next_event` of live sessions (the emulator waits for audio that
# never comes). The hook registered before `import das` runs after das's own (atexit is LIFO):
# by then exit must have ended the waits (the event iteration ends), so the threads finish.
WAITING = """
import atexit, sys, threading
waiters, results = [], []

def join_waiters():
    for thread in waiters:
        thread.join(10)
    alive = sum(thread.is_alive() for thread in waiters)
    print(f"released {len(results)}, results {results}, still waiting {alive}")

atexit.register(join_waiters)
import das

sio_url, token_url, client_id, secret = sys.argv[1:]
ready = threading.Barrier(3)

def wait_for_events():
    session = das.RegisterSession(sio_url, token_url=token_url, client_id=client_id,
                                  client_secret=secret).start()
    ready.wait()
    for event in session.events(timeout=60):
        pass
    results.append(session.result)

waiters.extend(threading.Thread(target=wait_for_events, daemon=True) for _ in range(2))
for thread in waiters:
    thread.start()
ready.wait()
print("running", flush=True)
"""


def test_exit_releases_threads_waiting_for_session_events(emulator: das.Emulator) -> None:
    done = subprocess.run([sys.executable, "-c", WAITING, emulator.socketio_url,
                           emulator.token_url, emulator.client_id, emulator.client_secret],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "running",
        "released 2, results [None, None], still waiting 0",
    ], done.stdout + done.stderr
