"""python-socketio AsyncServer test peer, hosted under uvicorn (ASGI) or aiohttp.

Behaves like the documented das-Peak Streaming signalling service on /socket.io/register and
/socket.io/verify (Authorization header check, `initialize` -> info-consumer-ready, info-vad-status,
result-success), and offers test commands on `/` (echo, acks both ways, binary, reserved event
names, a burst of events, server disconnect). Prints the bound port on stdout, then serves until killed.
"""

import argparse
import asyncio
import socket
import sys

import socketio

parser = argparse.ArgumentParser()
parser.add_argument("--host-mode", choices=["asgi", "aiohttp"], default="asgi")
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--token-prefix", default="Bearer ", help="required Authorization prefix")
parser.add_argument("--ping-interval", type=int, default=25)
parser.add_argument("--ping-timeout", type=int, default=20)
parser.add_argument("--vad-steps", type=int, default=3)
args = parser.parse_args()

REGISTER = "/socket.io/register"
# The collected audio of `model_hash("nested-audio")`: byte i is i % 251.
NESTED_AUDIO = bytes(i % 251 for i in range(4000))
VERIFY = "/socket.io/verify"

sio = socketio.AsyncServer(
    async_mode="asgi" if args.host_mode == "asgi" else "aiohttp",
    transports=["websocket"],
    namespaces=["/", REGISTER, VERIFY],
    ping_interval=args.ping_interval,
    ping_timeout=args.ping_timeout,
)
authorization = {}


def check_authorization(sid, environ):
    header = environ.get("HTTP_AUTHORIZATION", "")
    if not header.startswith(args.token_prefix) or header == args.token_prefix:
        raise socketio.exceptions.ConnectionRefusedError("unauthorized: invalid access token")
    authorization[sid] = header


async def connect(sid, environ, auth, namespace):
    check_authorization(sid, environ)
    # Emitted from the connect handler: python-socketio sends it BEFORE the CONNECT reply.
    await sio.emit("welcome", {"namespace": namespace, "auth": auth}, to=sid, namespace=namespace)


def on_connect(namespace):
    async def handler(sid, environ, auth=None):
        await connect(sid, environ, auth, namespace)

    sio.on("connect", namespace=namespace)(handler)


for ns in ["/", REGISTER, VERIFY]:
    on_connect(ns)


@sio.on("*", namespace="/")
async def commands(event, sid, *data):
    if event == "echo":
        await sio.emit("echo", list(data) if len(data) != 1 else data[0], to=sid)
        return tuple(data)
    if event == "whoami":
        return authorization.get(sid)
    if event == "ask":
        answer = await sio.call("question", {"q": data[0] if data else None}, to=sid, timeout=5)
        await sio.emit("answer", answer, to=sid)
    elif event == "reserved":
        for name in ["error", "message", "connect", "open", "close", "disconnect"]:
            await sio.emit(name, {"name": name}, to=sid)
    elif event == "bin":
        await sio.emit("bin", (b"\x01\x02", {"meta": "x", "blob": b"\x03"}, [b"\x04", b""]), to=sid)
    elif event == "bin-echo":
        await sio.emit("bin-echo", tuple(data), to=sid)
        return tuple(data)
    elif event == "burst":
        # `burst count pad`: `count` events `tick` {"i": 0..count-1}, each padded to `pad` bytes.
        count, pad = data[0], data[1] if len(data) > 1 else 0
        for i in range(count):
            await sio.emit("tick", {"i": i, "pad": "x" * pad}, to=sid)
    elif event == "kick":
        await sio.disconnect(sid)
    return None


async def run_session(sid, namespace, data):
    request = data.get("register_request") or data.get("verify_request") or {}
    await sio.emit("x-initialize-echo", data, to=sid, namespace=namespace)
    if request.get("model_hash") == "fail":
        await sio.emit("result-failure", {"event": "result-failure", "content": "Registration: rejected",
                                          "reason": "model not available"}, to=sid, namespace=namespace)
        return
    if request.get("model_hash") == "silent":  # then nothing: the client waits
        return
    if request.get("model_hash") == "error":
        await sio.emit("error", {"event": "error", "content": "Internal error", "message": "boom"},
                       to=sid, namespace=namespace)
        return
    if request.get("model_hash") == "nested-audio":
        # python-socketio sends bytes inside a dict as a placeholder nested in the payload.
        await sio.emit("result-success", {"event": "result-success", "content": "Registration: approved",
                                          "credential": "Q1JFREVOVElBTA==",
                                          "detail": {"collected_audio": NESTED_AUDIO, "codec": "mulaw"},
                                          "collected_audio": NESTED_AUDIO},
                       to=sid, namespace=namespace)
        return
    if request.get("model_hash") == "drop":
        await sio.emit("info-consumer-ready", {"event": "info-consumer-ready",
                                               "content": "Audio consumer for provided audio protocol is ready"},
                       to=sid, namespace=namespace)
        await sio.disconnect(sid, namespace=namespace)
        return
    await sio.emit("info-consumer-ready", {"event": "info-consumer-ready",
                                           "content": "Audio consumer for provided audio protocol is ready"},
                   to=sid, namespace=namespace)
    total = float(request.get("audio_total_duration", 5.0))
    for step in range(1, args.vad_steps + 1):
        seconds = round(total * step / args.vad_steps, 2)
        await sio.emit("info-vad-status", {"event": "info-vad-status", "content": "Voice activity detection percentage",
                                           "audio_seconds": seconds, "vad_percentage": int(100 * step / args.vad_steps)},
                       to=sid, namespace=namespace)
    content = "Registration: approved" if namespace == REGISTER else "Verification: approved"
    await sio.emit("result-success", {"event": "result-success", "authenticity": 0.99, "voice_audio_collected": total,
                                      "content": content, "credential": "Q1JFREVOVElBTA=="},
                   to=sid, namespace=namespace)


def on_initialize(namespace):
    async def handler(sid, data):
        await run_session(sid, namespace, data)

    sio.on("initialize", namespace=namespace)(handler)


for ns in [REGISTER, VERIFY]:
    on_initialize(ns)


def bound_socket():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(128)
    print(sock.getsockname()[1], flush=True)
    return sock


async def main():
    sock = bound_socket()
    if args.host_mode == "asgi":
        import uvicorn

        app = socketio.ASGIApp(sio, socketio_path="socket.io")
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        await server.serve(sockets=[sock])
    else:
        from aiohttp import web

        app = web.Application()
        sio.attach(app, socketio_path="socket.io")
        runner = web.AppRunner(app)
        await runner.setup()
        await web.SockSite(runner, sock).start()
        await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
