"""Regularisation and input features over the socket: `hello` lists them, `set` changes the rate live, and bad
values get an `error` with its code and field while the session keeps its state."""

from __future__ import annotations

import numpy as np
import pytest

from app.datasets import FEATURES, expand
from app.nn import MAX_REGULARIZATION_RATE, from_document
from live_server import hello_conn_fixture, transport_fixture

CIRCLES = {"dataset": {"name": "circles", "features": ["x1_squared", "x2_squared"]}, "network": {"hidden_layers": []},
           "runs": [{"id": "ce", "kind": "softmax_ce"}], "regularization": "l2", "regularization_rate": 0.01}


transport = transport_fixture()
conn = hello_conn_fixture()


def configure(conn, **config) -> dict:
    conn.send_json({"type": "configure", **config})
    configured = conn.recv_type("configured")
    conn.recv_type("frame")
    return configured


def expect_error(conn, code: str, field: str | None, command: str) -> None:
    error = conn.recv_type("error", "state", "frame", "event")
    assert error["type"] == "error", error
    assert (error["code"], error["field"], error["in_reply_to"]["type"]) == (code, field, command)


def step_to(conn, count: int) -> dict:
    conn.send_json({"type": "step", "count": count})
    return conn.recv_type("state")


def test_hello_lists_the_features_the_regularisations_and_the_rates_bounds(conn):
    hello = conn.hello
    assert [(f["id"], f["label"]) for f in hello["features"]] == [(f.id, f.label) for f in FEATURES]
    assert all(f["description"] for f in hello["features"])
    assert list(hello["regularizations"]) == ["l1", "l2"]
    assert hello["regularizations"]["l2"]["gradient_tex"] and hello["regularizations"]["l1"]["gradient_text"]
    assert hello["settings"]["regularization_rate"]["minimum"] == 0
    assert hello["settings"]["regularization_rate"]["maximum"] == MAX_REGULARIZATION_RATE
    assert set(hello["code"]["regularization"]) == {"l1", "l2"}
    assert hello["defaults"]["config"]["dataset"]["features"] is None
    assert hello["defaults"]["config"]["regularization"] is None


def test_a_feature_experiment_has_one_input_per_feature_and_sends_the_points_themselves(conn):
    configured = configure(conn, **CIRCLES)
    assert configured["layer_sizes"] == [2, 2]
    assert configured["config"]["dataset"]["features"] == ["x1_squared", "x2_squared"]
    assert any(x < 0 for row in configured["inputs"] for x in row)  # the points, not their squares
    assert configured["boundary"]["size"] > 0


def test_the_rate_changes_live_without_a_restart_and_a_reset_keeps_it(conn):
    configure(conn, **CIRCLES)
    assert step_to(conn, 5)["step"] == 5
    conn.send_json({"type": "set", "regularization_rate": 0.2})
    assert conn.recv_type("state")["step"] == 5
    assert step_to(conn, 1)["step"] == 6
    conn.send_json({"type": "reset"})
    assert conn.recv_type("state")["step"] == 0


PLAIN = {k: v for k, v in CIRCLES.items() if not k.startswith("regularization")}  # no regularisation

BAD = [
    # (id, the session's experiment, the bad message, code, field)
    ("an unknown feature", CIRCLES, {"type": "configure", "dataset": {"name": "circles", "features": ["x3"]}},
     "invalid_value", "dataset.features"),
    ("features of a set not in the plane", CIRCLES,
     {"type": "configure", "dataset": {"name": "raw-pixels", "features": ["x1"]}}, "invalid_value", "dataset.features"),
    ("features as one id", CIRCLES, {"type": "configure", "dataset": {"name": "circles", "features": "x1"}},
     "invalid_value", "dataset.features"),
    ("more features than there are", CIRCLES,
     {"type": "configure", "dataset": {"name": "circles", "features": ["x1"] * 8}}, "invalid_value",
     "dataset.features"),
    ("an unknown regularisation", CIRCLES, {"type": "configure", "regularization": "l3"}, "invalid_value",
     "regularization"),
    ("a rate with no regularisation", CIRCLES, {"type": "configure", "regularization_rate": 0.1}, "invalid_value",
     "regularization_rate"),
    ("a rate above the bound", CIRCLES, {"type": "configure", "regularization": "l2", "regularization_rate": 11},
     "invalid_value", "regularization_rate"),
    ("a negative live rate", CIRCLES, {"type": "set", "regularization_rate": -1}, "invalid_value",
     "regularization_rate"),
    ("a live rate above the bound", CIRCLES, {"type": "set", "regularization_rate": 10.5}, "invalid_value",
     "regularization_rate"),
    ("a live rate as text", CIRCLES, {"type": "set", "regularization_rate": "0.1"}, "invalid_value",
     "regularization_rate"),
    ("a live rate for one run", CIRCLES, {"type": "set", "regularization_rate": 0.1, "run": "ce"}, "invalid_value",
     "run"),
    ("a live rate without a regularisation", PLAIN, {"type": "set", "regularization_rate": 0.1}, "invalid_value",
     "regularization_rate"),
]


@pytest.mark.parametrize("config, message, code, field", [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_a_bad_value_gets_an_error_with_its_field_and_the_session_goes_on(conn, config, message, code, field):
    configure(conn, **config)
    step_to(conn, 3)
    conn.send_json(message)
    expect_error(conn, code, field, message["type"])
    assert step_to(conn, 1)["step"] == 4


def test_a_model_trained_on_features_is_not_saved(conn):
    configure(conn, **CIRCLES)
    conn.send_json({"type": "save", "run": "ce"})
    expect_error(conn, "invalid_value", None, "save")
    assert step_to(conn, 1)["step"] == 1


def test_configured_gives_the_inputs_the_network_reads_the_training_parts_features(conn):
    configured = configure(conn, **{**CIRCLES, "dataset": {**CIRCLES["dataset"], "test_fraction": 0.2},
                                    "network": {"hidden_layers": [3]}})
    points, features = np.array(configured["inputs"]), np.array(configured["network_inputs"])
    assert features.shape == (len(points), 2)
    assert np.array_equal(features, expand(points, ["x1_squared", "x2_squared"]))
    assert configure(conn, **{**PLAIN, "dataset": {"name": "circles"}})["network_inputs"] is None


def test_a_model_trained_on_features_is_given_only_to_who_takes_its_features(conn):
    configured = configure(conn, **CIRCLES)
    conn.send_json({"type": "model", "run": "ce"})
    expect_error(conn, "invalid_value", None, "model")  # as `save`: a model document reads the points
    conn.send_json({"type": "model", "run": "ce", "features": True})
    model = conn.recv_type("model")
    assert (model["run"], model["step"], model["model"]["layer_sizes"]) == ("ce", 0, configured["layer_sizes"])
    assert step_to(conn, 1)["step"] == 1


def test_a_live_rate_change_while_paused_sends_a_frame_with_the_gradients_of_c_plus_omega(conn):
    configured = configure(conn, **{**CIRCLES, "network": {"hidden_layers": [3]}})
    step_to(conn, 5)
    conn.send_json({"type": "set", "regularization_rate": 0.2})
    conn.send_json({"type": "model", "run": "ce", "features": True})
    seen = []
    model = conn.recv_type("model", seen=seen)
    frames = [m for m in seen if m["type"] == "frame"]
    assert [f["step"] for f in frames] == [5]
    # ∂(C + Ω)/∂W = ∂C/∂W + λW (L2), at the weights of step 5, layer by layer
    net = from_document(model["model"])
    X, Y = np.array(configured["network_inputs"]), np.array(configured["labels"])
    grad_W = net.gradients(X, Y)[1].grad_W
    expected = [np.linalg.norm(g + 0.2 * W) for g, W in zip(grad_W, net.W)]
    assert [layer["grad_W_norm"] for layer in frames[0]["runs"][0]["layers"]] == pytest.approx(expected, rel=1e-9)
