"""Input features in live sessions (dataset.features): TensorFlow Playground's lesson that the circles need no hidden
layer once X₁² and X₂² are inputs, measured; the network and the decision-boundary grid read the same features."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from app.datasets import expand
from app.sessions.config import ConfigError, ExperimentConfig, check_limits
from app.sessions.experiment import BOUNDARY_SIZE, Experiment
from app.sessions.frames import boundary_points
from app.nn.inference import classes_of
from app.sessions.split import accuracy
from lab_settings import make_settings


def experiment(features, dataset: str = "circles", hidden=(), steps: int = 0, **extra) -> Experiment:
    config = ExperimentConfig.model_validate({
        "dataset": {"name": dataset, "features": features}, "network": {"hidden_layers": list(hidden)},
        "runs": [{"id": "ce", "kind": "softmax_ce"}], "optimizer": {"learning_rate": 0.5}, **extra})
    exp = Experiment(config, check_limits(config, make_settings()))
    exp.events = exp.advance(steps, 60.0) if steps else []
    return exp


def test_circles_with_squared_features_and_no_hidden_layer_reach_the_labels_and_raw_inputs_cannot():
    squared = experiment(["x1_squared", "x2_squared"], steps=2000)
    raw = experiment(None, steps=2000)
    assert squared.layer_sizes == raw.layer_sizes == [2, 2]
    assert squared.runs[0].converged_at is not None
    assert accuracy(squared.runs[0].net.predict(squared.X), classes_of(squared.Y)) == 1.0
    assert raw.runs[0].converged_at is None
    assert accuracy(raw.runs[0].net.predict(raw.X), classes_of(raw.Y)) < 0.6  # a straight line through a ring: about half
    assert [(event.event, event.cause) for event in raw.events] == [("collapsed", "not_linearly_separable")]


def test_the_network_reads_one_input_per_feature_in_the_order_chosen():
    exp = experiment(["sin_x2", "x1_x2", "x1"], hidden=[3])
    assert exp.layer_sizes == [3, 3, 2]
    points = exp.data.inputs
    assert np.array_equal(exp.X, np.column_stack([np.sin(points[:, 1]), points[:, 0] * points[:, 1], points[:, 0]]))


def test_x1_and_x2_as_features_train_exactly_as_the_raw_inputs():
    chosen, raw = experiment(["x1", "x2"], hidden=[4], steps=20), experiment(None, hidden=[4], steps=20)
    assert all(np.array_equal(a, b) for a, b in zip(chosen.runs[0].net.parameters, raw.runs[0].net.parameters))


def test_the_boundary_grid_goes_through_the_same_features():
    exp = experiment(["x1_squared", "x2_squared", "x1_x2"], steps=10)
    blob = exp.boundary_frames()[0]
    step, run, classes, width, height = struct.unpack("<IHHHH", blob[4:16])
    assert (step, run, classes, width, height) == (10, 0, 2, BOUNDARY_SIZE, BOUNDARY_SIZE)
    grid = boundary_points(exp.extent, BOUNDARY_SIZE)
    expected = exp.runs[0].net.predict(expand(grid, ["x1_squared", "x2_squared", "x1_x2"])).astype("<f4")
    assert np.array_equal(np.frombuffer(blob[16:], "<f4"), expected.ravel())
    assert exp.boundary_info()["extent"] == list(exp.extent)  # over the points' own plane
    assert exp.extent[0] < 0 < exp.extent[1]  # X₁ runs negative: the extent is of the points, not of X₁²


@pytest.mark.parametrize("features, dataset, reason", [
    (["x1_squared"], "raw-pixels", "not in the plane"),
    (["x1_cubed"], "circles", "unknown id"),
    (["x1", "x1"], "circles", "repeated"),
    ([], "circles", "none"),
])
def test_features_that_cannot_be_used_are_refused_at_dataset_features(features, dataset, reason):
    config = ExperimentConfig.model_validate({"dataset": {"name": dataset, "features": features},
                                              "network": {"hidden_layers": [4]}})
    with pytest.raises(ConfigError) as refused:
        check_limits(config, make_settings())
    assert refused.value.field == "dataset.features", reason


def test_the_parameter_limit_counts_the_features():
    config = ExperimentConfig.model_validate({
        "dataset": {"name": "circles", "features": ["x1", "x2", "x1_squared", "x2_squared", "x1_x2", "sin_x1"]},
        "network": {"hidden_layers": [10]}})
    settings = make_settings(max_live_parameters=(6 + 1) * 10 + (10 + 1) * 2 - 1)  # one short of 6-10-2
    with pytest.raises(ConfigError) as refused:
        check_limits(config, settings)
    assert refused.value.field == "network.hidden_layers"
    check_limits(config, make_settings(max_live_parameters=(6 + 1) * 10 + (10 + 1) * 2))
