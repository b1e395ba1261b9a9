"""Interpreter exit with daemon threads still calling into libdas: the process exits cleanly.

Exit waits for the threads inside a GIL-free wait of the native module; a thread that starts
one after that must keep the GIL (finalization tears down a thread that asks for it back,
and inside Rust frames that aborts the process with "FATAL: exception not rethrown").
"""

from __future__ import annotations

import subprocess
import sys

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
