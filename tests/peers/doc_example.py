# The documented das-Peak Streaming python-socketio example (seed 000), run against the
# emulator. Changes from the documentation, and nothing else:
#   * URLs and credentials come from the command line;
#   * audio_protocol is 'twilio', because the audio goes over the Twilio "other platforms"
#     subset WebSocket (start + media frames, websockets package) once
#     info-consumer-ready arrives;
#   * the handler takes (event, data) (the documented 3-argument form is never called so);
#   * on result-success/result-failure the client disconnects so sio.wait() returns;
#   * print() holds a lock: python-engineio runs each incoming message's handler in its
#     own thread, so unlocked prints of concurrent events can interleave on one line.
# Usage: doc_example.py BASE_URL CLIENT_ID CLIENT_SECRET TWILIO_WS_URL WAV_PATH
import base64
import sys
import threading

import requests
import socketio
from websockets.sync.client import connect as ws_connect

BASE_URL, CLIENT_ID, CLIENT_SECRET, TWILIO_URL, WAV_PATH = sys.argv[1:6]
CALL_ID = '888806c3-3391-4d73-bb86-e5874e6ed5b4'


def wav_payload(path):
    """The raw bytes of a WAV file's data chunk (the sample is 8 kHz mu-law mono)."""
    blob = open(path, 'rb').read()
    at = 12
    while at + 8 <= len(blob):
        size = int.from_bytes(blob[at + 4:at + 8], 'little')
        if blob[at:at + 4] == b'data':
            return blob[at + 8:at + 8 + size]
        at += 8 + size + (size % 2)
    raise ValueError('no data chunk')


def send_audio():
    audio = wav_payload(WAV_PATH)
    with ws_connect(TWILIO_URL, open_timeout=10, close_timeout=5) as ws:
        ws.send('{"event":"start","start":{"callSid":"%s"}}' % CALL_ID)
        try:
            for at in range(0, len(audio), 160):
                chunk = base64.b64encode(audio[at:at + 160]).decode()
                ws.send('{"event":"media","media":{"payload":"%s"}}' % chunk)
            ws.recv(timeout=10)
        except Exception:
            # The service closes the socket once it has enough audio.
            pass


sio = socketio.Client()
print_lock = threading.Lock()


@sio.on('*', namespace='/socket.io/register')
def catch_all(event, data):
    with print_lock:
        print(data, flush=True)
    if event == 'info-consumer-ready':
        # Start sending audio
        threading.Thread(target=send_audio, daemon=True).start()
    elif event in ('result-success', 'result-failure'):
        # Store collected_audio for later use
        sio.disconnect()


def get_access_token():
    url = BASE_URL + "/socket.io/oauth2/token"
    payload = {
        'client_id': CLIENT_ID,
        'client_secret': CLIENT_SECRET,
        'grant_type': 'client_credentials'
    }
    response = requests.request("POST", url, data=payload, timeout=10)
    return response.json()


token = get_access_token()
headers = {
    'Authorization': f'{token["token_type"]} {token["access_token"]}'
}
sio.connect(
    BASE_URL + '/socket.io',
    headers=headers,
    namespaces=['/socket.io/register'],
    transports=['websocket'],
    wait_timeout=10,
)
data = {
    'metadata': {
        'audio_protocol': 'twilio',
        'audio_format': 'raw',
        'audio_codec': 'mulaw',
        'sample_format': '',
        'sample_rate': '8000',
        'channels': '1',
        'call_id': CALL_ID
    },
    'register_request': {
        'authenticity_threshold': 0.8,
        'audio_total_duration': 5.0,
        'model_hash': '<MODEL_HASH>'
    }
}
sio.emit('initialize', data, namespace='/socket.io/register')
sio.wait()
