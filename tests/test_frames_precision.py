"""Frames carry their arrays to 7 significant digits (app/sessions/frames.rounded_all): close to the engine's
numbers, written short, and the loss still in full."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.sessions.config import ExperimentConfig, check_limits
from app.sessions.experiment import Experiment
from app.sessions.frames import SIGNIFICANT_DIGITS, rounded_all
from lab_settings import make_settings


def significant_digits(value: float) -> int:
    mantissa = repr(abs(value)).split("e")[0].replace(".", "")
    return len(mantissa.strip("0")) or 1


def test_rounded_values_are_within_half_a_unit_of_the_seventh_digit_and_written_short():
    rng = np.random.default_rng(0)
    values = rng.normal(size=20_000) * 10.0 ** rng.integers(-12, 12, 20_000)  # rounded between 1e-15 and 1e15
    rounded = np.array(rounded_all([values])[0])
    assert np.all(np.abs(rounded - values) <= 0.5 * 10.0 ** (1 - SIGNIFICANT_DIGITS) * np.abs(values))
    assert max(significant_digits(v) for v in rounded.tolist()) == SIGNIFICANT_DIGITS
    assert np.array_equal(np.array(rounded_all([rounded])[0]), rounded)  # rounding twice changes nothing


@pytest.mark.parametrize("value", [0.0, -0.0, 1e-300, -1e300, 5e-324])
def test_zero_and_extreme_values_pass_through(value):
    assert rounded_all([np.array([value])]) == [[value]]


def test_rounding_keeps_the_shape():
    assert rounded_all([np.arange(6.0).reshape(1, 2, 3) / 7]) == [[[[0.0, 0.1428571, 0.2857143],
                                                                    [0.4285714, 0.5714286, 0.7142857]]]]


def digits_frame() -> tuple[dict, Experiment]:
    config = ExperimentConfig.model_validate({"dataset": {"name": "digits"}, "network": {"hidden_layers": [32]}})
    experiment = Experiment(config, check_limits(config, make_settings()))
    experiment.advance(5, 1.0)
    return experiment.frame().model_dump(), experiment


def test_a_digits_frame_is_small_and_its_numbers_match_the_engine():
    pytest.importorskip("sklearn", reason="the digits dataset needs the digits extra (in the test extra)")
    frame, experiment = digits_frame()
    assert len(json.dumps(frame)) < 16_000 * len(frame["runs"])  # about 46 KB for two runs at full precision
    for run_frame, run in zip(frame["runs"], experiment.runs):
        fwd = run.net.forward(experiment.X[:32])
        np.testing.assert_allclose(run_frame["outputs"], fwd.output, rtol=1e-6, atol=1e-300)
        assert run_frame["loss"] == run.net.loss(run.net.forward(experiment.X), experiment.Y)  # the loss in full


@pytest.mark.parametrize("seed", range(20))
def test_the_gradient_histogram_counts_as_numpys_histogram(seed):
    from app.sessions.frames import HISTOGRAM_BINS, histograms

    rng = np.random.default_rng(seed)
    values = rng.normal(size=(rng.integers(1, 40), rng.integers(1, 40))) * 10.0 ** rng.integers(-12, 3)
    values.flat[0] = -np.abs(values).max()  # both edges taken, as in a real layer
    largest = np.abs(values).max()
    expected, _ = np.histogram(values, bins=HISTOGRAM_BINS, range=(-largest, largest))
    (got,) = histograms([values])
    assert got["max_abs"] == largest and got["counts"] == expected.tolist()


def test_an_all_zero_gradient_sits_in_the_middle_bin():
    from app.sessions.frames import HISTOGRAM_BINS, histograms

    counts = histograms([np.zeros((3, 4))])[0]["counts"]
    assert counts[HISTOGRAM_BINS // 2] == 12 and sum(counts) == 12
