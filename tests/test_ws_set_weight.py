"""`set_weight` over the socket (issue 19): a learner edits one weight of one run, live; the next frame carries it and
its outputs follow from it. Every bad value gets an `error` with its code and field, and the session goes on."""

from __future__ import annotations

import numpy as np
import pytest

from app.nn.training import PARAMETER_BOUND
from live_server import transport_fixture

TRANSPORTS = ["testclient", "uvicorn"]
# The default experiment: two-points (2 inputs, 2 classes), hidden [8]: W[0] is (8, 2), W[1] is (2, 8).
RUNS = [{"id": "a", "kind": "sigmoid_mse"}, {"id": "b", "kind": "softmax_ce"},
        {"id": "wild", "kind": "sigmoid_mse", "learning_rate": 1e6}]


transport = transport_fixture(*TRANSPORTS)


@pytest.fixture
def conn(transport):
    """A paused session of the default experiment, 3 steps in; its `wild` run has diverged."""
    conn = transport.open()
    conn.recv_type("hello")
    conn.send_json({"type": "configure", "runs": RUNS})
    configured = conn.recv_type("configured")
    conn.recv_type("frame")
    conn.send_json({"type": "step", "count": 3})
    seen: list = []
    assert conn.recv_type("state", seen=seen)["step"] == 3
    conn.configured = configured
    conn.frame = [m for m in seen if m["type"] == "frame"][-1]
    assert conn.frame["runs"][2]["status"] == "diverged"
    yield conn
    transport.close_connections()


def sigmoid_net_outputs(weights: dict, X: np.ndarray) -> np.ndarray:
    a = X
    for W, b in zip(weights["W"], weights["b"]):
        a = 1 / (1 + np.exp(-(a @ np.array(W).T + np.array(b))))
    return a


def test_a_weight_set_while_paused_is_in_the_next_frame_and_its_outputs_follow_from_it(conn):
    before = conn.frame["runs"][0]
    assert before["weights"]["W"][1][1][3] != 1.75
    conn.send_json({"type": "set_weight", "run": "a", "layer": 1, "j": 1, "k": 3, "value": 1.75})
    seen: list = []
    state = conn.recv_type("state", seen=seen)
    frame = conn.recv_type("frame", seen=seen)
    assert not [m for m in seen if m["type"] == "error"]
    assert state["step"] == frame["step"] == 3
    after, other = frame["runs"][0], frame["runs"][1]
    assert after["weights"]["W"][1][1][3] == 1.75
    expected_W = [np.array(W) for W in before["weights"]["W"]]
    expected_W[1][1, 3] = 1.75
    for l in range(2):
        np.testing.assert_allclose(after["weights"]["W"][l], expected_W[l], rtol=1e-6)
    assert other["weights"] == conn.frame["runs"][1]["weights"]  # the other run is untouched
    X = np.array(conn.configured["inputs"])
    np.testing.assert_allclose(after["outputs"], sigmoid_net_outputs(after["weights"], X), rtol=1e-5)
    assert after["outputs"] != before["outputs"]
    # Training goes on from it.
    conn.send_json({"type": "step", "count": 1})
    seen = []
    conn.recv_type("state", seen=seen)
    stepped = [m for m in seen if m["type"] == "frame"][-1]["runs"][0]["weights"]["W"][1][1][3]
    assert stepped != 1.75 and abs(stepped - 1.75) < 0.5


BAD = [
    # (message fields, field, code)
    ({"run": "zz"}, "run", "unknown_run"),
    ({"run": "wild"}, "run", "run_diverged"),
    ({"layer": 2}, "layer", "invalid_value"),
    ({"layer": -1}, "layer", "invalid_value"),
    ({"layer": 0, "j": 8}, "j", "invalid_value"),
    ({"layer": 1, "j": 2}, "j", "invalid_value"),
    ({"layer": 0, "k": 2}, "k", "invalid_value"),
    ({"layer": 1, "k": 8}, "k", "invalid_value"),
    ({"k": 1.5}, "k", "invalid_value"),
    ({"value": PARAMETER_BOUND * 1.01}, "value", "invalid_value"),
    ({"value": -PARAMETER_BOUND * 1.01}, "value", "invalid_value"),
    ({"value": "1"}, "value", "invalid_value"),
    ({"value": True}, "value", "invalid_value"),
    ({"value": None}, "value", "invalid_value"),
]


@pytest.mark.parametrize("fields, field, code", BAD, ids=[f"{c[1]}={list(c[0].values())[-1]!r}" for c in BAD])
def test_each_bad_set_weight_gets_its_code_and_field_and_changes_nothing(conn, fields, field, code):
    message = {"type": "set_weight", "run": "a", "layer": 0, "j": 0, "k": 0, "value": 0.5, **fields}
    conn.send_json(message)
    error = conn.recv_type("error")
    assert (error["code"], error["field"]) == (code, field)
    assert error["in_reply_to"] == {"type": "set_weight", "run": message["run"]}
    conn.send_json({"type": "model", "run": "a"})  # the session goes on, with the weights as they were
    W = conn.recv_type("model")["model"]["W"]
    np.testing.assert_allclose(W[0], conn.frame["runs"][0]["weights"]["W"][0], rtol=1e-6)


def test_a_non_finite_value_is_refused_as_no_json(conn):
    conn.send_text('{"type": "set_weight", "run": "a", "layer": 0, "j": 0, "k": 0, "value": NaN}')
    error = conn.recv_type("error")
    assert (error["code"], error["field"]) == ("invalid_message", None)


def test_the_largest_allowed_value_is_taken(conn):
    conn.send_json({"type": "set_weight", "run": "b", "layer": 0, "j": 7, "k": 1, "value": -PARAMETER_BOUND})
    frame = conn.recv_type("frame")
    assert frame["runs"][1]["weights"]["W"][0][7][1] == -PARAMETER_BOUND
