"""Saturated outputs stay finite: z = ±1000 at the output gives finite losses and gradients for every
output layer, sigmoid(±1000) is exactly 1 and 0, and softmax of huge logits is a proper distribution.

Every check runs with floating-point overflow, division by zero and invalid operations raising, and with
warnings as errors, so these tests do not rely on pytest's filterwarnings setting.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager

import numpy as np
import pytest

from app.nn import RUN_KINDS, Network, OutputLayer, Trainer, divergence_reason, make_optimizer
from app.nn.activations import HIDDEN_ACTIVATIONS, sigmoid
from app.nn.output_layer import log_softmax, softmax

EVERY_OUTPUT = [OutputLayer.from_kind(kind) for kind in RUN_KINDS] + [OutputLayer("linear", "mse")]
IDS = [f"{o.activation}-{o.loss}{'-elementwise' if o.elementwise_mistake else ''}" for o in EVERY_OUTPUT]


@contextmanager
def strict_floats():
    """Overflow, 0-division and NaN-producing operations raise; so does any warning. Underflow (e^-1000 → 0) is fine."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            yield


def _saturated_net(output: OutputLayer, hidden: bool) -> tuple[Network, np.ndarray]:
    """A network whose output z is [+1000, −1000] for the first example and [−1000, +1000] for the second."""
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    W_out = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
    if not hidden:
        return Network([W_out], [np.zeros(2)], None, output), X
    # a hidden sigmoid layer that copies the inputs: σ(±60) is 1 or 0 to within 1e-26, so z stays ±1000
    W_hidden = np.array([[120.0, -120.0], [-120.0, 120.0]])
    b_hidden = np.array([-60.0, -60.0])
    net = Network([W_hidden, W_out], [b_hidden, np.zeros(2)], "sigmoid", output)
    return net, X


LABELS = {
    "right": np.array([[1.0, 0.0], [0.0, 1.0]]),  # the saturated outputs are correct
    "wrong": np.array([[0.0, 1.0], [1.0, 0.0]]),  # the saturated outputs are as wrong as they can be
}


@pytest.mark.parametrize("labels", sorted(LABELS))
@pytest.mark.parametrize("hidden", [False, True], ids=["no-hidden", "sigmoid-hidden"])
@pytest.mark.parametrize("output", EVERY_OUTPUT, ids=IDS)
def test_output_z_of_plus_minus_1000_gives_finite_loss_and_gradients(output, hidden, labels):
    net, X = _saturated_net(output, hidden)
    Y = LABELS[labels]
    with strict_floats():
        fwd, bwd = net.gradients(X, Y)
        costs = net.costs(fwd, Y)
        loss = net.loss(fwd, Y)
    np.testing.assert_allclose(np.abs(fwd.zs[-1]), 1000.0, rtol=1e-12)
    assert np.isfinite(costs).all() and np.isfinite(loss)
    for arrays in (fwd.activations, bwd.deltas, bwd.grad_W, bwd.grad_b):
        for array in arrays:
            assert np.isfinite(array).all()


@pytest.mark.parametrize("output", EVERY_OUTPUT, ids=IDS)
def test_training_from_saturated_outputs_stays_finite(output):
    net, X = _saturated_net(output, hidden=False)
    Y = LABELS["wrong"]
    trainer = Trainer(net, X, Y, make_optimizer("sgd", 0.5))
    with strict_floats():
        losses = [trainer.step().loss for _ in range(5)]
    assert np.isfinite(losses).all()
    assert divergence_reason(net, losses[-1]) is None
    assert all(np.isfinite(p).all() for p in net.parameters)


def test_saturated_cross_entropies_are_exact_not_clipped():
    # −log softmax(z)_y for z = [1000, −1000], y = [0, 1] is exactly 2000; a clipped log(a) would give ~36 or inf.
    z = np.array([[1000.0, -1000.0]])
    y = np.array([[0.0, 1.0]])
    ce = OutputLayer("softmax", "cross_entropy")
    bce = OutputLayer("sigmoid", "binary_cross_entropy")
    with strict_floats():
        np.testing.assert_allclose(ce.costs(z, ce.activate(z), y), [2000.0], rtol=1e-12)
        # per unit: 1000 (says 1, label 0) + 1000 (says 0, label 1)
        np.testing.assert_allclose(bce.costs(z, bce.activate(z), y), [2000.0], rtol=1e-12)
        np.testing.assert_allclose(ce.costs(z, ce.activate(z), 1.0 - y), [0.0], atol=1e-300)
        np.testing.assert_allclose(bce.costs(z, bce.activate(z), 1.0 - y), [0.0], atol=1e-300)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_of_plus_minus_1000_is_exactly_one_and_zero_without_warnings(dtype):
    z = np.array([1000.0, -1000.0, 750.0, -750.0], dtype=dtype)
    with strict_floats():
        for a in (sigmoid(z), HIDDEN_ACTIVATIONS["sigmoid"].fn(z), OutputLayer("sigmoid", "mse").activate(z[None])[0]):
            assert a.dtype == dtype
            assert a[0] == 1.0 and a[2] == 1.0
            assert a[1] == 0.0 and a[3] == 0.0


def test_sigmoid_is_accurate_on_both_sides_of_zero():
    z = np.array([-30.0, -5.0, -1e-8, 0.0, 1e-8, 5.0, 30.0])
    np.testing.assert_allclose(sigmoid(z), 1.0 / (1.0 + np.exp(-z)), rtol=1e-15)
    np.testing.assert_allclose(sigmoid(-z), 1.0 - sigmoid(z), atol=1e-16)


@pytest.mark.parametrize(
    "z",
    [[1000.0, 999.0, -1000.0], [1e5, 0.0, -1e5], [-1000.0, -1001.0, -1002.0], [1e300, 1e300, -1e300]],
)
def test_softmax_of_huge_logits_is_a_finite_distribution(z):
    z = np.array([z])
    with strict_floats():
        a = softmax(z)
        log_a = log_softmax(z)
    assert np.isfinite(a).all() and np.isfinite(log_a).all()
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=1e-15)
    assert (a >= 0).all()
    # shifting all logits by the same amount changes nothing
    np.testing.assert_allclose(a, softmax(z - z.max()), rtol=1e-15)


def test_softmax_of_huge_logits_has_the_right_values():
    z = np.array([[1000.0, 999.0, -1000.0]])
    with strict_floats():
        a = softmax(z)
        log_a = log_softmax(z)
    e = np.exp(-1.0)
    np.testing.assert_allclose(a, [[1 / (1 + e), e / (1 + e), 0.0]], rtol=1e-15, atol=0)
    np.testing.assert_allclose(log_a, [[-np.log1p(e), -1.0 - np.log1p(e), -2000.0 - np.log1p(e)]], rtol=1e-15)


@pytest.mark.parametrize("name", sorted(HIDDEN_ACTIVATIONS))
def test_hidden_activations_stay_finite_at_huge_z(name):
    activation = HIDDEN_ACTIVATIONS[name]
    z = np.array([[1000.0, -1000.0, 1e6, -1e6]])
    with strict_floats():
        a = activation.fn(z)
        slope = activation.derivative(z, a)
    assert np.isfinite(a).all() and np.isfinite(slope).all()
