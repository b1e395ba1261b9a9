"""das.Client against a python-socketio server: the python-socketio client surface."""

from __future__ import annotations

import threading
import time

import pytest

import das

AUTH = {"Authorization": "Bearer test"}
REGISTER = "/socket.io/register"


def connected(url: str, **kwargs: object) -> das.Client:
    sio = das.Client(reconnection=False)
    sio.connect(url, headers=AUTH, transports=["websocket"], **kwargs)  # type: ignore[arg-type]
    return sio


def test_call_echo_with_binary_and_tuples(sio_url: str) -> None:
    sio = connected(sio_url)
    try:
        assert sio.call("echo", (1, b"ab", {"x": b"c", "n": None})) == (1, b"ab", {"x": b"c", "n": None})
        assert sio.call("echo", "one") == "one"
        assert sio.call("whoami") == "Bearer test"
        # No limit: a wait that never times out, not a Duration the binding cannot make.
        assert sio.call("echo", "two", timeout=float("inf")) == "two"
        assert sio.connected and sio.sid and sio.get_sid() and sio.transport() == "websocket"
    finally:
        sio.disconnect()
    assert not sio.connected


def test_handlers_decorators_catch_all_and_acks(sio_url: str) -> None:
    sio = das.Client(reconnection=False)
    seen: list = []
    done = threading.Event()

    @sio.event
    def connect() -> None:
        seen.append(("connect",))

    @sio.on("question")
    def question(data: dict) -> tuple:
        seen.append(("question", data))
        return ("yes", 42)

    @sio.on("answer")
    def answer(*data: object) -> None:
        seen.append(("answer", data))
        done.set()

    @sio.on("*")
    def any_event(event: str, data: object) -> None:
        seen.append(("*", event))

    sio.connect(sio_url, headers=AUTH)
    sio.emit("ask", "life?")
    assert done.wait(5)
    acked = threading.Event()
    replies: list = []

    def on_ack(*args: object) -> None:
        replies.append(args)
        acked.set()

    sio.emit("echo", ("a", 2), callback=on_ack)
    assert acked.wait(5)
    sio.disconnect()
    assert ("connect",) in seen and ("*", "welcome") in seen
    assert ("question", {"q": "life?"}) in seen
    assert ("answer", ("yes", 42)) in seen
    assert replies == [("a", 2)]


def test_namespace_wildcard_gets_event_then_namespace(sio_url: str) -> None:
    sio = das.Client(reconnection=False)
    got: list = []
    ready = threading.Event()

    @sio.on("*", namespace="*")
    def everything(event: str, namespace: str, data: object) -> None:
        got.append((event, namespace))
        if event == "result-success":
            ready.set()

    sio.connect(sio_url, headers=AUTH, namespaces=[REGISTER])
    sio.emit("initialize", {"register_request": {}}, namespace=REGISTER)
    assert ready.wait(5)
    sio.disconnect()
    assert ("info-consumer-ready", REGISTER) in got


def test_reserved_event_names_are_ordinary_events(sio_url: str) -> None:
    sio = das.Client(reconnection=False)
    names: list = []
    finished = threading.Event()

    @sio.on("*")
    def catch_all(event: str, data: dict) -> None:
        names.append(event)
        if event == "close":
            finished.set()

    sio.connect(sio_url, headers=AUTH)
    sio.emit("reserved")
    assert finished.wait(5)
    sio.disconnect()
    # connect/disconnect are reserved for python-socketio's own handlers, so '*' skips them.
    assert [n for n in names if n != "welcome"] == ["error", "message", "open", "close"]


def test_server_disconnect_ends_wait_and_calls_handler(sio_url: str) -> None:
    sio = das.Client(reconnection=False)
    reasons: list = []
    sio.on("disconnect", lambda reason: reasons.append(reason))
    sio.connect(sio_url, headers=AUTH)
    sio.emit("kick")
    sio.wait()
    assert reasons == ["server disconnect"] and not sio.connected


def test_a_slow_handler_holds_the_server_back_and_loses_nothing(sio_url: str) -> None:
    # More events than the dispatch queue holds (256): the connection pauses reading
    # while the handler lags, then every tick arrives, in order, and the end comes once.
    sio = das.Client(reconnection=False)
    ticks: list = []
    reasons: list = []
    last = threading.Event()

    @sio.on("tick")
    def tick(data: dict) -> None:
        if data["i"] % 100 == 0:
            time.sleep(0.05)
        ticks.append(data["i"])
        if data["i"] == 599:
            last.set()

    sio.on("disconnect", lambda reason: reasons.append(reason))
    sio.connect(sio_url, headers=AUTH)
    sio.emit("burst", (600, 1024))
    assert last.wait(30)
    assert ticks == list(range(600))
    # The connection still serves: an ack reply comes out of the same queue.
    answers: list = []
    answered = threading.Event()
    sio.emit("echo", "after", callback=lambda *args: (answers.append(args), answered.set()))
    assert answered.wait(30) and answers == [("after",)]
    sio.disconnect()
    sio.wait()
    assert reasons == ["client disconnect"]


def test_wait_releases_the_gil(sio_url: str) -> None:
    sio = connected(sio_url)
    ticks = []
    stop = threading.Event()

    def ticker() -> None:
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.01)

    threading.Thread(target=ticker, daemon=True).start()
    threading.Timer(0.5, sio.disconnect).start()
    before = len(ticks)
    sio.wait()
    stop.set()
    assert len(ticks) - before >= 5


def test_refused_connection_is_typed_and_calls_connect_error(sio_url: str) -> None:
    sio = das.Client(reconnection=False)
    errors: list = []
    sio.on("connect_error", lambda data: errors.append(data))
    with pytest.raises(das.ConnectRefused, match="unauthorized") as info:
        sio.connect(sio_url, headers={"Authorization": "Basic nope"})
    assert isinstance(info.value, das.exceptions.ConnectionError)
    assert errors and not sio.connected


def test_limits_past_what_a_timer_holds_mean_no_limit(sio_url: str) -> None:
    # Finite but beyond any timer, and infinite: accepted as no limit, not a panic.
    sio = das.Client(reconnection_delay=1e300, reconnection_delay_max=float("inf"))
    sio.connect(sio_url, headers=AUTH, wait_timeout=1e300)
    try:
        assert sio.call("echo", "up") == "up"
    finally:
        sio.disconnect()
    sio = connected(sio_url, wait_timeout=float("inf"))
    sio.disconnect()
    with pytest.raises(das.InvalidArgument):
        das.Client().connect(sio_url, headers=AUTH, wait_timeout=0)
    with pytest.raises(das.InvalidArgument):
        das.Client(reconnection_delay=float("nan")).connect(sio_url, headers=AUTH)


def test_bad_inputs_raise_typed_errors(sio_url: str, sio_port: int) -> None:
    with pytest.raises(das.InvalidArgument):
        das.Client().connect(sio_url, transports=["polling"])
    with pytest.raises(das.InvalidArgument):
        das.Client().connect("ftp://127.0.0.1/", headers=AUTH)
    with pytest.raises(das.InvalidArgument):
        das.Client().connect(sio_url, headers={"Bad\nName": "x"})
    with pytest.raises(das.InvalidArgument):
        das.Client(reconnection_delay=-1).connect(sio_url, headers=AUTH)
    with pytest.raises(das.BadNamespaceError):
        das.Client().emit("x")
    sio = connected(sio_url)
    try:
        with pytest.raises(das.BadNamespaceError):
            sio.emit("x", namespace="/not-connected")
        with pytest.raises(TypeError):
            sio.emit("x", {"not json": object()})
        # The server disconnects before acking: the pending call fails at once.
        with pytest.raises(das.Closed):
            sio.call("kick", timeout=30)
    finally:
        sio.disconnect()


def test_unreachable_server_is_a_connect_error() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(das.ConnectError):
        das.Client().connect(f"http://127.0.0.1:{port}", headers=AUTH)


def test_transport_loss_reconnects_then_gives_up() -> None:
    from conftest import start_peer

    proc, port = start_peer()
    sio = das.Client(reconnection_attempts=1, reconnection_delay=0.05,
                     reconnection_delay_max=0.05, randomization_factor=0)
    reasons: list = []
    sio.on("disconnect", lambda reason: reasons.append(reason))
    sio.connect(f"http://127.0.0.1:{port}", headers=AUTH)
    proc.kill()
    proc.wait(5)
    sio.wait()  # returns once the single reconnection attempt failed
    assert reasons == ["transport error"] and not sio.connected
