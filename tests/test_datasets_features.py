"""Playground's input features: their values at known points, in the order asked for, and every refusal at the
field "features". And the reason they exist: circles need no hidden layer once X₁² and X₂² are the inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.datasets import FEATURES, DatasetError, expand, load
from app.nn import Network, OutputLayer, Trainer, make_optimizer

POINTS = np.array([[0.5, -2.0], [0.0, 0.0], [3.0, 1.5]])


def test_features_are_playgrounds_seven_in_playgrounds_order():
    assert [f.id for f in FEATURES] == ["x1", "x2", "x1_squared", "x2_squared", "x1_x2", "sin_x1", "sin_x2"]
    assert [f.label for f in FEATURES] == ["X₁", "X₂", "X₁²", "X₂²", "X₁X₂", "sin(X₁)", "sin(X₂)"]
    assert all(isinstance(f.description, str) and f.description for f in FEATURES)
    assert all(isinstance(f, tuple) and len(f) == 3 for f in FEATURES)


@pytest.mark.parametrize("feature, expected", [
    ("x1", [0.5, 0.0, 3.0]),
    ("x2", [-2.0, 0.0, 1.5]),
    ("x1_squared", [0.25, 0.0, 9.0]),
    ("x2_squared", [4.0, 0.0, 2.25]),
    ("x1_x2", [-1.0, 0.0, 4.5]),
    ("sin_x1", [math.sin(0.5), 0.0, math.sin(3.0)]),
    ("sin_x2", [math.sin(-2.0), 0.0, math.sin(1.5)]),
])
def test_each_feature_at_known_points(feature, expected):
    values = expand(POINTS, [feature])
    assert values.shape == (3, 1)
    np.testing.assert_allclose(values[:, 0], expected, rtol=1e-15, atol=0)


def test_columns_come_in_the_order_given():
    values = expand(POINTS, ["x1_x2", "x2", "x1_squared"])
    assert values.shape == (3, 3) and values.dtype == np.float64
    np.testing.assert_array_equal(values[0], [-1.0, -2.0, 0.25])
    np.testing.assert_array_equal(values[2], [4.5, 1.5, 9.0])


@pytest.mark.parametrize("feature_ids", [
    ["x3"], ["x1", "X1"], ["x1", "x1"], ["sin_x1", "x2", "sin_x1"], [], "x1", [1], [None],
])
def test_unknown_repeated_or_missing_features_are_refused_at_features(feature_ids):
    with pytest.raises(DatasetError) as refused:
        expand(POINTS, feature_ids)
    assert refused.value.field == "features"


@pytest.mark.parametrize("inputs", [np.zeros((4, 3)), np.zeros((4, 1)), np.zeros(4), np.zeros((2, 2, 2))])
def test_inputs_that_are_not_points_in_the_plane_are_refused_at_features(inputs):
    with pytest.raises(DatasetError) as refused:
        expand(inputs, ["x1"])
    assert refused.value.field == "features"


def _accuracy_without_hidden_layer(inputs: np.ndarray, labels: np.ndarray) -> float:
    net = Network.create([inputs.shape[1], 2], None, OutputLayer("softmax", "cross_entropy"), "normal", seed=0)
    trainer = Trainer(net, inputs, labels, make_optimizer("sgd", 1.0))
    for _ in range(1500):
        trainer.step()
    return float((net.predict(inputs).argmax(axis=1) == labels.argmax(axis=1)).mean())


def test_circles_need_no_hidden_layer_once_the_squares_are_inputs():
    data = load("circles", seed=0)
    with_squares = _accuracy_without_hidden_layer(expand(data.inputs, ["x1_squared", "x2_squared"]), data.labels)
    with_coordinates = _accuracy_without_hidden_layer(expand(data.inputs, ["x1", "x2"]), data.labels)
    assert with_squares > 0.97
    assert with_coordinates < 0.7
