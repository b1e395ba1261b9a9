# The documented das-Peak example (shared/seeds), runnable: indentation restored, the
# comment-only branches filled in (audio over das.AudioChannel; disconnect on the result), URLs,
# credentials and (to also exercise Twilio) the audio protocol from the environment.
import os
import threading

import socketio
import requests

from send_audio import send_audio

sio = socketio.Client()
# python-engineio runs handlers on several threads: keep each printed line whole.
print_lock = threading.Lock()
@sio.on('*', namespace='/socket.io/register')
def catch_all(event, data):
    with print_lock:
        print(data, flush=True)
    if event == 'info-consumer-ready':
        # Start sending audio
        send_audio()
    elif event in ('result-success', 'result-failure'):
        # Store collected_audio for later use
        sio.disconnect()
def get_access_token():
    url = os.environ["EXAMPLE_TOKEN_URL"]
    payload={
        'client_id': os.environ["EXAMPLE_CLIENT_ID"],
        'client_secret': os.environ["EXAMPLE_CLIENT_SECRET"],
        'grant_type': 'client_credentials'
    }
    response = requests.request("POST", url, data=payload)
    return response.json()
token = get_access_token()
headers = {
    'Authorization': f'{token["token_type"]} {token["access_token"]}'
}
sio.connect(
    os.environ["EXAMPLE_URL"],
    headers=headers,
    namespaces=['/socket.io/register'],
    transports=['websocket']
)
data = {
    'metadata': {
        'audio_protocol': os.environ.get('EXAMPLE_AUDIO_PROTOCOL', 'audiohook'),
        'audio_format': 'raw',
        'audio_codec': 'mulaw',
        'sample_format': '',
        'sample_rate': '8000',
        'channels': '1',
        'call_id': '888806c3-3391-4d73-bb86-e5874e6ed5b4'
    },
    'register_request': {
        'authenticity_threshold': 0.8,
        'audio_total_duration': 5.0,
        'model_hash': '<MODEL_HASH>'
    }
}
sio.emit('initialize', data, namespace='/socket.io/register')
sio.wait()
