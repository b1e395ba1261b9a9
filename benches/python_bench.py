"""Python wheel benchmark, one run (well under a minute):

1. `das.trd.parse_webhook` vs `json.loads` on the TRD seed document and on a synthetic
   one-hour, two-channel result (the same bytes benches/trd_compare.rs builds), parse alone and
   parse + reading every word's text.
2. CPU per registration session: N concurrent sessions against one emulator (in a child
   process), each streaming speaker-a.wav over Twilio until `result-success`, done by
   `das.RegisterSession` and by python-socketio + websockets, each in its own child process
   whose CPU time (user + system) is measured; the same script with 0 sessions measures the
   interpreter start and imports, reported apart.

Usage: python benches/python_bench.py [SESSIONS] [--parse-only] [--criterion DIR] [--json OUT]
  SESSIONS      concurrent sessions (default 100)
  --parse-only  only section 1
  --criterion   criterion's output directory: adds the Rust rows of benches/trd_compare.rs
  --json        also write the rows as JSON
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import resource
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "fixtures" / "trd" / "seed_3_11_verbatim.json"
WAV = ROOT / "samples" / "speaker-a.wav"
VOCABULARY = ["bom", "dia", "minha", "conta", "cartão", "saldo", "não", "consigo", "acessar",
              "obrigado", "senhor", "número", "protocolo", "atendimento", "ligação", "pagamento"]


def one_hour_two_channels() -> bytes:
    doc = json.loads(SEED.read_bytes())
    doc["job"]["media"]["input"]["channels"] = 2
    doc["job"]["media"]["output"]["channels"] = [
        {"channel": 1, "duration": 3600.0, "speech": 1650.25, "silence": False},
        {"channel": 2, "duration": 3600.0, "speech": 1580.5, "silence": False}]
    segments, start, turn = [], 0.37, 0
    while start < 3595.0:
        text = [VOCABULARY[(turn * 7 + i) % len(VOCABULARY)] for i in range(12)]
        words = [{"text": w, "score": 90 + i % 11, "start_time": i * 0.3617 + 0.00003584186,
                  "end_time": i * 0.3617 + 0.00003584186 + 0.2999999} for i, w in enumerate(text)]
        segments.append({"channel": 1 + turn % 2, "speaker": "1", "start": start,
                         "end": start + 4.3401, "status": "RECOGNIZED", "task_results": {},
                         "alternatives": [{"text": " ".join(text), "words": words, "score": 97,
                                           "lm": "builtin:slm/callcenter-small"}]})
        start += 2.2563
        turn += 1
    doc["segments"] = segments
    doc["token"] = "a8281f88-1b3c-43b5-8fdf-79c35652e112"
    # Compact, keys in insertion order: the bytes benches/trd_compare.rs generates.
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def per_call(fn, body: bytes, seconds: float = 1.5) -> float:
    for _ in range(3):
        fn(body)
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        fn(body)
        count += 1
    return (time.perf_counter() - started) / count


def word_texts_das(body: bytes) -> int:
    import das
    result = das.trd.parse_webhook(body)
    return sum(len(w.text) for s in result.segments or () for a in s.alternatives or ()
               for w in a.words or ())


def word_texts_json(body: bytes) -> int:
    doc = json.loads(body)
    return sum(len(w["text"]) for s in doc.get("segments") or ()
               for a in s.get("alternatives") or () for w in a.get("words") or ())


def documents() -> list:
    return [("seed", "seed (TRD 3.11 sample)", SEED.read_bytes()),
            ("1h", "1 hour, 2 channels", one_hour_two_channels())]


def parse_rows() -> list:
    import das

    rows = []
    for key, label, body in documents():
        for work, ours_fn, stdlib_fn in [("parse", das.trd.parse_webhook, json.loads),
                                         ("parse + every word's text", word_texts_das,
                                          word_texts_json)]:
            ours, stdlib = per_call(ours_fn, body), per_call(stdlib_fn, body)
            rows.append({"document": key, "label": label, "work": work, "bytes": len(body),
                         "sha256": hashlib.sha256(body).hexdigest()[:16],
                         "das_us": ours * 1e6, "json_loads_us": stdlib * 1e6,
                         "das_mb_s": len(body) / ours / 1e6,
                         "json_loads_mb_s": len(body) / stdlib / 1e6,
                         "speedup": stdlib / ours})
    return rows


def criterion_rows(directory: Path) -> list:
    """Mean times of benches/trd_compare.rs from criterion's estimates."""
    rows = []
    docs = documents()
    # The last group parses the 1 h document again with glibc keeping its freed heap.
    groups = [(f"trd_parse_{key}", key, label, body) for key, label, body in docs]
    _, hour_label, hour = docs[1]
    groups.append(("trd_parse_heap_kept_1h", "1h", hour_label + ", heap kept", hour))
    for group, key, label, body in groups:
        for name in ("typed", "serde_json_value"):
            estimates = directory / group / name / "new" / "estimates.json"
            mean_ns = json.loads(estimates.read_text())["mean"]["point_estimate"]
            rows.append({"document": key, "label": label, "parser": name,
                         "bytes": len(body), "mean_us": mean_ns / 1000,
                         "mb_s": len(body) / (mean_ns / 1e9) / 1e6})
    return rows


def print_parse(rows: list, rust: list) -> None:
    if rust:
        print("## Rust: typed parse_webhook vs serde_json::Value (criterion mean)\n")
        print("| document | bytes | parser | time | throughput |")
        print("|---|---:|---|---:|---:|")
        for r in rust:
            print(f"| {r['label']} | {r['bytes']} | {r['parser']} | {r['mean_us']:.1f} µs "
                  f"| {r['mb_s']:.0f} MB/s |")
        print()
    print("## Python: das.trd.parse_webhook vs json.loads (same bytes)\n")
    print("| document | bytes | work | das.trd | json.loads | das speed-up |")
    print("|---|---:|---|---:|---:|---:|")
    for r in rows:
        print(f"| {r['label']} | {r['bytes']} | {r['work']} | {r['das_us']:.1f} µs "
              f"| {r['json_loads_us']:.1f} µs | {r['speedup']:.2f}× |")
    print()


EMULATOR = textwrap.dedent("""
    import sys, das
    emulator = das.Emulator()
    print(emulator.socketio_url, emulator.token_url, emulator.twilio_url, emulator.client_id,
          emulator.client_secret, flush=True)
    sys.stdin.read()
    emulator.close()
""")

DAS_SESSIONS = textwrap.dedent("""
    import sys, threading, das
    url, token_url, twilio, cid, secret, wav, n = sys.argv[1:8]
    results = []
    def one():
        with das.RegisterSession(url, token_url=token_url, client_id=cid, client_secret=secret,
                                 audio_url=twilio, audio_protocol="twilio", realtime=False,
                                 event_timeout=60) as session:
            session.push_wav(wav)
            session.end_audio()
            results.append(session.wait_result().name)
    threads = [threading.Thread(target=one) for _ in range(int(n))]
    for t in threads: t.start()
    for t in threads: t.join()
    print(results.count("result-success"))
""")

PY_SESSIONS = textwrap.dedent("""
    import base64, json, sys, threading, uuid
    import requests, socketio
    from websockets.sync.client import connect
    url, token_url, twilio, cid, secret, wav, n = sys.argv[1:8]
    blob = open(wav, "rb").read()
    at = 12
    while blob[at:at + 4] != b"data":
        at += 8 + int.from_bytes(blob[at + 4:at + 8], "little")
    size = int.from_bytes(blob[at + 4:at + 8], "little")
    audio = blob[at + 8:at + 8 + size]
    results = []
    def stream(call_id):
        with connect(twilio) as ws:
            ws.send(json.dumps({"event": "start", "start": {"callSid": call_id}}))
            try:
                for i in range(0, len(audio), 160):
                    payload = base64.b64encode(audio[i:i + 160]).decode()
                    ws.send(json.dumps({"event": "media", "media": {"payload": payload}}))
                ws.recv(timeout=30)
            except Exception:
                pass
    def one():
        token = requests.post(token_url, data={"client_id": cid, "client_secret": secret,
                                               "grant_type": "client_credentials"}).json()
        call_id = str(uuid.uuid4())
        done = threading.Event()
        sio = socketio.Client()
        @sio.on("*", namespace="/socket.io/register")
        def catch_all(event, data):
            if event == "info-consumer-ready":
                threading.Thread(target=stream, args=(call_id,), daemon=True).start()
            elif event.startswith("result-"):
                results.append(event)
                done.set()
        sio.connect(url, headers={"Authorization": f"{token['token_type']} {token['access_token']}"},
                    namespaces=["/socket.io/register"], transports=["websocket"])
        sio.emit("initialize", {"metadata": {"audio_protocol": "twilio", "audio_format": "raw",
                 "audio_codec": "mulaw", "sample_format": "", "sample_rate": "8000",
                 "channels": "1", "call_id": call_id},
                 "register_request": {"authenticity_threshold": 0.8, "audio_total_duration": 5.0,
                                      "model_hash": "<MODEL_HASH>"}}, namespace="/socket.io/register")
        done.wait(60)
        sio.disconnect()
    threads = [threading.Thread(target=one) for _ in range(int(n))]
    for t in threads: t.start()
    for t in threads: t.join()
    print(results.count("result-success"))
""")


def child_cpu(script: str, args: list) -> tuple:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                          timeout=120)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, int(done.stdout.strip().splitlines()[-1])


def session_rows(n: int) -> list:
    emulator = subprocess.Popen([sys.executable, "-c", EMULATOR], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
    assert emulator.stdout is not None and emulator.stdin is not None
    urls = emulator.stdout.readline().split()
    rows = []
    try:
        for label, script in [("das.RegisterSession", DAS_SESSIONS),
                              ("python-socketio + requests + websockets", PY_SESSIONS)]:
            startup, _, _ = child_cpu(script, [*urls, str(WAV), "0"])
            cpu, wall, ok = child_cpu(script, [*urls, str(WAV), str(n)])
            rows.append({"client": label, "sessions": n, "successes": ok, "cpu_s": cpu,
                         "startup_cpu_s": startup, "wall_s": wall,
                         "cpu_per_session_ms": cpu / n * 1000,
                         "net_cpu_per_session_ms": (cpu - startup) / n * 1000})
    finally:
        emulator.stdin.close()
        emulator.wait(30)
    return rows


def print_sessions(rows: list) -> None:
    n = rows[0]["sessions"]
    print(f"## CPU per registration session ({n} concurrent, speaker-a.wav over Twilio)\n")
    print("| client | successes | CPU total | start + imports | CPU per session "
          "| without start | wall |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['client']} | {r['successes']}/{n} | {r['cpu_s']:.2f} s "
              f"| {r['startup_cpu_s']:.2f} s | {r['cpu_per_session_ms']:.1f} ms "
              f"| {r['net_cpu_per_session_ms']:.1f} ms | {r['wall_s']:.1f} s |")
    das_row, py_row = rows
    print(f"\nratio (python-socketio / das): {py_row['cpu_s'] / das_row['cpu_s']:.1f}× with "
          f"start-up, {py_row['net_cpu_per_session_ms'] / das_row['net_cpu_per_session_ms']:.1f}× "
          "without\n")


def main() -> None:
    parser = argparse.ArgumentParser(description="das wheel benchmark")
    parser.add_argument("sessions", type=int, nargs="?", default=100)
    parser.add_argument("--parse-only", action="store_true")
    parser.add_argument("--criterion", type=Path)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    import das

    load = os.getloadavg()
    print(f"das {das.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n")
    rust = criterion_rows(args.criterion) if args.criterion else []
    parse = parse_rows()
    print_parse(parse, rust)
    sessions = [] if args.parse_only else session_rows(args.sessions)
    if sessions:
        print_sessions(sessions)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "das": das.__version__, "python": sys.version.split()[0], "cpus": os.cpu_count(),
            "load_average": os.getloadavg(), "rust_parse": rust, "python_parse": parse,
            "sessions": sessions}, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
