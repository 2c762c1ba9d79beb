"""Backprop agrees with central differences on random networks of every kind; the elementwise
softmax mistake does not.

Tolerance. gradient_check reports ‖numeric − backprop‖ / (‖numeric‖ + ‖backprop‖) per layer. With
h = 1e-6 the central difference carries a truncation error of order h² ≈ 1e-12 and a round-off error
of order ε·|C|/h ≈ 1e-10, both absolute. When a layer's gradient is itself tiny (a saturated sigmoid,
a mostly dead ReLU layer, a nearly fitted output) that round-off alone can push the *relative* error
past 1e-6 although backprop is exact. So a layer passes when its relative error is below 1e-6, or when
no single entry differs by more than 1e-8 (100× the round-off scale, far below any real mistake:
the elementwise softmax mistake is off by > 1e-2 relative, and typically by 1e-2 absolute).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.nn import ALLOWED_LOSSES, HIDDEN_ACTIVATIONS, INITS, Network, OutputLayer, gradient_check
from reference import TWO_POINTS_X, TWO_POINTS_Y, XOR_X, XOR_Y

RELATIVE_BOUND = 1e-6
ABSOLUTE_FLOOR = 1e-8
KINK_MARGIN = 1e-4  # a ReLU's z must be this far from 0; a step of h = 1e-6 in any weight moves z by ≪ this

ALLOWED_PAIRS = [(act, loss) for act, losses in ALLOWED_LOSSES.items() for loss in losses]
KINKED = ("relu", "leaky_relu")


def _labels(rng: np.random.Generator, loss: str, n: int, k: int, soft: bool) -> np.ndarray:
    if not soft:
        return np.eye(k)[rng.integers(0, k, n)]
    if loss == "cross_entropy":
        return rng.dirichlet(np.ones(k), n)
    return rng.uniform(0.0, 1.0, (n, k))


def _assert_layers_pass(checks) -> None:
    for c in checks:
        assert c.relative_error < RELATIVE_BOUND or c.max_abs_difference < ABSOLUTE_FLOOR, c


@st.composite
def networks(draw):
    n_weight_layers = draw(st.integers(1, 3))
    n_in = draw(st.integers(1, 4))
    hidden = [draw(st.integers(1, 5)) for _ in range(n_weight_layers - 1)]
    activation, loss = draw(st.sampled_from(ALLOWED_PAIRS))
    n_out = draw(st.integers(2, 4))
    hidden_activation = draw(st.sampled_from(sorted(HIDDEN_ACTIVATIONS)))
    init = draw(st.sampled_from(sorted(INITS)))
    seed = draw(st.integers(0, 2**32 - 1))
    n_examples = draw(st.integers(1, 4))
    soft = draw(st.booleans())
    net = Network.create([n_in, *hidden, n_out], hidden_activation, OutputLayer(activation, loss), init, seed)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, (n_examples, n_in))
    Y = _labels(rng, loss, n_examples, n_out, soft)
    return net, X, Y


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(networks())
def test_backprop_matches_central_differences_for_random_networks(case):
    net, X, Y = case
    if net.hidden_activation in KINKED and len(net.W) > 1:
        zs = net.forward(X).zs[:-1]
        assume(min(float(np.abs(z).min()) for z in zs) > KINK_MARGIN)
    checks = gradient_check(net, X, Y)
    assert [c.layer for c in checks] == list(range(len(net.W)))
    _assert_layers_pass(checks)


@pytest.mark.parametrize("hidden_activation", sorted(HIDDEN_ACTIVATIONS))
@pytest.mark.parametrize("activation, loss", ALLOWED_PAIRS)
def test_every_hidden_activation_with_every_output_pairing_passes_gradient_check(hidden_activation, activation, loss):
    # The explicit grid, so that no combination depends on what hypothesis happens to draw.
    # The XOR inputs through a 2-4-3-3 network with xavier init: 3 outputs, two hidden layers.
    net = Network.create([2, 4, 3, 3], hidden_activation, OutputLayer(activation, loss), "xavier", seed=5)
    net.b[0][:] = 0.3  # moves the first ReLU layer's z away from 0 at the input [0, 0]
    X = XOR_X
    Y = np.eye(3)[[0, 1, 2, 0]]
    if hidden_activation in KINKED:
        assert min(float(np.abs(z).min()) for z in net.forward(X).zs[:-1]) > KINK_MARGIN
    checks = gradient_check(net, X, Y)
    assert max(c.relative_error for c in checks) < RELATIVE_BOUND, checks


def test_gradient_check_of_the_reference_setup_is_tight():
    net = Network.create([2, 3, 3, 2], "sigmoid", OutputLayer("sigmoid", "mse"), "normal", seed=0)
    checks = gradient_check(net, TWO_POINTS_X, TWO_POINTS_Y)
    assert len(checks) == 3
    assert all(c.relative_error < 1e-7 for c in checks), checks


# --- the mistake is caught -------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_gradient_check_catches_the_elementwise_softmax_mistake_with_three_outputs(seed):
    wrong = OutputLayer.from_kind("softmax_mse_elementwise")
    net = Network.create([2, 4, 3], "sigmoid", wrong, "normal", seed)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, (6, 2))
    Y = np.eye(3)[rng.integers(0, 3, 6)]
    checks = gradient_check(net, X, Y)
    assert checks[-1].relative_error > 1e-2, checks
    assert checks[0].relative_error > 1e-2, checks  # the wrong δᴸ propagates into every earlier layer
    # the same weights with the right δᴸ pass
    _assert_layers_pass(gradient_check(net.with_output(OutputLayer.from_kind("softmax_mse")), X, Y))


def test_gradient_check_catches_the_mistake_even_with_two_outputs():
    # with k = 2 the mistake is exactly half the right δᴸ, which is a relative error of 1/3
    net = Network.create([2, 3, 2], "sigmoid", OutputLayer.from_kind("softmax_mse_elementwise"), "normal", 1)
    checks = gradient_check(net, TWO_POINTS_X, TWO_POINTS_Y)
    np.testing.assert_allclose(checks[-1].relative_error, 1.0 / 3.0, rtol=1e-4)


def test_gradient_check_does_not_change_the_network():
    net = Network.create([2, 3, 2], "tanh", OutputLayer("softmax", "cross_entropy"), "normal", 3)
    before = [p.copy() for p in net.parameters]
    gradient_check(net, XOR_X, XOR_Y)
    for p, q in zip(before, net.parameters):
        assert np.array_equal(p, q)


# --- the kink convention ---------------------------------------------------------------------------


def test_relu_derivative_at_exactly_zero_is_zero_as_in_pytorch():
    # The reference conventions say relu'(0) = 0. A hidden unit with z = 0 exactly passes no gradient,
    # so its incoming weights and bias get exactly zero gradient; leaky_relu passes the leak slope.
    W0 = np.array([[1.0, -1.0], [0.5, 0.5]])  # unit 0 has z = 0 on the input [1, 1]; unit 1 has z = 1
    W1 = np.array([[1.0, 2.0], [-1.0, 0.5]])
    X, Y = np.array([[1.0, 1.0]]), np.array([[1.0, 0.0]])
    relu = Network([W0, W1], [np.zeros(2), np.zeros(2)], "relu", OutputLayer("softmax", "cross_entropy"))
    fwd, bwd = relu.gradients(X, Y)
    assert fwd.zs[0][0, 0] == 0.0
    assert np.all(bwd.grad_W[0][0] == 0.0) and bwd.grad_b[0][0] == 0.0
    assert np.all(bwd.grad_W[0][1] != 0.0)
    leaky = Network([W0, W1], [np.zeros(2), np.zeros(2)], "leaky_relu", OutputLayer("softmax", "cross_entropy"))
    _, leaky_bwd = leaky.gradients(X, Y)
    upstream = (leaky_bwd.deltas[1] @ W1)[0, 0]
    np.testing.assert_allclose(leaky_bwd.deltas[0][0, 0], 0.01 * upstream, rtol=1e-15)
