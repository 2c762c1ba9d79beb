"""Initialization, optimizers, mini-batches, per-example gradients, and the measured training facts
the dashboard is built to show (softmax+CE leaves the [0.5, 0.5] plateau first; XOR needs a hidden layer)."""

from __future__ import annotations

import numpy as np
import pytest

from app.nn import INITS, RUN_KINDS, Network, OutputLayer, Trainer, make_optimizer
from app.nn.optimizers import Adam, Momentum
from reference import MAIN_KINDS, TWO_POINTS_X, TWO_POINTS_Y, XOR_X, XOR_Y, max_error

EVERY_OUTPUT = [OutputLayer.from_kind(kind) for kind in RUN_KINDS] + [OutputLayer("linear", "mse")]


def _same_parameters(a: Network, b: Network) -> bool:
    return all(np.array_equal(p, q) for p, q in zip(a.parameters, b.parameters))


# --- initialization ---------------------------------------------------------------------------------


@pytest.mark.parametrize("init", sorted(INITS))
def test_init_is_seeded_and_reproducible(init):
    a = Network.create([3, 5, 4, 2], "tanh", init=init, seed=42)
    b = Network.create([3, 5, 4, 2], "tanh", init=init, seed=42)
    assert _same_parameters(a, b)


@pytest.mark.parametrize("init", sorted(INITS))
def test_different_seeds_give_different_weights(init):
    a = Network.create([3, 5, 2], "tanh", init=init, seed=1)
    b = Network.create([3, 5, 2], "tanh", init=init, seed=2)
    assert all(not np.array_equal(Wa, Wb) for Wa, Wb in zip(a.W, b.W))


def test_init_draws_W_then_b_layer_by_layer_from_one_generator():
    # The documented order, which keeps shared links and older runs reproducible.
    net = Network.create([2, 3, 2], "sigmoid", init="normal", seed=11)
    rng = np.random.default_rng(11)
    for W, b in zip(net.W, net.b):
        np.testing.assert_array_equal(W, rng.standard_normal(W.shape))
        np.testing.assert_array_equal(b, rng.standard_normal(b.shape))


@pytest.mark.parametrize("init", ["xavier", "he"])
def test_xavier_and_he_biases_are_zero(init):
    net = Network.create([6, 7, 5, 3], "relu", init=init, seed=0)
    for b in net.b:
        assert np.array_equal(b, np.zeros_like(b))


@pytest.mark.parametrize("init", ["normal", "uniform"])
def test_normal_and_uniform_biases_are_random(init):
    net = Network.create([6, 7, 3], "relu", init=init, seed=0)
    assert all(np.unique(b).size == b.size for b in net.b)


def test_init_shapes_follow_rows_are_units():
    net = Network.create([3, 5, 4, 2], "sigmoid", seed=0)
    assert [W.shape for W in net.W] == [(5, 3), (4, 5), (2, 4)]
    assert [b.shape for b in net.b] == [(5,), (4,), (2,)]
    assert net.layer_sizes == [3, 5, 4, 2]
    assert net.parameter_count == 5 * 3 + 5 + 4 * 5 + 4 + 2 * 4 + 2


N_IN, N_OUT = 400, 300  # 120 000 weights: sample standard deviations within a few percent


def test_normal_init_draws_standard_normal_weights_and_biases():
    net = Network.create([N_IN, N_OUT], init="normal", seed=0)
    W, b = net.W[0], net.b[0]
    assert abs(W.mean()) < 0.02 and abs(W.std() - 1.0) < 0.02
    assert abs(b.std() - 1.0) < 0.15


def test_uniform_init_draws_from_minus_one_to_one():
    net = Network.create([N_IN, N_OUT], init="uniform", seed=0)
    W, b = net.W[0], net.b[0]
    assert W.min() >= -1.0 and W.max() <= 1.0 and W.max() > 0.99 and W.min() < -0.99
    assert abs(W.std() - 1.0 / np.sqrt(3.0)) < 0.02
    assert b.min() >= -1.0 and b.max() <= 1.0 and b.std() > 0.4


def test_xavier_init_is_uniform_within_the_glorot_limit():
    net = Network.create([N_IN, N_OUT], init="xavier", seed=0)
    W = net.W[0]
    limit = np.sqrt(6.0 / (N_IN + N_OUT))
    assert np.abs(W).max() <= limit and np.abs(W).max() > 0.99 * limit
    assert abs(W.std() / (limit / np.sqrt(3.0)) - 1.0) < 0.02


def test_he_init_has_variance_two_over_fan_in():
    net = Network.create([N_IN, N_OUT], init="he", seed=0)
    W = net.W[0]
    assert abs(W.mean()) < 0.002
    assert abs(W.std() / np.sqrt(2.0 / N_IN) - 1.0) < 0.02


def test_unknown_init_is_rejected():
    with pytest.raises(ValueError, match="unknown init"):
        Network.create([2, 2], init="orthogonal")


@pytest.mark.parametrize("init", sorted(INITS))
def test_same_sizes_and_seed_start_from_identical_weights_whatever_the_output_layer(init):
    nets = [Network.create([2, 8, 3], "sigmoid", output, init, seed=7) for output in EVERY_OUTPUT]
    for net in nets[1:]:
        assert _same_parameters(nets[0], net)
    assert {(n.output.activation, n.output.loss, n.output.elementwise_mistake) for n in nets} == {
        (o.activation, o.loss, o.elementwise_mistake) for o in EVERY_OUTPUT
    }


def test_with_output_copies_the_weights():
    net = Network.create([2, 8, 2], "sigmoid", OutputLayer.from_kind("sigmoid_mse"), seed=3)
    other = net.with_output(OutputLayer.from_kind("softmax_ce"))
    assert _same_parameters(net, other) and other.output.kind == "softmax_ce"
    other.W[0][0, 0] += 1.0
    assert net.W[0][0, 0] != other.W[0][0, 0]


# --- float32 --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("kind", sorted(RUN_KINDS))
def test_float32_networks_stay_float32_through_training(kind, optimizer):
    net = Network.create([2, 8, 2], "sigmoid", OutputLayer.from_kind(kind), "xavier", seed=0, dtype=np.float32)
    assert all(p.dtype == np.float32 for p in net.parameters)
    trainer = Trainer(net, XOR_X, XOR_Y, make_optimizer(optimizer, 0.05))
    for _ in range(20):
        result = trainer.step()
    assert net.dtype == np.float32
    assert all(p.dtype == np.float32 for p in net.parameters)
    assert all(a.dtype == np.float32 for a in result.forward.activations + result.forward.zs)
    assert all(g.dtype == np.float32 for g in result.backward.grad_W + result.backward.grad_b + result.backward.deltas)
    assert net.predict(XOR_X).dtype == np.float32
    assert np.isfinite(result.loss)


def test_float32_training_follows_float64_training_closely():
    net64 = Network.create([2, 8, 2], "sigmoid", OutputLayer.from_kind("softmax_ce"), "normal", seed=0)
    net32 = net64.copy(np.float32)
    for net in (net64, net32):
        trainer = Trainer(net, TWO_POINTS_X, TWO_POINTS_Y, make_optimizer("sgd", 0.5))
        for _ in range(50):
            trainer.step()
    for p64, p32 in zip(net64.parameters, net32.parameters):
        np.testing.assert_allclose(p32, p64, rtol=1e-3, atol=1e-4)


# --- batches ---------------------------------------------------------------------------------------------


def _batches(trainer: Trainer, steps: int) -> list[np.ndarray]:
    return [trainer.step().batch.copy() for _ in range(steps)]


def _data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    Y = np.eye(2)[rng.integers(0, 2, n)]
    return X, Y


def _trainer(n: int, batch_size: int | None, seed: int = 0) -> Trainer:
    X, Y = _data(n)
    net = Network.create([3, 4, 2], "tanh", OutputLayer.from_kind("softmax_ce"), "xavier", seed=1)
    return Trainer(net, X, Y, make_optimizer("sgd", 0.1), batch_size=batch_size, seed=seed)


@pytest.mark.parametrize("n, batch_size", [(12, 4), (12, 3), (6, 1), (5, 1)])
def test_every_epoch_visits_every_example_exactly_once(n, batch_size):
    trainer = _trainer(n, batch_size)
    steps_per_epoch = n // batch_size
    batches = _batches(trainer, 4 * steps_per_epoch)
    assert all(len(b) == batch_size for b in batches)
    for epoch in range(4):
        seen = np.concatenate(batches[epoch * steps_per_epoch : (epoch + 1) * steps_per_epoch])
        assert sorted(seen.tolist()) == list(range(n)), f"epoch {epoch}"


def test_epochs_are_reshuffled():
    batches = _batches(_trainer(12, 4), 12)
    orders = [np.concatenate(batches[e * 3 : (e + 1) * 3]).tolist() for e in range(4)]
    assert len({tuple(o) for o in orders}) > 1


def test_every_example_is_visited_each_epoch_when_the_batch_size_does_not_divide_n():
    # 10 examples in batches of 3: an epoch is 3 + 3 + 3 + 1 (or batches that run on into the next
    # shuffle). Either way, each consecutive run of 10 examples drawn must be all 10 examples.
    n, batch_size = 10, 3
    batches = _batches(_trainer(n, batch_size), 4 * 4)
    assert all(1 <= len(b) <= batch_size for b in batches)
    drawn = np.concatenate(batches).tolist()
    for epoch in range(len(drawn) // n):
        assert sorted(drawn[epoch * n : (epoch + 1) * n]) == list(range(n)), (
            f"epoch {epoch} skipped examples {sorted(set(range(n)) - set(drawn[epoch * n : (epoch + 1) * n]))}"
        )


def test_batch_size_one_trains_on_one_example_per_step():
    trainer = _trainer(5, 1)
    result = trainer.step()
    assert result.batch.shape == (1,)
    assert result.forward.output.shape == (1, 2)
    X, Y = trainer.X[result.batch], trainer.Y[result.batch]
    assert np.isclose(result.loss, trainer.net.loss(result.forward, Y))
    np.testing.assert_array_equal(result.forward.activations[0], X)


@pytest.mark.parametrize("batch_size", [1, 4])
def test_minibatch_training_is_reproducible_with_the_same_seed(batch_size):
    a, b = _trainer(12, batch_size, seed=5), _trainer(12, batch_size, seed=5)
    batches_a, batches_b = _batches(a, 30), _batches(b, 30)
    assert all(np.array_equal(x, y) for x, y in zip(batches_a, batches_b))
    assert _same_parameters(a.net, b.net)
    c = _trainer(12, batch_size, seed=6)
    assert not all(np.array_equal(x, y) for x, y in zip(batches_a, _batches(c, 30)))


def test_a_batch_as_large_as_the_data_is_the_full_batch():
    trainer = _trainer(6, 6)
    assert trainer.batch_size is None
    assert trainer.step().batch is None


def test_minibatch_step_uses_the_batch_gradient():
    trainer = _trainer(12, 4, seed=3)
    before = trainer.net.copy()
    result = trainer.step()
    _, bwd = before.gradients(trainer.X[result.batch], trainer.Y[result.batch])
    for p0, g, p1 in zip(before.parameters, [g for pair in zip(bwd.grad_W, bwd.grad_b) for g in pair],
                         trainer.net.parameters):
        np.testing.assert_allclose(p1, p0 - 0.1 * g, rtol=1e-12, atol=1e-15)


# --- optimizers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, lr", [("momentum", 0.1), ("adam", 0.01)])
def test_momentum_and_adam_decrease_the_loss_on_two_points(name, lr):
    net = Network.create([2, 8, 2], "sigmoid", OutputLayer.from_kind("softmax_ce"), "normal", seed=0)
    trainer = Trainer(net, TWO_POINTS_X, TWO_POINTS_Y, make_optimizer(name, lr))
    losses = [trainer.step().loss for _ in range(300)]
    assert losses[-1] < 0.05 * losses[0]
    assert trainer.full_loss() < losses[-1] * 1.01
    assert max_error(net, TWO_POINTS_X, TWO_POINTS_Y) < 0.1


def test_momentum_step_is_v_mu_v_plus_g_then_theta_minus_eta_v():
    opt = make_optimizer("momentum", 0.1, momentum=0.9)
    assert isinstance(opt, Momentum)
    p = np.array([1.0, -2.0])
    g1, g2 = np.array([0.5, -0.1]), np.array([0.2, 0.3])
    opt.update([p], [g1])
    np.testing.assert_allclose(p, [0.95, -1.99], rtol=1e-15)
    opt.update([p], [g2])
    # v = 0.9 g1 + g2 = [0.65, 0.21]
    np.testing.assert_allclose(p, [0.95 - 0.065, -1.99 - 0.021], rtol=1e-15)


def test_adam_first_step_matches_torch_by_hand():
    # torch.optim.Adam, step 1: m̂ = g, v̂ = g², θ ← θ − lr g / (|g| + eps).
    # θ = [1, −2], g = [0.5, −0.1], lr = 0.1, eps = 1e-8:
    #   1 − 0.1·0.5/0.50000001 = 0.900000002;  −2 + 0.1·0.1/0.10000001 = −1.90000001
    opt = make_optimizer("adam", 0.1)
    assert isinstance(opt, Adam) and (opt.beta1, opt.beta2, opt.eps) == (0.9, 0.999, 1e-8)
    p = np.array([1.0, -2.0])
    opt.update([p], [np.array([0.5, -0.1])])
    np.testing.assert_allclose(p, [0.900000002, -1.90000001], rtol=1e-13)


def _torch_adam(p, grads, lr, beta1, beta2, eps):
    """torch.optim.Adam's documented algorithm (no weight decay, no amsgrad)."""
    p = p.copy()
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


def test_adam_matches_torch_formula_over_several_steps_with_a_visible_eps():
    # eps = 0.05 makes it visible whether eps is added to √v̂ (torch) or to √v (uncorrected).
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=4) for _ in range(6)]
    p0 = rng.normal(size=4)
    opt = make_optimizer("adam", 0.03, beta1=0.8, beta2=0.99, eps=0.05)
    p = p0.copy()
    for g in grads:
        opt.update([p], [g])
    np.testing.assert_allclose(p, _torch_adam(p0, grads, 0.03, 0.8, 0.99, 0.05), rtol=1e-12)


def test_unknown_optimizer_is_rejected():
    with pytest.raises(ValueError, match="unknown optimizer"):
        make_optimizer("rmsprop", 0.1)


# --- per-example gradients -------------------------------------------------------------------------------


def per_example_grad_W(fwd, bwd, layer: int) -> np.ndarray:
    """Each example's own ∂c/∂W = δ (aˡ⁻¹)ᵀ from the per-example δ the backward pass keeps: (N, n_out, n_in)."""
    return np.einsum("ni,nj->nij", bwd.deltas[layer], fwd.activations[layer])


@pytest.mark.parametrize("kind", sorted(RUN_KINDS))
def test_per_example_gradients_average_to_the_batch_gradient(kind):
    net = Network.create([3, 5, 4, 3], "tanh", OutputLayer.from_kind(kind), "normal", seed=2)
    X, _ = _data(7, seed=4)
    Y = np.eye(3)[np.arange(7) % 3]
    fwd, bwd = net.gradients(X, Y)
    for layer in range(3):
        per_example = per_example_grad_W(fwd, bwd, layer)
        assert per_example.shape == (7, *net.W[layer].shape)
        np.testing.assert_allclose(per_example.mean(axis=0), bwd.grad_W[layer], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("kind", sorted(RUN_KINDS))
def test_two_points_output_layer_gradients_do_not_cancel(kind, seed):
    net = Network.create([2, 8, 2], "sigmoid", OutputLayer.from_kind(kind), "normal", seed=seed)
    fwd, bwd = net.gradients(TWO_POINTS_X, TWO_POINTS_Y)
    G = per_example_grad_W(fwd, bwd, 1)
    total = np.linalg.norm(G[0] + G[1])
    assert total > 0.1 * max(np.linalg.norm(G[0]), np.linalg.norm(G[1]))
    np.testing.assert_allclose(G[0] + G[1], 2 * bwd.grad_W[1], rtol=1e-12)


def test_two_points_first_layer_gradients_touch_disjoint_weights():
    # [1, 0] only moves column 0 of W[0], [0, 1] only column 1: they cannot cancel at all.
    net = Network.create([2, 8, 2], "sigmoid", OutputLayer.from_kind("sigmoid_mse"), "normal", seed=0)
    fwd, bwd = net.gradients(TWO_POINTS_X, TWO_POINTS_Y)
    G = per_example_grad_W(fwd, bwd, 0)
    assert np.all(G[0][:, 1] == 0) and np.all(G[1][:, 0] == 0)
    assert np.abs(G[0][:, 0]).max() > 0 and np.abs(G[1][:, 1]).max() > 0


# --- the measured facts ----------------------------------------------------------------------------------


def _steps_until_within(net: Network, X, Y, lr: float, limit: int, tolerance: float = 0.1) -> int | None:
    """Updates done when every output is first within `tolerance` of its label; None if not within `limit`."""
    trainer = Trainer(net, X, Y, make_optimizer("sgd", lr))
    for k in range(limit):
        result = trainer.step()  # result.forward: the outputs after k updates
        if np.abs(result.forward.output - Y).max() < tolerance:
            return k
    return limit if max_error(net, X, Y) < tolerance else None


def _two_points_steps(kind: str, seed: int) -> int | None:
    net = Network.create([2, 8, 2], "sigmoid", OutputLayer.from_kind(kind), "normal", seed)
    return _steps_until_within(net, TWO_POINTS_X, TWO_POINTS_Y, lr=0.5, limit=3000)


def test_two_points_softmax_ce_beats_sigmoid_bce_beats_sigmoid_mse():
    # 2-8-2, sigmoid hidden, normal init, lr 0.5; median over seeds 0..19 (measured: 28, 48, 318).
    medians = {}
    for kind in MAIN_KINDS:
        steps = [_two_points_steps(kind, seed) for seed in range(20)]
        assert None not in steps, (kind, steps)
        medians[kind] = float(np.median(steps))
    assert medians["softmax_ce"] < medians["sigmoid_bce"] < medians["sigmoid_mse"]
    assert abs(medians["softmax_ce"] - 28) <= 2, medians
    assert abs(medians["sigmoid_bce"] - 48) <= 2, medians
    assert abs(medians["sigmoid_mse"] - 318) <= 5, medians


@pytest.mark.parametrize("kind", MAIN_KINDS)
def test_xor_without_a_hidden_layer_never_gets_within_0_1(kind):
    for seed in range(5):
        net = Network.create([2, 2], None, OutputLayer.from_kind(kind), "normal", seed)
        assert net.hidden_activation is None and len(net.W) == 1
        assert _steps_until_within(net, XOR_X, XOR_Y, lr=0.5, limit=3000) is None, seed


def test_xor_with_a_2_8_2_softmax_ce_network_gets_within_0_1():
    for seed in range(5):
        net = Network.create([2, 8, 2], "sigmoid", OutputLayer.from_kind("softmax_ce"), "normal", seed)
        steps = _steps_until_within(net, XOR_X, XOR_Y, lr=0.5, limit=3000)
        assert steps is not None and steps < 3000, seed
