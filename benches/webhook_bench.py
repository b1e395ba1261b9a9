"""Webhook receiver deliveries/s with wrk: `das webhook serve` (release build) against the
FastAPI/uvicorn receiver of benches/peers/fastapi_receiver.py doing the same checks, over HTTP
and HTTPS, without and with a spool directory (fsync before the 200). Each server runs alone in
its own process; wrk posts the seed document (with the receiver's token added) on keep-alive
connections; the server's CPU time (user + system, from /proc) is read around the wrk run.

Usage: python benches/webhook_bench.py [--das PATH] [--seconds S] [--connections C]
                                        [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "fixtures" / "trd" / "seed_3_11_verbatim.json"
FASTAPI = ROOT / "benches" / "peers" / "fastapi_receiver.py"
LUA = ROOT / "benches" / "webhook_post.lua"
TOKEN = "bench-webhook-token"
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server did not listen on {port} within {timeout} s")


def self_signed(directory: Path) -> tuple:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def server_command(kind: str, das: Path, python: str, port: int, tls: bool, spool: Path | None,
                   pem: tuple) -> list:
    if kind == "das":
        command = [str(das), "webhook", "serve", "--host", "127.0.0.1", "--port", str(port),
                   "--token", TOKEN]
        if tls:
            command += ["--cert", str(pem[0]), "--key", str(pem[1])]
        else:
            command.append("--http")
    else:
        command = [python, str(FASTAPI), "--port", str(port), "--token", TOKEN]
        if tls:
            command += ["--cert", str(pem[0]), "--key", str(pem[1])]
    if spool is not None:
        command += ["--spool", str(spool)]
    return command


def one_run(kind: str, tls: bool, spooled: bool, args: argparse.Namespace, work: Path,
            body: Path, pem: tuple) -> dict:
    port = free_port()
    spool = work / f"spool-{kind}-{int(tls)}" if spooled else None
    # Output goes to a file: an unread pipe would fill up and stall the server.
    log = open(work / f"server-{kind}.log", "wb")
    server = subprocess.Popen(
        server_command(kind, args.das, sys.executable, port, tls, spool, pem),
        stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, server)
        scheme = "https" if tls else "http"
        url = f"{scheme}://127.0.0.1:{port}/{json.loads(body.read_bytes())['job']['id']}"
        before = cpu_seconds(server.pid)
        done = subprocess.run(
            ["wrk", "-t1", f"-c{args.connections}", f"-d{args.seconds}s", "--latency", "-s",
             str(LUA), url], env={**os.environ, "WEBHOOK_BODY": str(body)},
            capture_output=True, text=True, timeout=args.seconds + 60)
        server_cpu = cpu_seconds(server.pid) - before
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    line = next((l for l in done.stdout.splitlines() if l.startswith("{")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed: {done.stdout}\n{done.stderr}")
    stats = json.loads(line)
    seconds = stats["duration_us"] / 1e6
    # Non-2xx answers: under this load only 503 + Retry-After (the delivery queue is full,
    # the consumer lags); every request carries a valid body and token.
    refused = stats["status_errors"]
    errors = sum(stats[k] for k in ("connect_errors", "read_errors", "write_errors",
                                    "timeouts"))
    delivered = stats["requests"] - refused
    return {
        "server": "das webhook serve" if kind == "das" else "FastAPI + uvicorn",
        "transport": "HTTPS" if tls else "HTTP", "spool": spooled,
        "deliveries_per_s": delivered / seconds, "requests_per_s": stats["requests"] / seconds,
        "requests": stats["requests"], "refused_503": refused, "socket_errors": errors,
        "p50_ms": stats["p50_us"] / 1000, "p99_ms": stats["p99_us"] / 1000,
        "server_cpu_s": server_cpu, "server_cpu_per_request_us":
            server_cpu / max(stats["requests"], 1) * 1e6,
        "server_cpu_share": server_cpu / seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="webhook receiver throughput with wrk")
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    parser.add_argument("--das", type=Path, default=target / "release" / "das")
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not args.das.exists():
        sys.exit(f"{args.das} missing: build it with `cargo build --release -p libdas-cli`")
    if shutil.which("wrk") is None:
        sys.exit("wrk missing: apt-get install -y wrk")
    rows = []
    with tempfile.TemporaryDirectory(prefix="webhook-bench-") as tmp:
        work = Path(tmp)
        body = work / "body.json"
        document = json.loads(SEED.read_bytes())
        document["token"] = TOKEN
        body.write_text(json.dumps(document, ensure_ascii=False))
        body_size = body.stat().st_size
        pem = self_signed(work)
        for spooled in (False, True):
            for tls in (False, True):
                for kind in ("das", "fastapi"):
                    rows.append(one_run(kind, tls, spooled, args, work, body, pem))
    load = os.getloadavg()
    print(f"wrk -t1 -c{args.connections} -d{args.seconds}s, {body_size} B body, "
          f"{os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n")
    print("| server | transport | spool (fsync) | deliveries/s (200) | requests/s | 503 "
          "| socket errors | p50 | p99 | server CPU | CPU per request |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['server']} | {r['transport']} | {'yes' if r['spool'] else 'no'} "
              f"| {r['deliveries_per_s']:,.0f} | {r['requests_per_s']:,.0f} "
              f"| {r['refused_503']} | {r['socket_errors']} "
              f"| {r['p50_ms']:.2f} ms | {r['p99_ms']:.2f} ms "
              f"| {r['server_cpu_share'] * 100:.0f} % "
              f"| {r['server_cpu_per_request_us']:.0f} µs |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "bench": "webhook", "seconds": args.seconds, "connections": args.connections,
            "body_bytes": body_size, "cpus": os.cpu_count(), "load_average": load,
            "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
