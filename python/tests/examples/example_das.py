# The documented das-Peak example with `import das as socketio` and das.get_access_token in
# place of the requests call; everything else as in example_socketio.py.
import os
import threading

import das as socketio

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
    return socketio.get_access_token(
        os.environ["EXAMPLE_TOKEN_URL"],
        os.environ["EXAMPLE_CLIENT_ID"],
        os.environ["EXAMPLE_CLIENT_SECRET"],
    )
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
