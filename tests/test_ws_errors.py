"""What the server does with bad client messages: an `error` message, and the session goes on as before.

Over Starlette's TestClient and a real uvicorn server. Also the hard limits: oversized messages (1009),
the session cap (1013) and the idle timeout (1000).
"""

from __future__ import annotations

import json
import time
import typing
from pathlib import Path

import pytest

from app.web import protocol as p
from app.web.app import create_app
from lab_settings import make_settings
from live_server import Transport, wait_until

TRANSPORTS = ["testclient", "uvicorn"]
MAX_MESSAGE_BYTES = 2000


@pytest.fixture(scope="module", params=TRANSPORTS)
def shared_transport(request):
    """One app per transport for the error table (max_runs=2, small messages), shared by its cases."""
    t = Transport(request.param, create_app(make_settings(max_runs=2, max_message_bytes=MAX_MESSAGE_BYTES)))
    yield t
    t.close()


@pytest.fixture
def transport(shared_transport):
    """The shared transport; the connections a test opens are closed after it, passed or failed."""
    yield shared_transport
    shared_transport.close_connections()


@pytest.fixture(params=TRANSPORTS)
def transport_kind(request):
    return request.param


def open_conn(transport):
    conn = transport.open()
    conn.recv_type("hello")
    return conn


def stepped_session(transport, steps: int = 3):
    """A configured session, stepped `steps` times and paused; the connection."""
    conn = open_conn(transport)
    conn.send_json({"type": "configure"})
    conn.recv_type("frame")
    conn.send_json({"type": "step", "count": steps})
    assert conn.recv_type("state")["step"] == steps
    return conn


def expect_error(conn, field=None, *, code: str | None = None, in_reply_to: dict | None = None) -> dict:
    """The next text message must be an error (with this field, code and command); nothing else comes with it."""
    seen: list = []
    error = conn.recv_type("error", "state", "frame", "configured", "event", "history", seen=seen)
    assert error["type"] == "error", f"expected an error, got {error}"
    assert error["field"] == field, error
    assert error["message"]
    if code:
        assert error["code"] == code, error
    assert error["in_reply_to"] == in_reply_to, error
    return error


def still_works(conn, step_before: int) -> None:
    """The socket is open and the session kept its experiment: one more step lands on step_before + 1."""
    conn.send_json({"type": "step", "count": 1})
    seen: list = []
    state = conn.recv_type("state", seen=seen)
    assert state["step"] == step_before + 1, seen
    frames = [m for m in seen if m["type"] == "frame"]
    assert frames and frames[-1]["step"] == step_before + 1
    assert not [m for m in seen if m["type"] == "error"], seen


RAW = "raw"  # sent as text as it is, not JSON-encoded

BAD_MESSAGES = [
    # (id, message, expected field, expected code)
    ("malformed JSON", (RAW, '{"type": "step", "count": '), None, "invalid_message"),
    ("a JSON array", [{"type": "step"}], None, "invalid_message"),
    ("a JSON string", "step", None, "invalid_message"),
    ("no type", {"count": 1}, None, "invalid_message"),
    ("type not a string", {"type": 3}, None, "invalid_message"),
    ("unknown type", {"type": "jump"}, "type", "invalid_message"),
    ("an unknown field", {"type": "play", "fast": True}, "fast", "invalid_value"),
    ("step count as text", {"type": "step", "count": "ten"}, "count", "invalid_value"),
    ("step count 0", {"type": "step", "count": 0}, "count", "invalid_value"),
    ("step count true", {"type": "step", "count": True}, "count", "invalid_value"),
    ("step count 1.5", {"type": "step", "count": 1.5}, "count", "invalid_value"),
    ("step count above the per-message limit", {"type": "step", "count": 10**9}, "count", "invalid_value"),
    ("NaN in a number", (RAW, '{"type":"set","learning_rate":NaN}'), None, "invalid_message"),
    ("Infinity in a number", (RAW, '{"type":"set","learning_rate":Infinity}'), None, "invalid_message"),
    ("a number too large for a float", (RAW, '{"type":"set","learning_rate":1e999}'), "learning_rate",
     "invalid_value"),
    ("negative learning rate", {"type": "set", "learning_rate": -1}, "learning_rate", "invalid_value"),
    ("learning rate as text", {"type": "set", "learning_rate": "0.1"}, "learning_rate", "invalid_value"),
    ("set example beyond the data", {"type": "set", "example": 2}, "example", "invalid_value"),
    ("set speed above max_speed", {"type": "set", "speed": 10**7}, "speed", "invalid_value"),
    ("set speed 0", {"type": "set", "speed": 0}, "speed", "invalid_value"),
    ("set speed as an unknown word", {"type": "set", "speed": "fast"}, "speed", "invalid_value"),
    ("set frame_rate above max_frame_rate", {"type": "set", "frame_rate": 1000}, "frame_rate", "invalid_value"),
    ("set with an unknown run", {"type": "set", "learning_rate": 0.1, "run": "zz"}, "run", "unknown_run"),
    ("gradcheck of an unknown run", {"type": "gradcheck", "run": "zz"}, "run", "unknown_run"),
    ("unknown dataset", {"type": "configure", "dataset": {"name": "nope"}}, "dataset.name", "invalid_value"),
    ("unknown dataset parameter", {"type": "configure", "dataset": {"name": "moons", "params": {"k": 1}}},
     "dataset.params.k", "invalid_value"),
    ("out-of-bounds dataset parameter", {"type": "configure", "dataset": {"name": "moons", "params": {"n": 1}}},
     "dataset.params.n", "invalid_value"),
    ("dataset parameter of the wrong kind",
     {"type": "configure", "dataset": {"name": "raw-pixels", "params": {"scaled": 1}}}, "dataset.params.scaled",
     "invalid_value"),
    ("too many runs", {"type": "configure", "runs": [{"id": f"r{i}", "kind": "softmax_ce"} for i in range(3)]},
     "runs", "invalid_value"),
    ("duplicate run ids", {"type": "configure", "runs": [{"id": "a", "kind": "softmax_ce"},
                                                         {"id": "a", "kind": "sigmoid_mse"}]}, "runs",
     "invalid_value"),
    ("no runs", {"type": "configure", "runs": []}, "runs", "invalid_value"),
    ("unknown run kind", {"type": "configure", "runs": [{"id": "a", "kind": "relu_mse"}]}, "runs.0.kind",
     "invalid_value"),
    ("too many hidden units", {"type": "configure", "network": {"hidden_layers": [5000]}},
     "network.hidden_layers", "invalid_value"),
    ("too many hidden layers", {"type": "configure", "network": {"hidden_layers": [2] * 9}},
     "network.hidden_layers", "invalid_value"),
    ("configure speed above max_speed", {"type": "configure", "speed": 10**7}, "speed", "invalid_value"),
    ("configure frame_rate above max_frame_rate", {"type": "configure", "frame_rate": 61}, "frame_rate",
     "invalid_value"),
    ("configure example beyond the data", {"type": "configure", "example": 5}, "example", "invalid_value"),
]


def answered(message) -> dict | None:
    """The `in_reply_to` an error about this message carries: null unless it is a command of the protocol."""
    if isinstance(message, tuple):
        try:
            message = json.loads(message[1], parse_constant=lambda name: 1 / 0)
        except (ValueError, ZeroDivisionError):
            return None
    if not isinstance(message, dict) or message.get("type") not in p.CLIENT_TYPES:
        return None
    return {"type": message["type"], "run": message.get("run")}


@pytest.mark.parametrize("message, field, code", [case[1:] for case in BAD_MESSAGES],
                         ids=[case[0] for case in BAD_MESSAGES])
def test_a_bad_message_gets_an_error_and_the_session_keeps_its_state(transport, message, field, code):
    conn = stepped_session(transport, steps=3)
    if isinstance(message, tuple) and message[0] == RAW:
        conn.send_text(message[1])
    else:
        conn.send_json(message)
    expect_error(conn, field, code=code, in_reply_to=answered(message))
    still_works(conn, 3)
    conn.close()


def test_a_binary_message_gets_an_error_and_the_session_keeps_its_state(transport):
    conn = stepped_session(transport, steps=4)
    conn.send_bytes(b'{"type": "step", "count": 1}')
    expect_error(conn, None, code="invalid_message")
    still_works(conn, 4)
    conn.close()


def test_many_bad_messages_in_a_row_do_not_tire_the_session(transport):
    conn = stepped_session(transport, steps=2)
    for _ in range(20):
        conn.send_text("not json")
    for _ in range(20):
        expect_error(conn)
    still_works(conn, 2)
    conn.close()


@pytest.mark.parametrize("command", ["play", "pause", "step", "reset", "set", "gradcheck", "history"])
def test_a_command_before_configure_gets_an_error_and_configure_still_works(transport, command):
    conn = open_conn(transport)
    conn.send_json({"type": command})
    expect_error(conn, code="not_configured", in_reply_to={"type": command, "run": None})
    conn.send_json({"type": "configure"})
    assert conn.recv_type("frame")["step"] == 0
    still_works(conn, 0)
    conn.close()


def test_a_message_at_the_size_limit_is_read(transport):
    conn = stepped_session(transport, steps=1)
    text = '{"type": "history"}'
    text = text[:-1] + " " * (MAX_MESSAGE_BYTES - len(text)) + "}"
    assert len(text.encode()) == MAX_MESSAGE_BYTES
    conn.send_text(text)
    assert conn.recv_type("history")["steps"] == [0, 1]  # the steps taken, and where the runs are now
    conn.close()


def test_an_oversized_message_closes_the_socket_with_1009(transport):
    conn = stepped_session(transport, steps=1)
    conn.send_text('{"type": "history", "pad": "' + "x" * MAX_MESSAGE_BYTES + '"}')
    closed = conn.expect_close()
    assert closed.code == 1009, closed
    app = transport.app
    assert wait_until(lambda: not app.state.sessions.sessions, 3), "the closed session is forgotten"


def test_a_second_session_beyond_max_sessions_is_closed_with_1013_and_a_later_one_gets_in(transport_kind):
    transport = Transport(transport_kind, create_app(make_settings(max_sessions=1)))
    try:
        first = open_conn(transport)
        second = transport.open()
        closed = second.expect_close()
        assert closed.code == 1013, closed
        assert not second.texts, "the refused connection gets no hello"
        # The first session is unharmed.
        first.send_json({"type": "configure"})
        assert first.recv_type("frame")["step"] == 0
        first.close()
        assert wait_until(lambda: not transport.app.state.sessions.sessions, 3)
        third = open_conn(transport)
        third.send_json({"type": "configure"})
        assert third.recv_type("frame")["step"] == 0
    finally:
        transport.close()


def test_an_idle_session_is_closed_with_1000_and_a_reason_in_minutes(transport_kind):
    transport = Transport(transport_kind, create_app(make_settings(idle_timeout=0.5)))
    try:
        busy = open_conn(transport)
        busy.send_json({"type": "configure"})
        busy.recv_type("frame")
        for _ in range(4):  # a message every 0.3 s keeps the session: 1.2 s in all, well past 0.5 s
            time.sleep(0.3)
            busy.send_json({"type": "history"})
            busy.recv_type("history")
        started = time.monotonic()
        closed = busy.expect_close(timeout=5)
        assert closed.code == 1000, closed
        assert "minute" in closed.reason, closed
        assert 0.3 < time.monotonic() - started < 3
        assert wait_until(lambda: not transport.app.state.sessions.sessions, 3)
    finally:
        transport.close()


def test_a_flood_of_commands_is_answered_or_refused_one_by_one_and_the_session_survives(transport):
    conn = stepped_session(transport, steps=2)
    for _ in range(150):
        conn.send_json({"type": "history"})
    replies = [conn.recv_type("history", "error") for _ in range(150)]
    refused = [r for r in replies if r["type"] == "error"]
    assert all(r["code"] == "queue_full" and r["in_reply_to"] == {"type": "history", "run": None}
               for r in refused), refused[:3]
    assert len(replies) - len(refused) >= 64, "at least a queue's worth is answered"
    assert conn.drain(0.2) == [], "one reply per message, no more"
    still_works(conn, 2)


def test_an_oversized_binary_message_also_closes_with_1009(transport):
    """max_message_bytes bounds every client message; a binary one is no exception."""
    conn = stepped_session(transport, steps=1)
    conn.send_bytes(b"\0" * (MAX_MESSAGE_BYTES + 1000))
    got = conn.drain(0.5)
    assert got and got[-1].kind == "close", f"expected a close, got {got}"
    assert got[-1].code == 1009, got[-1]


# --- the codes no bad message reaches: each from the state that causes it ------------------------------------------

def test_a_gradient_check_of_a_network_past_its_limit_is_refused_and_the_session_goes_on(transport):
    conn = open_conn(transport)
    conn.send_json({"type": "configure", "network": {"hidden_layers": [100, 100]}})  # 10,602 > 5,000 parameters
    conn.recv_type("frame")
    conn.send_json({"type": "gradcheck"})
    expect_error(conn, None, code="too_many_parameters", in_reply_to={"type": "gradcheck", "run": None})
    still_works(conn, 0)
    conn.close()


def test_a_save_into_a_full_store_is_refused_as_store_failed_and_the_session_goes_on(transport_kind, tmp_path):
    app = create_app(make_settings(database_url=f"sqlite:///{tmp_path / 'models.db'}", max_saved_models=1))
    t = Transport(transport_kind, app)
    try:
        conn = stepped_session(t, steps=2)
        conn.send_json({"type": "save", "run": "a"})
        assert conn.recv_type("saved")["run"] == "a"
        conn.send_json({"type": "save", "run": "a"})
        expect_error(conn, None, code="store_failed", in_reply_to={"type": "save", "run": "a"})
        still_works(conn, 2)
    finally:
        t.close()


def test_a_run_whose_weights_are_not_numbers_cannot_be_saved_or_sent(transport_kind, tmp_path):
    """A run stops at its first divergence with finite weights in every experiment tried; an overflow in an update
    would leave NaN in them. The test writes that NaN into a paused run, as such an update would."""
    app = create_app(make_settings(database_url=f"sqlite:///{tmp_path / 'models.db'}"))
    t = Transport(transport_kind, app)
    try:
        conn = stepped_session(t, steps=2)
        (session,) = app.state.sessions.sessions
        run = next(run for run in session.experiment.runs if run.id == "a")
        run.net.W[0][0, 0] = float("nan")
        for command in ("save", "model"):
            conn.send_json({"type": command, "run": "a"})
            expect_error(conn, "run", code="run_diverged", in_reply_to={"type": command, "run": "a"})
        conn.send_json({"type": "model", "run": "b"})
        assert conn.recv_type("model")["run"] == "b"
    finally:
        t.close()


def test_every_error_code_the_server_can_send_is_expected_by_some_test():
    sources = " ".join(path.read_text() for path in Path(__file__).parent.glob("test_*.py"))
    untested = [code for code in typing.get_args(p.ErrorCode) if f'"{code}"' not in sources]
    assert untested == []
