"""Incoming events through the wheel's Socket.IO client, for counting what one event costs.

Starts the python-socketio test peer (tests/peers/sio_server.py) in a child process, connects
`das._native.SioConnection` (what `das.Client` runs on) to `/`, asks the peer for a burst of
COUNT small `tick` events and takes them with `next()` until the last, then disconnects and
waits for the end. Run it under callgrind at two counts; the difference in instructions over
the difference in events is the cost of one event in this process (the peer is not traced):

  valgrind --tool=callgrind --trace-children=no --callgrind-out-file=/tmp/cg.%p \\
      .venv/bin/python benches/python_sio_events.py 1000
  (then 5000; callgrind_annotate prints each file's total)

Usage: python benches/python_sio_events.py COUNT
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from das import _native

ROOT = Path(__file__).resolve().parents[1]
PEER = ROOT / "tests" / "peers" / "sio_server.py"
WAIT = 30.0


def take(conn: _native.SioConnection, kind: str) -> tuple:
    while True:
        item = conn.next(WAIT)
        if item is None:
            sys.exit(f"no {kind!r} item within {WAIT} s")
        if item[0] == kind:
            return item


def main() -> None:
    count = int(sys.argv[1])
    peer = subprocess.Popen([sys.executable, str(PEER)], stdout=subprocess.PIPE, text=True)
    try:
        assert peer.stdout is not None
        port = int(peer.stdout.readline())
        conn = _native.SioConnection.connect(
            f"http://127.0.0.1:{port}/socket.io", [("Authorization", "Bearer bench")], None,
            ["/"], "socket.io", WAIT, _native.ReconnectionSettings(reconnection=False))
        take(conn, "connect")
        conn.emit("/", "burst", [count])
        for expected in range(count):
            item = take(conn, "event")
            if item[2] != "tick" or item[3][0]["i"] != expected:
                sys.exit(f"{item[:4]} instead of tick {expected}")
        conn.disconnect()
        take(conn, "end")
        print(count, "events")
    finally:
        peer.kill()
        peer.wait()


if __name__ == "__main__":
    main()
