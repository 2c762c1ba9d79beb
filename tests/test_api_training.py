"""POST /api/train beyond the reference cases: divergence, mini-batches, optimizers, the time limit."""

from __future__ import annotations

import json
import math
import warnings

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from app.nn import Network, OutputLayer, to_document
from app.settings import Settings
from app.web.app import create_app

TWO_POINTS = {"inputs": [[1.0, 0.0], [0.0, 1.0]], "labels": [[1.0, 0.0], [0.0, 1.0]]}
XOR = {"inputs": [[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]],
       "labels": [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]}


def strict_json(response) -> dict:
    def refuse(constant: str):
        raise AssertionError(f"the response holds {constant}, which is not JSON: {response.text[:300]}")
    return json.loads(response.text, parse_constant=refuse)


def model(sizes: list[int], hidden: str = "sigmoid", output: str = "sigmoid", loss: str = "mse",
          seed: int = 0) -> dict:
    return to_document(Network.create(sizes, hidden, OutputLayer(output, loss), init="normal", seed=seed))


def train(client, doc: dict, data: dict, steps: int, optimizer: str = "sgd", learning_rate: float = 1.0,
          **extra) -> dict:
    response = client.post("/api/train", json={"model": doc, **data, "steps": steps,
                                               "optimizer": {"name": optimizer, "learning_rate": learning_rate},
                                               **extra})
    assert response.status_code == 200, response.text
    return strict_json(response)


def assert_well_formed(result: dict, steps: int) -> None:
    """A finished run has steps + 1 losses; a stopped one has one per completed step, plus the start."""
    stopped = result["stopped"]
    completed = stopped["step"] if stopped else steps
    assert completed == steps or 1 <= completed < steps
    if result["model"] is not None:
        assert len(result["loss_history"]) == completed + 1
        assert result["outputs"] is not None
    else:
        assert stopped is not None and stopped["reason"] == "diverged", "only a diverged run loses its model"
    assert all(math.isfinite(v) for v in result["loss_history"])


# --- learning rates far too large ----------------------------------------------------------------------------

def test_a_huge_learning_rate_on_sigmoid_mse_answers_in_strict_json_and_says_it_diverged(client):
    result = train(client, model([2, 8, 2]), TWO_POINTS, steps=100, learning_rate=1e6)
    assert_well_formed(result, 100)
    stopped = result["stopped"]
    if stopped is not None:  # sigmoids may just saturate; if the run was stopped, it must say why
        assert stopped["reason"] == "diverged"
        assert "learning rate" in stopped["message"].lower()
        assert "1e+06" in stopped["message"] or "1000000" in stopped["message"]


def test_a_linear_output_with_a_large_learning_rate_diverges_and_is_stopped(client):
    doc = model([2, 8, 2], output="linear")
    result = train(client, doc, TWO_POINTS, steps=1000, learning_rate=10.0)
    stopped = result["stopped"]
    assert stopped is not None, "a linear output at learning rate 10 blows up within a few steps"
    assert stopped["reason"] == "diverged"
    assert 1 <= stopped["step"] < 1000
    assert f"step {stopped['step']}" in stopped["message"]
    assert "learning rate" in stopped["message"].lower() and "10" in stopped["message"]
    assert_well_formed(result, 1000)
    assert result["loss_history"][-1] > 100 * result["loss_history"][0], "the loss really did blow up"


def test_the_same_network_at_a_sane_learning_rate_is_not_stopped(client):
    result = train(client, model([2, 8, 2], output="linear"), TWO_POINTS, steps=200, learning_rate=0.1)
    assert result["stopped"] is None
    assert len(result["loss_history"]) == 201
    assert result["loss_history"][-1] < result["loss_history"][0]


def test_weights_that_overflow_during_training_come_back_as_a_null_model_and_a_finite_history(client):
    """x = 1e150 keeps the starting loss finite (5e299), but one step at lr 1e6 sends the weight to -inf."""
    body = {"model": {"layer_sizes": [1, 1], "hidden_activation": None, "output_activation": "linear",
                      "loss": "mse", "W": [[[1.0]]], "b": [[0.0]]},
            "inputs": [[1e150]], "labels": [[0.0]], "optimizer": {"name": "sgd", "learning_rate": 1e6}, "steps": 10}
    with warnings.catch_warnings():  # outside pytest NumPy's overflow is only a warning
        warnings.simplefilter("ignore", RuntimeWarning)
        response = client.post("/api/train", json=body)
    assert response.status_code == 200, response.text
    result = strict_json(response)
    assert result["model"] is None and result["outputs"] is None
    assert result["stopped"]["reason"] == "diverged" and result["stopped"]["step"] == 1
    assert result["loss_history"] == [pytest.approx(5e299)], "the loss before the step that overflowed"
    assert "Scale the inputs" in result["stopped"]["message"], "inputs of 1e150: a smaller rate would only hide it"


@pytest.mark.parametrize("output, loss", [("sigmoid", "mse"), ("sigmoid", "binary_cross_entropy"),
                                          ("softmax", "cross_entropy"), ("softmax", "mse"), ("linear", "mse")])
@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
def test_every_output_layer_at_learning_rate_1e6_gives_a_well_formed_answer(client, hidden, output, loss):
    result = train(client, model([2, 8, 2], hidden, output, loss), TWO_POINTS, steps=50, learning_rate=1e6)
    assert_well_formed(result, 50)
    if result["stopped"]:
        assert result["stopped"]["reason"] == "diverged"
        assert "Lower the learning rate 10×, from 1e+06 to 1e+05" in result["stopped"]["message"]


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(learning_rate=st.floats(1e-3, 1e6), seed=st.integers(0, 2**16), steps=st.integers(0, 40),
       kind=st.sampled_from([("sigmoid", "mse"), ("softmax", "cross_entropy"), ("linear", "mse")]),
       batch_size=st.sampled_from([None, 1, 3]))
def test_any_learning_rate_gives_strict_json_and_a_consistent_history(client, learning_rate, seed, steps, kind,
                                                                      batch_size):
    doc = model([2, 4, 2], "tanh", *kind, seed=seed)
    result = train(client, doc, XOR, steps=steps, learning_rate=learning_rate, batch_size=batch_size, seed=seed)
    assert_well_formed(result, steps)


# --- mini-batches --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("batch_size", [1, 2])
def test_mini_batch_training_replays_exactly_with_the_same_seed(client, batch_size):
    doc = model([2, 4, 2], "tanh", "softmax", "cross_entropy", seed=1)
    first = train(client, doc, XOR, steps=30, learning_rate=0.5, batch_size=batch_size, seed=7)
    again = train(client, doc, XOR, steps=30, learning_rate=0.5, batch_size=batch_size, seed=7)
    assert first == again
    assert len(first["loss_history"]) == 31


@pytest.mark.parametrize("batch_size", [1, 2])
def test_mini_batch_training_differs_with_another_seed(client, batch_size):
    doc = model([2, 4, 2], "tanh", "softmax", "cross_entropy", seed=1)
    one = train(client, doc, XOR, steps=30, learning_rate=0.5, batch_size=batch_size, seed=0)
    other = train(client, doc, XOR, steps=30, learning_rate=0.5, batch_size=batch_size, seed=1)
    assert one["model"]["W"] != other["model"]["W"]
    assert one["loss_history"][0] == other["loss_history"][0], "both start from the same model"


@pytest.mark.parametrize("batch_size", [1, 2])
def test_mini_batch_training_differs_from_full_batch(client, batch_size):
    doc = model([2, 4, 2], "tanh", "softmax", "cross_entropy", seed=1)
    full = train(client, doc, XOR, steps=10, learning_rate=0.5)
    mini = train(client, doc, XOR, steps=10, learning_rate=0.5, batch_size=batch_size)
    assert mini["model"]["W"] != full["model"]["W"]


def test_a_batch_as_large_as_the_data_is_full_batch_whatever_the_seed(client):
    doc = model([2, 4, 2], "tanh", "softmax", "cross_entropy", seed=1)
    full = train(client, doc, XOR, steps=10, learning_rate=0.5)
    for seed in (0, 5):
        assert train(client, doc, XOR, steps=10, learning_rate=0.5, batch_size=4, seed=seed) == full
        assert train(client, doc, XOR, steps=10, learning_rate=0.5, batch_size=100, seed=seed) == full


def test_mini_batch_loss_history_is_measured_on_all_examples(client):
    """loss_history[k] is the loss over every example after k steps, whatever the batch size."""
    doc = model([2, 4, 2], "tanh", "softmax", "cross_entropy", seed=1)
    result = train(client, doc, XOR, steps=5, learning_rate=0.5, batch_size=1, seed=3)
    start = client.post("/api/backprop", json={"model": doc, **XOR}).json()["loss"]
    end = client.post("/api/backprop", json={"model": result["model"], **XOR}).json()["loss"]
    assert result["loss_history"][0] == pytest.approx(start, rel=1e-12)
    assert result["loss_history"][-1] == pytest.approx(end, rel=1e-12)


# --- optimizers ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("optimizer, learning_rate", [("sgd", 0.5), ("momentum", 0.1), ("adam", 0.05)])
def test_every_optimizer_lowers_the_loss_on_two_points(client, optimizer, learning_rate):
    doc = model([2, 3, 2], "sigmoid", "softmax", "cross_entropy", seed=2)
    result = train(client, doc, TWO_POINTS, steps=100, optimizer=optimizer, learning_rate=learning_rate)
    history = result["loss_history"]
    assert result["stopped"] is None
    assert history[-1] < 0.5 * history[0], f"{optimizer}: {history[0]} -> {history[-1]}"


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_momentum_and_adam_are_not_plain_sgd(client, optimizer):
    doc = model([2, 3, 2], "sigmoid", "softmax", "cross_entropy", seed=2)
    plain = train(client, doc, TWO_POINTS, steps=5, learning_rate=0.1)
    other = train(client, doc, TWO_POINTS, steps=5, optimizer=optimizer, learning_rate=0.1)
    assert plain["model"]["W"] != other["model"]["W"]


def test_momentum_uses_the_momentum_it_is_given(client):
    doc = model([2, 3, 2], "sigmoid", "softmax", "cross_entropy", seed=2)
    body = {"model": doc, **TWO_POINTS, "steps": 5}
    slow = client.post("/api/train", json={**body, "optimizer": {"name": "momentum", "learning_rate": 0.1,
                                                                 "momentum": 0.0}}).json()
    fast = client.post("/api/train", json={**body, "optimizer": {"name": "momentum", "learning_rate": 0.1,
                                                                 "momentum": 0.9}}).json()
    plain = train(client, doc, TWO_POINTS, steps=5, learning_rate=0.1)
    assert slow["loss_history"] == pytest.approx(plain["loss_history"], rel=1e-12), "momentum 0 is plain descent"
    assert fast["loss_history"][-1] < slow["loss_history"][-1]


# --- the time limit ------------------------------------------------------------------------------------------

def test_a_run_over_the_time_limit_is_stopped_with_the_model_so_far():
    with TestClient(create_app(Settings(train_time_limit=0.0))) as client:
        result = train(client, model([2, 3, 2]), TWO_POINTS, steps=50_000)
    stopped = result["stopped"]
    assert stopped is not None and stopped["reason"] == "time_limit"
    assert 1 <= stopped["step"] < 50_000
    assert "call again" in stopped["message"]
    assert result["model"] is not None
    assert len(result["loss_history"]) == stopped["step"] + 1


def test_zero_steps_returns_the_model_unchanged_with_its_loss(client):
    doc = model([2, 3, 2])
    result = train(client, doc, TWO_POINTS, steps=0)
    assert result["model"] == doc
    assert result["stopped"] is None
    loss = client.post("/api/backprop", json={"model": doc, **TWO_POINTS}).json()["loss"]
    assert result["loss_history"] == [pytest.approx(loss, rel=1e-12)]
