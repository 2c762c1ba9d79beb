"""Weights in frames and per-neuron maps (issue 19): frames carry each run's weights, biases and ∂C/∂W at a low rate
for small networks, equal to the run's own network within the frame's rounding; `set_weight` changes a run's
network and the next frame says so; 2-D sets get every hidden unit's activation over the plane as a binary frame."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from app.sessions import experiment as e
from app.sessions.config import ConfigError, ExperimentConfig, check_limits
from app.sessions.experiment import Experiment, RunUnavailable
from lab_settings import make_settings

RUNS = [{"id": "mse", "kind": "sigmoid_mse"}, {"id": "ce", "kind": "softmax_ce"}]


def experiment(dataset: str = "moons", hidden: list[int] = [5, 4], **extra) -> Experiment:
    config = ExperimentConfig.model_validate({"dataset": {"name": dataset}, "network": {"hidden_layers": hidden},
                                              "runs": RUNS, **extra})
    return Experiment(config, check_limits(config, make_settings()))


def assert_close_to(sent, exact: np.ndarray) -> None:
    """Equal within the frame's 7 significant digits."""
    np.testing.assert_allclose(np.array(sent), exact, rtol=1e-6, atol=1e-300)


def forward(W: list, b: list, X: np.ndarray, hidden=lambda z: 1 / (1 + np.exp(-z))) -> list[np.ndarray]:
    """The test's own forward pass, rows as examples: each layer's activations, sigmoid hidden layers, logits out."""
    a, layers = X, []
    for l, (w, v) in enumerate(zip(W, b)):
        z = a @ np.array(w).T + np.array(v)
        a = hidden(z) if l < len(W) - 1 else z
        layers.append(a)
    return layers


def test_a_frame_on_request_carries_every_weight_bias_and_gradient_of_each_run():
    exp = experiment()
    exp.advance(5, 1.0)
    frame = json.loads(exp.frame().model_dump_json())
    for run, sent in zip(exp.runs, frame["runs"]):
        _, bwd = run.trainer.passes()
        assert len(sent["weights"]["W"]) == len(run.net.W) == 3
        for l in range(3):
            assert np.array(sent["weights"]["W"][l]).shape == run.net.W[l].shape
            assert_close_to(sent["weights"]["W"][l], run.net.W[l])
            assert_close_to(sent["weights"]["b"][l], run.net.b[l])
            assert_close_to(sent["weights"]["grad_W"][l], bwd.grad_W[l])


def test_streamed_frames_carry_the_weights_every_nth_frame_at_the_frames_own_step():
    exp = experiment()
    carried = []
    for i in range(3 * e.WEIGHTS_EVERY):
        exp.advance(2, 1.0)
        frame = exp.last_step_frame()
        if frame.runs[0].weights is not None:
            carried.append(i)
            # The weights are those the frame's outputs come from: a forward pass with them gives its outputs.
            for run in frame.runs:
                softmax = run.kind == "softmax_ce"
                logits = forward(run.weights.W, run.weights.b, exp.X)[-1]
                a = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True) if softmax else 1 / (1 + np.exp(-logits))
                # From 7-digit weights: within 1e-5; the weights of a step before or after are ~1e-3 away.
                np.testing.assert_allclose(run.outputs, a[:len(run.outputs)], rtol=1e-5, atol=1e-7)
            assert frame.step == exp.step
    assert carried == [e.WEIGHTS_EVERY - 1, 2 * e.WEIGHTS_EVERY - 1, 3 * e.WEIGHTS_EVERY - 1]


def test_a_frame_without_weights_has_no_weights_key():
    exp = experiment()
    exp.advance(2, 1.0)
    exp.last_step_frame()
    exp.advance(2, 1.0)
    assert all("weights" not in run for run in json.loads(exp.last_step_frame().model_dump_json())["runs"])


def test_a_network_past_the_parameter_bound_never_carries_weights():
    exp = experiment(hidden=[40, 40])
    assert exp.parameter_count > e.MAX_WEIGHT_PARAMETERS
    exp.advance(2, 1.0)
    assert all(run.weights is None for run in exp.frame().runs)
    assert all(run.weights is None for run in exp.last_step_frame().runs)


def test_set_weight_changes_that_weight_of_that_run_only_and_the_next_frame_shows_it():
    exp = experiment()
    exp.advance(3, 1.0)
    before = [run.net.theta.copy() for run in exp.runs]
    exp.set_weight("ce", 1, 2, 3, -2.5)
    assert exp.runs[1].net.W[1][2, 3] == -2.5
    np.testing.assert_array_equal(exp.runs[0].net.theta, before[0])
    changed = np.flatnonzero(exp.runs[1].net.theta != before[1])
    assert len(changed) == 1
    frame = exp.frame()
    sent = frame.runs[1]
    assert sent.weights.W[1][2][3] == -2.5
    logits = forward(sent.weights.W, sent.weights.b, exp.X)[-1]
    a = np.exp(logits - logits.max(axis=1, keepdims=True))
    np.testing.assert_allclose(sent.outputs, (a / a.sum(axis=1, keepdims=True))[:len(sent.outputs)], rtol=1e-5, atol=1e-7)
    # Training goes on from the edited weight.
    exp.advance(1, 1.0)
    assert exp.runs[1].net.W[1][2, 3] != -2.5 and abs(exp.runs[1].net.W[1][2, 3] + 2.5) < 0.5


@pytest.mark.parametrize("layer, j, k, field", [(3, 0, 0, "layer"), (0, 5, 0, "j"), (0, 0, 2, "k"),
                                                (2, 2, 0, "j"), (2, 0, 4, "k")])
def test_set_weight_out_of_range_names_the_index_and_changes_nothing(layer, j, k, field):
    exp = experiment()
    before = exp.runs[0].net.theta.copy()
    with pytest.raises(ConfigError) as raised:
        exp.set_weight("mse", layer, j, k, 1.0)
    assert raised.value.field == field
    np.testing.assert_array_equal(exp.runs[0].net.theta, before)


def test_set_weight_of_an_unknown_or_stopped_run_is_refused_with_its_code():
    exp = experiment()
    with pytest.raises(RunUnavailable) as raised:
        exp.set_weight("zz", 0, 0, 0, 1.0)
    assert raised.value.code == "unknown_run"
    exp.runs[0].status = "diverged"
    with pytest.raises(RunUnavailable) as raised:
        exp.set_weight("mse", 0, 0, 0, 1.0)
    assert raised.value.code == "run_diverged"


def neuron_maps(frames: list[bytes]) -> list[tuple[tuple, np.ndarray]]:
    found = []
    for blob in frames:
        if blob[:4] == b"BLN1":
            header = struct.unpack("<IHHHH", blob[4:16])
            units, width, height = header[2:]
            found.append((header, np.frombuffer(blob[16:], "<f4").reshape(units, height, width)))
    return found


def test_neuron_maps_hold_every_hidden_units_activation_over_the_plane(monkeypatch):
    monkeypatch.setattr(e.time, "monotonic", lambda: 1000.0)
    exp = experiment(dataset="circles", hidden=[4, 3])
    exp.advance(4, 1.0)
    maps = neuron_maps(exp.boundary_frames())
    assert [header[:3] for header, _ in maps] == [(4, 0, 7), (4, 1, 7)]
    size = e.NEURON_MAPS_SIZE
    x_min, x_max, y_min, y_max = exp.extent
    gx, gy = np.meshgrid(np.linspace(x_min, x_max, size), np.linspace(y_max, y_min, size))
    points = np.column_stack([gx.ravel(), gy.ravel()])
    for (header, values), run in zip(maps, exp.runs):
        W = [w.tolist() for w in run.net.W]
        b = [v.tolist() for v in run.net.b]
        first, second, _ = forward(W, b, points)
        expected = np.concatenate([first.T, second.T]).reshape(7, size, size)
        np.testing.assert_allclose(values, expected, rtol=1e-5, atol=1e-6)


def test_neuron_maps_come_at_most_at_their_rate_and_again_after_an_edit(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(e.time, "monotonic", lambda: clock[0])
    exp = experiment(dataset="circles", hidden=[4])
    assert len(neuron_maps(exp.boundary_frames())) == 2
    clock[0] += 0.9 / e.NEURON_MAPS_PER_SECOND
    assert neuron_maps(exp.boundary_frames()) == []
    clock[0] += 0.2 / e.NEURON_MAPS_PER_SECOND
    assert len(neuron_maps(exp.boundary_frames())) == 2
    exp.set_weight("mse", 0, 0, 0, 3.0)
    assert len(neuron_maps(exp.boundary_frames())) == 2  # the edit shows at once


@pytest.mark.parametrize("dataset, hidden", [("circles", [12, 6]), ("xor", []), ("digits", [4])])
def test_no_neuron_maps_past_the_unit_bound_without_a_hidden_layer_or_off_the_plane(dataset, hidden):
    exp = experiment(dataset=dataset, hidden=hidden)
    assert neuron_maps(exp.boundary_frames()) == []
