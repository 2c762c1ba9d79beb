"""A frame's numbers come from fast paths (app/sessions/frames.py, frame_builder.py): fewer NumPy calls, every
run of a frame at once. Each must give exactly the numbers of the plain computation it replaces, bit for bit,
since a streamed frame's JSON must not change."""

from __future__ import annotations

import numpy as np
import pytest

from app.nn import Network, OutputLayer
from app.nn.diagnostics import layer_diagnostics
from app.sessions import frames
from app.sessions.config import ExperimentConfig, check_limits
from app.sessions.experiment import Experiment
from app.sessions.frame_builder import _accuracy
from app.sessions.frames import HISTOGRAM_BINS, RunPasses, histograms, norms, output_jacobian, rounded_all, run_frames
from app.sessions.split import accuracy
from lab_settings import make_settings


def same_bits(fast: np.ndarray, plain: np.ndarray) -> bool:
    """Equal numbers, signs of zeros included (JSON writes -0.0)."""
    return fast.dtype == plain.dtype and fast.shape == plain.shape and fast.tobytes() == plain.tobytes()


def gradients(rng: np.random.Generator, dtype=np.float64) -> list[np.ndarray]:
    """Layers of gradients as training makes them: any scale, exact zeros, both edges taken, a layer all zero."""
    layers = []
    for _ in range(rng.integers(1, 6)):
        values = rng.normal(size=(rng.integers(1, 20), rng.integers(1, 20))) * 10.0 ** rng.integers(-12, 3)
        values[rng.random(values.shape) < 0.2] = 0.0
        values.flat[0] = -np.abs(values).max()
        values.flat[-1] = np.abs(values).max()
        layers.append(values.astype(dtype))
    layers.insert(rng.integers(0, len(layers) + 1), np.zeros((3, 2), dtype))
    return layers


@pytest.mark.parametrize("seed", range(30))
def test_histograms_of_many_layers_at_once_count_as_numpys_histogram(seed):
    rng = np.random.default_rng(seed)
    layers = gradients(rng, np.float32 if seed % 3 == 0 else np.float64)
    for got, values in zip(histograms(layers), layers):
        largest = float(np.abs(values).max())
        expected = (np.histogram(values, bins=HISTOGRAM_BINS, range=(-largest, largest))[0] if largest
                    else np.eye(HISTOGRAM_BINS, dtype=int)[HISTOGRAM_BINS // 2] * values.size)  # all in the middle
        assert got == {"max_abs": largest, "counts": expected.tolist()}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_norms_are_numpys_norms_to_the_last_bit(dtype):
    rng = np.random.default_rng(1)
    arrays = [layer.astype(dtype) for seed in range(10) for layer in gradients(np.random.default_rng(seed))]
    arrays += [rng.normal(size=n).astype(dtype) for n in (1, 2, 15, 16, 17, 33, 1000)]
    assert norms(arrays) == [float(np.linalg.norm(a)) for a in arrays]


@pytest.mark.parametrize("activation, loss", [("softmax", "cross_entropy"), ("softmax", "mse"), ("sigmoid", "mse"),
                                              ("sigmoid", "binary_cross_entropy"), ("linear", "mse")])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_output_jacobian_of_one_example_is_the_engines(activation, loss, dtype):
    layer = OutputLayer(activation, loss)
    rng = np.random.default_rng(2)
    rows = [rng.dirichlet(np.ones(4)), np.array([0.0, 1.0, 0.0, 0.0]), np.array([0.0, 0.5, 0.5, 0.0]),
            rng.random(4)]  # saturated outputs give exact zeros
    for a in (row.astype(dtype) for row in rows):
        assert same_bits(output_jacobian(layer, a), layer.activation_jacobian(a[None])[0])


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
@pytest.mark.parametrize("output", [("sigmoid", "mse"), ("softmax", "cross_entropy"), ("linear", "mse")])
def test_layer_stats_are_the_diagnostics_numbers_a_frame_shows(hidden, output):
    rng = np.random.default_rng(3)
    net = Network.create([3, 6, 5, 2], hidden, OutputLayer(*output), "normal", 4, np.dtype(np.float64))
    X = rng.normal(size=(40, 3)) * 6  # large inputs: some units saturate
    fwd = net.forward(X)
    got = frames.layer_stats(net, fwd)
    plain = layer_diagnostics(net, fwd)
    assert [(s.saturated_fraction, s.mean_abs_activation) for s in got] == \
           [(d.saturated_fraction, d.mean_abs_activation) for d in plain]
    assert any(s.saturated_fraction for s in got) or hidden in ("linear", "leaky_relu")  # the test can fail


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_per_example_outer_products_are_einsums_with_the_same_zeros(dtype):
    rng = np.random.default_rng(5)
    for _ in range(200):
        R, n, k, m = rng.integers(1, 4, 4) * [1, 3, 3, 5]
        d, a = rng.normal(size=(R, n, k)).astype(dtype), rng.normal(size=(R, n, m)).astype(dtype)
        d[rng.random(d.shape) < 0.2] = -0.0  # −0 ⊗ a is −0 by multiplication, +0 by einsum
        a[rng.random(a.shape) < 0.3] = 0.0  # a relu's zeros
        assert same_bits(frames._outer_products(d, a), np.einsum("rni,rnj->rnij", d, a))


def test_rounding_by_looked_up_powers_is_the_rounding_by_computed_ones():
    rng = np.random.default_rng(6)
    values = rng.normal(size=50_000) * 10.0 ** rng.integers(-17, 17, 50_000)
    # ...and the edges: log10 of a number just under 1e15 is 15.0 in floating point, just over 1e-15 is -15.0.
    values[:9] = [0.0, -0.0, 1e-15, 1e15, 9.9999999e14, 0.09999999999999999, np.nextafter(1e15, 0),
                  999999999999999.9, np.nextafter(1e-15, 1)]
    size = np.abs(values)
    roundable = (size > 1e-15) & (size < 1e15)
    k = frames.SIGNIFICANT_DIGITS - 1 - np.floor(np.log10(np.where(roundable, size, 1.0)))
    up, down = 10.0 ** np.maximum(k, 0), 10.0 ** np.maximum(-k, 0)
    plain = np.where(roundable, np.round(values * up / down) * down / up, values)
    assert same_bits(np.array(rounded_all([values])[0]), plain)


def test_accuracy_is_the_plain_mean_rounded():
    rng = np.random.default_rng(7)
    for n, k in [(1, 2), (7, 3), (300, 10), (50, 1)]:
        outputs, truth = rng.random((n, k)), rng.integers(0, max(k, 2), n)
        assert _accuracy(outputs, truth) == round(accuracy(outputs, truth), 6)
    assert _accuracy(np.zeros((0, 2)), np.zeros(0, np.intp)) is None


def experiment(runs: list[str], **config) -> Experiment:
    body = {"dataset": {"name": "moons"}, "network": {"hidden_layers": [5, 4]},
            "runs": [{"id": f"r{i}", "kind": kind} for i, kind in enumerate(runs)], **config}
    parsed = ExperimentConfig.model_validate(body)
    return Experiment(parsed, check_limits(parsed, make_settings()))


KINDS = ["sigmoid_mse", "softmax_ce", "softmax_mse_elementwise", "sigmoid_bce_examples_mixed", "softmax_mse"]


@pytest.mark.parametrize("weights", [False, True])
def test_runs_stacked_in_one_frame_get_the_numbers_each_gets_alone(weights):
    exp = experiment(KINDS)
    exp.advance(30, float("inf"))
    inputs = [RunPasses(run.id, run.spec.kind, run.net, run.trainer.passes()) for run in exp.runs]
    together = run_frames(inputs, exp.X, exp.Y, 3, weights)
    alone = [run_frames([numbers], exp.X, exp.Y, 3, weights)[0] for numbers in inputs]
    assert together == alone
    assert {"delta_correct"} <= together[2]["output"].keys() and "delta_correct" not in together[0]["output"]
    assert all(("weights" in body) == weights for body in together)


def test_a_run_that_is_no_longer_finite_gets_no_numbers_and_the_others_keep_theirs():
    exp = experiment(KINDS[:3])
    exp.advance(5, float("inf"))
    inputs = [RunPasses(run.id, run.spec.kind, run.net, run.trainer.passes()) for run in exp.runs]
    inputs[1].passes[1].deltas[0][0, 0] = np.nan
    together = run_frames(inputs, exp.X, exp.Y, 0)
    assert together[1] is None
    assert [together[0], together[2]] == [run_frames([inputs[i]], exp.X, exp.Y, 0)[0] for i in (0, 2)]
