"""Python wheel benchmark, one run (well under a minute):

1. `das.trd.parse_webhook` vs `json.loads` on the TRD seed document and on a synthetic
   one-hour, two-channel result (the same shape as benches/trd_parse.rs builds).
2. CPU per registration session: N concurrent sessions against one emulator (in a child
   process), each streaming speaker-a.wav over Twilio until `result-success`, done by
   `das.RegisterSession` and by python-socketio + websockets, each in its own child process
   whose CPU time (user + system) is measured.

Usage: .venv/bin/python benches/python_bench.py [SESSIONS]   (default 100)
"""

from __future__ import annotations

import base64
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
    return json.dumps(doc, ensure_ascii=False).encode()


def per_call(fn, body: bytes, seconds: float = 1.5) -> float:
    for _ in range(3):
        fn(body)
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        fn(body)
        count += 1
    return (time.perf_counter() - started) / count


def parse_section() -> None:
    import das

    print("## parse_webhook vs json.loads\n")
    print("| document | bytes | das.trd.parse_webhook | json.loads | ratio |")
    print("|---|---:|---:|---:|---:|")
    for label, body in [("seed (TRD 3.11 sample)", SEED.read_bytes()),
                        ("1 hour, 2 channels", one_hour_two_channels())]:
        ours = per_call(das.trd.parse_webhook, body)
        stdlib = per_call(json.loads, body)
        print(f"| {label} | {len(body)} | {ours * 1e6:.1f} µs | {stdlib * 1e6:.1f} µs "
              f"| {ours / stdlib:.2f}× |")
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


def sessions_section(n: int) -> None:
    emulator = subprocess.Popen([sys.executable, "-c", EMULATOR], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
    assert emulator.stdout is not None and emulator.stdin is not None
    urls = emulator.stdout.readline().split()
    try:
        args = [*urls, str(WAV), str(n)]
        print(f"## CPU per registration session ({n} concurrent, speaker-a.wav over Twilio)\n")
        print("| client | successes | CPU total | CPU per session | wall |")
        print("|---|---:|---:|---:|---:|")
        for label, script in [("das.RegisterSession", DAS_SESSIONS),
                              ("python-socketio + requests + websockets", PY_SESSIONS)]:
            cpu, wall, ok = child_cpu(script, args)
            print(f"| {label} | {ok}/{n} | {cpu:.2f} s | {cpu / n * 1000:.1f} ms | {wall:.1f} s |")
        print()
    finally:
        emulator.stdin.close()
        emulator.wait(30)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    import das

    print(f"das {das.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs\n")
    parse_section()
    sessions_section(n)


if __name__ == "__main__":
    main()
