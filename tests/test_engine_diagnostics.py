"""diagnose() names why a network is stuck (and stays quiet when it is not); model documents round-trip
exactly and point at the field that is wrong."""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
import pytest

from app.nn import ModelError, Network, OutputLayer, Trainer, diagnose, from_document, make_optimizer, to_document
from reference import MAIN_KINDS, TWO_POINTS_X, TWO_POINTS_Y, XOR_X, XOR_Y, max_error, raw_pixels


def _train(net: Network, X: np.ndarray, Y: np.ndarray, lr: float, steps: int) -> Network:
    trainer = Trainer(net, X, Y, make_optimizer("sgd", lr))
    for _ in range(steps):
        trainer.step()
    return net


@lru_cache(maxsize=None)
def _raw_pixels_run(kind: str, scale: float) -> Network:
    """16-8-2, sigmoid hidden, normal init seed 2, lr 0.5, 3000 steps on the raw-pixels pair."""
    X, Y = raw_pixels(scale)
    net = Network.create([16, 8, 2], "sigmoid", OutputLayer.from_kind(kind), "normal", seed=2)
    return _train(net, X, Y, lr=0.5, steps=3000)


def _codes(cause_list) -> list[str]:
    return [c.code for c in cause_list]


# --- raw pixels: a real collapse that no output layer cures -----------------------------------------------


@pytest.mark.parametrize("kind", MAIN_KINDS)
def test_unscaled_raw_pixels_stay_at_the_mean_label_for_every_output_layer(kind):
    X, Y = raw_pixels()
    net = _raw_pixels_run(kind, 1.0)
    assert np.abs(net.predict(X) - 0.5).max() < 0.05


@pytest.mark.parametrize("kind", MAIN_KINDS)
def test_unscaled_raw_pixels_are_diagnosed_as_large_inputs_then_identical_representations(kind):
    X, Y = raw_pixels()
    d = diagnose(_raw_pixels_run(kind, 1.0), X, Y)
    assert d.collapsed
    assert d.outputs_at_mean_label
    assert d.indistinguishable_fraction == 1.0
    assert d.input_scale == 255.0 and d.first_sum_scale > 100
    # 255 × N(0, 1) weights pin the first sigmoid layer at 0 or 1, so both pictures get the same hidden code.
    assert _codes(d.cause_list) == ["unscaled_inputs", "identical_representations", "saturated_layer"]
    assert "255" in d.cause_list[0].suggestion  # tells the learner to scale the pixels
    assert {c.suggestion for c in d.cause_list} == {d.cause_list[0].suggestion}  # one fix, said once
    assert not d.nonfinite_loss


@pytest.mark.parametrize("kind", MAIN_KINDS)
def test_raw_pixels_scaled_by_1_over_255_learn_with_the_same_seed(kind):
    X, Y = raw_pixels(1.0 / 255.0)
    net = _raw_pixels_run(kind, 1.0 / 255.0)
    assert max_error(net, X, Y) < 0.1
    d = diagnose(net, X, Y)
    assert not d.collapsed
    assert d.cause_list == []


# --- other causes -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", MAIN_KINDS)
def test_xor_without_a_hidden_layer_is_diagnosed_as_not_linearly_separable(kind):
    net = _train(Network.create([2, 2], None, OutputLayer.from_kind(kind), "normal", seed=0), XOR_X, XOR_Y, 0.5, 3000)
    d = diagnose(net, XOR_X, XOR_Y)
    assert d.collapsed and d.outputs_at_mean_label
    assert not d.has_hidden_layer
    assert d.indistinguishable_fraction == 0.0  # the four inputs are all different
    assert _codes(d.cause_list)[0] == "not_linearly_separable"
    assert "hidden layer" in d.cause_list[0].suggestion.lower()


def test_relus_with_hugely_negative_biases_are_diagnosed_as_dead():
    net = Network.create([2, 8, 2], "relu", OutputLayer.from_kind("softmax_ce"), "he", seed=0)
    net.b[0][:] = -100.0
    d = diagnose(net, XOR_X, XOR_Y)
    assert d.layers[0].stuck_fraction == 1.0
    assert d.layers[0].mean_abs_activation == 0.0
    assert "dead_relus" in _codes(d.cause_list)
    assert d.collapsed


def test_relus_are_not_dead_with_he_init():
    net = Network.create([2, 8, 2], "relu", OutputLayer.from_kind("softmax_ce"), "he", seed=0)
    d = diagnose(net, XOR_X, XOR_Y)
    assert "dead_relus" not in _codes(d.cause_list)


@pytest.mark.parametrize("kind", MAIN_KINDS)
def test_a_healthy_trained_two_points_net_reports_no_collapse(kind):
    net = Network.create([2, 8, 2], "sigmoid", OutputLayer.from_kind(kind), "normal", seed=0)
    _train(net, TWO_POINTS_X, TWO_POINTS_Y, lr=0.5, steps=1000)
    assert max_error(net, TWO_POINTS_X, TWO_POINTS_Y) < 0.1
    d = diagnose(net, TWO_POINTS_X, TWO_POINTS_Y)
    assert not d.collapsed
    assert not d.outputs_at_mean_label and not d.gradient_vanished and not d.nonfinite_loss
    assert d.indistinguishable_fraction == 0.0
    assert d.cause_list == []


def test_diagnose_accepts_a_precomputed_pass_and_agrees():
    net = _raw_pixels_run("softmax_ce", 1.0)
    X, Y = raw_pixels()
    fwd, bwd = net.gradients(X, Y)
    assert diagnose(net, X, Y, fwd, bwd) == diagnose(net, X, Y)


# --- model documents --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sigmoid_mse", "sigmoid_bce", "softmax_ce", "softmax_mse"])
def test_model_document_round_trip_is_exact(kind):
    net = Network.create([3, 5, 4, 2], "tanh", OutputLayer.from_kind(kind), "normal", seed=9)
    _train(net, np.random.default_rng(0).normal(size=(6, 3)), np.eye(2)[[0, 1, 0, 1, 1, 0]], 0.3, 5)
    doc = json.loads(json.dumps(to_document(net)))  # through real JSON text
    again = from_document(doc)
    assert again.layer_sizes == net.layer_sizes == doc["layer_sizes"]
    assert again.hidden_activation == "tanh"
    assert (again.output.activation, again.output.loss) == (net.output.activation, net.output.loss)
    for p, q in zip(net.parameters, again.parameters):
        assert p.dtype == q.dtype and np.array_equal(p, q)  # bit for bit
    assert to_document(again) == doc


def test_model_document_without_hidden_layer_round_trips():
    net = Network.create([2, 3], None, OutputLayer("linear", "mse"), "uniform", seed=1)
    doc = to_document(net)
    assert doc["hidden_activation"] is None
    again = from_document(doc)
    assert again.hidden_activation is None and len(again.W) == 1
    assert np.array_equal(again.W[0], net.W[0]) and np.array_equal(again.b[0], net.b[0])


def _doc() -> dict:
    return {
        "layer_sizes": [2, 3, 2],
        "hidden_activation": "sigmoid",
        "output_activation": "softmax",
        "loss": "cross_entropy",
        "W": [[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]],
        "b": [[0.1, 0.2, 0.3], [0.0, 0.0]],
    }


def _broken(edit) -> dict:
    doc = _doc()
    edit(doc)
    return doc


@pytest.mark.parametrize(
    "edit, loc",
    [
        (lambda d: d["W"].pop(), ("W",)),
        (lambda d: d["b"].append([0.0]), ("b",)),
        (lambda d: d["W"][0].pop(), ("W", 0)),
        (lambda d: d["W"][1].append([0.0, 0.0, 0.0]), ("W", 1)),
        (lambda d: d["W"][0][2].append(0.7), ("W", 0, 2)),
        (lambda d: d["W"][1][0].pop(), ("W", 1, 0)),
        (lambda d: d["b"][0].pop(), ("b", 0)),
        (lambda d: d["b"][1].append(1.0), ("b", 1)),
        (lambda d: d.update(hidden_activation=None), ("hidden_activation",)),
        (lambda d: d.update(loss="binary_cross_entropy"), ("loss",)),
    ],
    ids=["too-few-W", "too-many-b", "W0-rows", "W1-rows", "W0-row2-len", "W1-row0-len", "b0-len", "b1-len",
         "no-hidden-activation", "bad-pairing"],
)
def test_model_document_shape_errors_point_at_the_field(edit, loc):
    with pytest.raises(ModelError) as info:
        from_document(_broken(edit))
    assert info.value.loc == loc
    assert isinstance(info.value, ValueError)
    assert info.value.message and str(info.value) == info.value.message


def test_model_document_shape_error_says_what_was_expected():
    with pytest.raises(ModelError) as info:
        from_document(_broken(lambda d: d["W"][0][2].append(0.7)))
    assert "needs 2 numbers" in info.value.message and "not 3" in info.value.message


def test_valid_model_document_builds_the_described_network():
    net = from_document(_doc())
    assert net.layer_sizes == [2, 3, 2]
    np.testing.assert_array_equal(net.W[1], [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    z_hidden = np.array([[1.0, 1.0]]) @ net.W[0].T + net.b[0]
    np.testing.assert_allclose(net.forward(np.array([[1.0, 1.0]])).zs[0], z_hidden)


# --- a loss that swings: the rate overshoots ----------------------------------------------------------------


def test_a_loss_that_swings_up_and_down_without_falling_is_oscillating_and_the_fix_is_a_lower_rate():
    from app.nn.diagnostics import OSCILLATION_WINDOW, oscillation

    swinging = np.tile([10.0, 15.0], OSCILLATION_WINDOW)
    cause = oscillation(swinging, 50.0)
    assert cause is not None and cause.code == "oscillating" and cause.remedies == ("lower_learning_rate",)
    assert "5" in cause.suggestion and "50" in cause.suggestion  # from the run's own rate, to a tenth of it


@pytest.mark.parametrize("losses", [
    np.linspace(1.0, 0.1, 100),  # falling smoothly
    np.linspace(1.0, 0.5, 100) + np.tile([0.0, 0.15], 50),  # swinging, but falling overall
    np.full(100, 0.25) + np.tile([0.0, 0.001], 50),  # a flat plateau with tiny wiggles
    np.tile([10.0, 15.0], 10),  # too few steps to tell
])
def test_losses_that_fall_stay_flat_or_are_too_few_are_not_oscillating(losses):
    from app.nn.diagnostics import oscillation

    assert oscillation(losses, 0.5) is None
