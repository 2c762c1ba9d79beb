"""The regression sets "plane" and "gaussian" (TensorFlow Playground's): seeded points in the plane, one continuous
target each, in [-1, 1]; parameters checked by field."""

from __future__ import annotations

import numpy as np
import pytest

from app.datasets import DATASETS, DatasetError, describe, load
from app.datasets.regression import BUMPS, gaussian_target, plane_target

REGRESSION = ["plane", "gaussian"]


@pytest.mark.parametrize("name", REGRESSION)
def test_a_regression_set_has_one_target_per_point_and_no_classes(name):
    data = load(name, n=150)
    assert data.task == "regression"
    assert data.inputs.shape == (150, 2) and data.labels.shape == (150, 1)
    assert data.inputs.dtype == data.labels.dtype == np.float64
    assert data.class_names == []
    assert np.abs(data.inputs).max() <= 1.5
    assert -1.0 <= data.labels.min() < 0.0 < data.labels.max() <= 1.0
    assert len(np.unique(data.labels)) > 100  # continuous, not a handful of classes


@pytest.mark.parametrize("name", REGRESSION)
def test_the_same_seed_gives_the_same_set_and_another_seed_another(name):
    first, again, other = load(name, seed=3), load(name, seed=3), load(name, seed=4)
    assert np.array_equal(first.inputs, again.inputs) and np.array_equal(first.labels, again.labels)
    assert not np.array_equal(first.inputs, other.inputs)


@pytest.mark.parametrize("name", REGRESSION)
def test_noise_keeps_the_points_and_targets_in_range_but_moves_the_targets(name):
    exact, noisy = load(name, seed=1), load(name, seed=1, noise=0.5)
    assert np.array_equal(exact.inputs, noisy.inputs)
    assert np.abs(noisy.labels).max() <= 1.0
    assert np.abs(noisy.labels - exact.labels).max() > 0.1


def test_plane_targets_are_the_plane_at_each_point_without_noise():
    data = load("plane", seed=2)
    expected = (data.inputs[:, 0] + data.inputs[:, 1]) / 3.0
    assert np.allclose(data.labels[:, 0], expected, atol=1e-15)
    assert plane_target(np.array([[1.5, 1.5], [-1.5, -1.5], [0.0, 0.0]])).tolist() == [1.0, -1.0, 0.0]


def test_gaussian_targets_peak_at_each_bump_with_its_sign_and_vanish_between():
    centres = np.array([[cx, cy] for cx, cy, _ in BUMPS])
    assert np.allclose(gaussian_target(centres), [sign for *_, sign in BUMPS], atol=1e-6)
    assert abs(gaussian_target(np.array([[-0.5, 1.5]]))[0]) < 0.05  # between bumps, off the rows
    data = load("gaussian", seed=0, n=2000)
    assert np.allclose(data.labels[:, 0], gaussian_target(data.inputs))


@pytest.mark.parametrize("name", REGRESSION)
def test_describe_says_a_regression_set_is_one(name):
    described = describe(DATASETS[name])
    assert described["task"] == "regression"
    assert described["two_d"] is True
    assert {p["name"]: (p["min"], p["max"]) for p in described["params"]} == {"n": (4, 2000), "noise": (0.0, 0.5)}
    assert describe(DATASETS["moons"])["task"] == "classification"


@pytest.mark.parametrize("params, field", [
    ({"n": 3}, "n"), ({"n": 2001}, "n"), ({"n": 10.5}, "n"), ({"noise": -0.1}, "noise"), ({"noise": 0.6}, "noise"),
    ({"noise": float("nan")}, "noise"), ({"noise": True}, "noise"), ({"classes": 2}, "classes"),
])
@pytest.mark.parametrize("name", REGRESSION)
def test_bad_parameters_are_refused_by_field(name, params, field):
    with pytest.raises(DatasetError) as refused:
        load(name, **params)
    assert refused.value.field == field
