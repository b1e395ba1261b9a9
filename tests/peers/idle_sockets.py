"""Hostile test peer: opens COUNT TCP connections to HOST:PORT that never send a byte, prints
`ready OPENED FAILED`, then holds them until stdin closes (or it is killed).

Raises its own open-file limit as far as the hard limit allows; a caller that needs more
sockets than one process may hold starts several peers.
"""

import argparse
import resource
import socket
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--count", type=int, required=True)
args = parser.parse_args()

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
wanted = args.count + 64
if soft < wanted:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))

held = []
failed = 0
for _ in range(args.count):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(5)
    try:
        sock.connect((args.host, args.port))
        held.append(sock)
    except OSError:
        failed += 1
        sock.close()
print(f"ready {len(held)} {failed}", flush=True)
sys.stdin.read()
