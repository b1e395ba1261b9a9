# The documented example's three-parameter handler, `catch_all(event, data, collected_audio)`,
# run with python-socketio (argv[1] == "socketio") or das ("das") against a server that sends
# the collected audio as a second argument of result-success: prints one line per event, the
# number of arguments the handler got and, for bytes, their length.
import os
import sys
import threading

if sys.argv[1] == "das":
    import das as socketio
else:
    import socketio

import requests
from send_audio import CALL_ID, send_audio

NAMESPACE = "/socket.io/register"
sio = socketio.Client()
print_lock = threading.Lock()


@sio.on("*", namespace=NAMESPACE)
def catch_all(event, data, collected_audio=None):
    # python-socketio passes exactly the arguments the server sent: one for most events.
    shown = f"bytes {len(collected_audio)}" if isinstance(collected_audio, bytes) else repr(collected_audio)
    with print_lock:
        print(event, type(data).__name__, shown, flush=True)
    if event == "info-consumer-ready":
        send_audio()
    elif event in ("result-success", "result-failure"):
        sio.disconnect()


token = requests.post(os.environ["EXAMPLE_TOKEN_URL"], data={
    "client_id": os.environ["EXAMPLE_CLIENT_ID"], "client_secret": os.environ["EXAMPLE_CLIENT_SECRET"],
    "grant_type": "client_credentials"}).json()
sio.connect(os.environ["EXAMPLE_URL"], headers={"Authorization": f'{token["token_type"]} {token["access_token"]}'},
            namespaces=[NAMESPACE], transports=["websocket"])
sio.emit("initialize", {
    "metadata": {"audio_protocol": os.environ.get("EXAMPLE_AUDIO_PROTOCOL", "audiohook"), "audio_format": "raw",
                 "audio_codec": "mulaw", "sample_format": "", "sample_rate": "8000", "channels": "1",
                 "call_id": CALL_ID},
    "register_request": {"authenticity_threshold": 0.8, "audio_total_duration": 5.0, "model_hash": "<MODEL_HASH>"},
}, namespace=NAMESPACE)
sio.wait()
