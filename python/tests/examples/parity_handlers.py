# One handler script for python-socketio and das (`import das as socketio`): prints, as JSON,
# every handler call with its arguments and what connect() did, in the order they happened.
# Usage: parity_handlers.py socketio|das URL NAMESPACE AUTHORIZATION
import importlib
import json
import sys
import threading
import time

socketio = importlib.import_module(sys.argv[1])
URL, NAMESPACE, AUTHORIZATION = sys.argv[2:5]

calls = []
lock = threading.Lock()
finished = threading.Event()


def record(*call):
    with lock:
        calls.append(list(call))


sio = socketio.Client(reconnection=False)


@sio.on('connect', namespace=NAMESPACE)
def on_connect():
    # A slow handler: connect() must still return after it.
    time.sleep(0.3)
    record('connect')


@sio.on('connect_error', namespace=NAMESPACE)
def on_connect_error(*args):
    record('connect_error', *args)


@sio.on('disconnect', namespace=NAMESPACE)
def on_disconnect(reason):
    record('disconnect', reason)
    finished.set()


@sio.on('*', namespace=NAMESPACE)
def catch_all(event, data):
    # Values carry ids and times; the keys are what both clients must agree on.
    record('event', event, sorted(data) if isinstance(data, dict) else type(data).__name__)
    if event == 'info-consumer-ready':
        sio.disconnect()


try:
    sio.connect(URL, headers={'Authorization': AUTHORIZATION}, namespaces=[NAMESPACE],
                transports=['websocket'])
except socketio.exceptions.ConnectionError as exc:
    record('connect raised', [name for name in ('SocketIOError', 'ConnectionError')
                              if isinstance(exc, getattr(socketio.exceptions, name))])
else:
    record('connect returned', sio.connected)
    sio.emit('initialize', {
        'metadata': {'audio_protocol': 'audiohook', 'audio_format': 'raw',
                     'audio_codec': 'mulaw', 'sample_format': '', 'sample_rate': '8000',
                     'channels': '1', 'call_id': '888806c3-3391-4d73-bb86-e5874e6ed5b4'},
        'register_request': {'authenticity_threshold': 0.8, 'audio_total_duration': 5.0,
                             'model_hash': '<MODEL_HASH>'},
    }, namespace=NAMESPACE)
    finished.wait(30)
    sio.disconnect()
print(json.dumps(calls), flush=True)
