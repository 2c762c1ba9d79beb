"""L1 and L2 regularisation: exact gradients of C + Ω (central differences), the update every optimizer makes with
them (rebuilt here in NumPy), weight decay, nothing changed at a rate of 0, and L1 silencing a useless input.

Convention (app/nn/regularization.py): Ω = (λ/2)Σw² or λΣ|w| over the weights only, not divided by n.
Gradient-check tolerance: as tests/test_engine_gradcheck.py explains.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.nn import (ALLOWED_LOSSES, OPTIMIZERS, Network, OutputLayer, Regularization, Trainer, gradient_check,
                    make_optimizer, make_regularization)

RELATIVE_BOUND = 1e-6
ABSOLUTE_FLOOR = 1e-8
L1_KINK_MARGIN = 1e-4  # |w| must be this far from 0, where |w| has its kink; a step of h = 1e-6 stays on one side
PAIRS = [(act, loss) for act, losses in ALLOWED_LOSSES.items() for loss in losses]
KINDS = ["l1", "l2"]


def _penalty_gradient(kind: str, rate: float, w: np.ndarray) -> np.ndarray:
    """∂Ω/∂w written out here, independently of the engine."""
    return rate * (w if kind == "l2" else np.sign(w))


def _labels(rng: np.random.Generator, loss: str, n: int, k: int) -> np.ndarray:
    if loss == "cross_entropy":
        return rng.dirichlet(np.ones(k), n)
    return rng.uniform(0.0, 1.0, (n, k))


def _assert_layers_pass(checks) -> None:
    for c in checks:
        assert c.relative_error < RELATIVE_BOUND or c.max_abs_difference < ABSOLUTE_FLOOR, c


# --- gradients against central differences of C + Ω ------------------------------------------------


@st.composite
def regularised_cases(draw):
    sizes = [draw(st.integers(1, 4)), *[draw(st.integers(1, 4)) for _ in range(draw(st.integers(0, 2)))],
             draw(st.integers(2, 4))]
    activation, loss = draw(st.sampled_from(PAIRS))
    seed = draw(st.integers(0, 2**32 - 1))
    net = Network.create(sizes, draw(st.sampled_from(["sigmoid", "tanh"])), OutputLayer(activation, loss),
                         "normal", seed)
    rng = np.random.default_rng(seed)
    n = draw(st.integers(1, 4))
    X = rng.uniform(-1.0, 1.0, (n, sizes[0]))
    kind = draw(st.sampled_from(KINDS))
    rate = draw(st.floats(1e-3, 3.0))
    return net, X, _labels(rng, loss, n, sizes[-1]), kind, rate


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(regularised_cases())
def test_regularised_backprop_matches_central_differences_of_the_total_cost(case):
    net, X, Y, kind, rate = case
    if kind == "l1":
        assume(min(float(np.abs(W).min()) for W in net.W) > L1_KINK_MARGIN)
    _assert_layers_pass(gradient_check(net, X, Y, regularization=kind, regularization_rate=rate))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("activation, loss", PAIRS)
def test_every_output_pairing_passes_the_regularised_gradient_check(kind, activation, loss):
    net = Network.create([2, 4, 3, 3], "sigmoid", OutputLayer(activation, loss), "normal", seed=7)
    rng = np.random.default_rng(7)
    X, Y = rng.uniform(-1, 1, (5, 2)), _labels(rng, loss, 5, 3)
    checks = gradient_check(net, X, Y, regularization=kind, regularization_rate=0.3)
    assert [c.layer for c in checks] == [0, 1, 2]
    assert max(c.relative_error for c in checks) < RELATIVE_BOUND, checks


@pytest.mark.parametrize("kind", KINDS)
def test_the_gradient_check_catches_a_gradient_without_the_penalty(kind):
    net = Network.create([2, 3, 2], "sigmoid", OutputLayer("softmax", "cross_entropy"), "normal", seed=2)
    X, Y = np.array([[1.0, 0.0], [0.0, 1.0]]), np.eye(2)
    data_only = net.gradients(X, Y)[1]
    checks = gradient_check(net, X, Y, backward=data_only, regularization=kind, regularization_rate=0.5)
    assert min(c.relative_error for c in checks) > 1e-2, checks


# --- what a regularised step does --------------------------------------------------------------------


def _data(seed: int = 0, n: int = 6):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (n, 2)), np.eye(2)[rng.integers(0, 2, n)]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("batch_size", [None, 4, 1])
@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_every_optimizer_and_batch_mode_descends_the_regularised_gradient(optimizer, batch_size, kind):
    X, Y = _data()
    net = Network.create([2, 3, 2], "tanh", OutputLayer("softmax", "cross_entropy"), "normal", seed=1)
    mirror, mirror_optimizer, rate = net.copy(), make_optimizer(optimizer, 0.1), 0.2
    trainer = Trainer(net, X, Y, make_optimizer(optimizer, 0.1), batch_size, seed=3,
                      regularization=kind, regularization_rate=rate)
    for _ in range(5):
        result = trainer.step()
        rows = np.arange(len(X)) if result.batch is None else result.batch
        _, bwd = mirror.gradients(X[rows], Y[rows])
        data_grad_b = [g.copy() for g in bwd.grad_b]
        for w, g in zip(mirror.W, bwd.grad_W):
            g += _penalty_gradient(kind, rate, w)
        mirror_optimizer.update([mirror.theta], [bwd.grad])
        np.testing.assert_allclose(net.theta, mirror.theta, rtol=0, atol=1e-13)
        for got, data in zip(result.backward.grad_b, data_grad_b):  # biases are never regularised
            np.testing.assert_allclose(got, data, rtol=0, atol=1e-15)


def test_l2_with_plain_sgd_is_weight_decay():
    X, Y = _data(4)
    net = Network.create([2, 4, 2], "sigmoid", OutputLayer("sigmoid", "mse"), "normal", seed=4)
    W, b = [w.copy() for w in net.W], [v.copy() for v in net.b]
    eta, lam = 0.5, 0.05
    trainer = Trainer(net, X, Y, make_optimizer("sgd", eta), regularization="l2", regularization_rate=lam)
    for _ in range(20):
        trainer.step()
        _, bwd = Network(W, b, "sigmoid", net.output).gradients(X, Y)
        W = [w - eta * (g + lam * w) for w, g in zip(W, bwd.grad_W)]  # w ← w − η(∇ + λw)
        b = [v - eta * g for v, g in zip(b, bwd.grad_b)]
    for got, want in zip(net.W + net.b, W + b):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-13)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_a_rate_of_zero_gives_bit_identical_weights(optimizer, kind):
    X, Y = _data(5, n=9)
    plain = Network.create([2, 5, 2], "relu", OutputLayer("softmax", "cross_entropy"), "he", seed=5)
    zero = plain.copy()
    a = Trainer(plain, X, Y, make_optimizer(optimizer, 0.05), 4, seed=2)
    b = Trainer(zero, X, Y, make_optimizer(optimizer, 0.05), 4, seed=2, regularization=kind, regularization_rate=0.0)
    assert b.regularization is None
    for _ in range(30):
        assert a.step().loss == b.step().loss
    assert np.array_equal(plain.theta, zero.theta)


def test_step_reports_the_data_loss_and_the_penalty_separately():
    X, Y = _data(6)
    net = Network.create([2, 3, 2], "sigmoid", OutputLayer("softmax", "cross_entropy"), "normal", seed=6)
    data_loss = net.loss(net.forward(X), Y)
    expected = 0.5 * 0.1 * sum(float((w**2).sum()) for w in net.W)
    trainer = Trainer(net, X, Y, make_optimizer("sgd", 0.5), regularization="l2", regularization_rate=0.1)
    assert trainer.penalty() == pytest.approx(expected, rel=1e-14)
    result = trainer.step()
    assert result.loss == pytest.approx(data_loss, rel=1e-14)
    assert result.penalty == pytest.approx(expected, rel=1e-14)
    assert trainer.penalty() == pytest.approx(0.5 * 0.1 * sum(float((w**2).sum()) for w in net.W), rel=1e-14)
    assert Trainer(net, X, Y, make_optimizer("sgd", 0.5)).step().penalty == 0.0


def test_l1_penalty_is_rate_times_the_absolute_weights_without_biases():
    W = [np.array([[1.0, -2.0]]), np.array([[0.5], [-0.25]])]
    assert Regularization("l1", 0.1).penalty(W) == pytest.approx(0.1 * 3.75, rel=1e-15)
    assert Regularization("l2", 0.1).penalty(W) == pytest.approx(0.05 * (1 + 4 + 0.25 + 0.0625), rel=1e-15)


def test_a_mistaken_run_gets_the_penalty_after_the_learners_backward_pass():
    X, Y = _data(7)
    net = Network.create([2, 3, 2], "sigmoid", OutputLayer("sigmoid", "mse"), "normal", seed=7)
    plain = Trainer(net.copy(), X, Y, make_optimizer("sgd", 0.5), mistake="examples_mixed")
    regularised = Trainer(net.copy(), X, Y, make_optimizer("sgd", 0.5), mistake="examples_mixed",
                          regularization="l1", regularization_rate=0.2)
    learner, with_penalty = plain.passes()[1], regularised.passes()[1]
    for w, g, got in zip(net.W, learner.grad_W, with_penalty.grad_W):
        np.testing.assert_allclose(got, g + 0.2 * np.sign(w), rtol=0, atol=1e-15)
    plain.step()
    regularised.step()
    for w0, w_plain, w_reg in zip(net.W, plain.net.W, regularised.net.W):
        np.testing.assert_allclose(w_reg, w_plain - 0.5 * 0.2 * np.sign(w0), rtol=0, atol=1e-14)


def test_l1_drives_the_weights_of_a_useless_input_to_zero():
    # The class is the sign of x1; x2 is noise. Without L1, x2's weights stay where they started.
    rng = np.random.default_rng(8)
    X = rng.uniform(-1, 1, (40, 2))
    Y = np.eye(2)[(X[:, 0] > 0).astype(int)]
    start = Network.create([2, 2], None, OutputLayer("softmax", "cross_entropy"), "normal", seed=8)
    eta, lam = 0.5, 0.01
    runs = {}
    for kind in (None, "l1"):
        net = start.copy()
        trainer = Trainer(net, X, Y, make_optimizer("sgd", eta), regularization=kind, regularization_rate=lam)
        for _ in range(2000):
            trainer.step()
        runs[kind] = net.W[0]
    useless_plain, useless_l1 = np.abs(runs[None][:, 1]).max(), np.abs(runs["l1"][:, 1]).max()
    assert np.abs(start.W[0][:, 1]).max() > 0.3
    assert useless_plain > 0.2  # the data alone hardly moves them
    assert useless_l1 < 2 * eta * lam  # within a step or two of 0, where sign(w) makes it hover
    assert np.abs(runs["l1"][:, 0]).max() > 1.0  # the useful input keeps its weights


# --- the specification's checks ----------------------------------------------------------------------


@pytest.mark.parametrize("kind, rate", [("l3", 0.1), ("l1", -0.1), ("l2", float("nan")), ("l2", float("inf"))])
def test_an_unknown_kind_or_a_bad_rate_is_refused(kind, rate):
    with pytest.raises(ValueError):
        make_regularization(kind, rate)


def test_no_kind_or_a_zero_rate_means_no_regularisation():
    assert make_regularization(None, 0.5) is None
    assert make_regularization("l2", 0.0) is None
    assert make_regularization("l1", 0.25) == Regularization("l1", 0.25)
