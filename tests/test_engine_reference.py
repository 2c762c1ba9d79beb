"""The engine against PyTorch autograd: every reference case, after 0, 1, 100 and 1000 steps of plain
full-batch gradient descent, agrees on parameters, outputs, loss and gradients (rtol 1e-6, atol 1e-9)."""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
import pytest

import reference
from app.nn import Network, Trainer, make_optimizer
from reference import ATOL, RTOL, case_data, case_names, load_case, network_from_params

STEPS = (0, 1, 100, 1000)


@lru_cache(maxsize=None)
def _snapshots(name: str) -> dict[int, dict]:
    """Train the case once with Trainer + SGD and record what the reference records at each k."""
    case = load_case(name)
    X, Y = case_data(case)
    net = network_from_params(case)
    trainer = Trainer(net, X, Y, make_optimizer("sgd", case["learning_rate"]))
    snapshots = {}
    for k in range(max(STEPS) + 1):
        if k in STEPS:
            fwd, bwd = net.gradients(X, Y)
            snapshots[k] = {
                "W": [W.copy() for W in net.W],
                "b": [b.copy() for b in net.b],
                "outputs": fwd.output.copy(),
                "loss": net.loss(fwd, Y),
                "grad_W": [g.copy() for g in bwd.grad_W],
                "grad_b": [g.copy() for g in bwd.grad_b],
            }
        if k < max(STEPS):
            trainer.step()
    return snapshots


def _close(actual, expected, what: str) -> None:
    np.testing.assert_allclose(actual, np.asarray(expected, dtype=np.float64), rtol=RTOL, atol=ATOL, err_msg=what)


# --- the helper itself ------------------------------------------------------------------------------


def test_reference_file_is_found_and_has_cases():
    data = reference.load_reference()  # raises ReferenceMissing (a failure, not a skip) when absent
    assert data["cases"], "the reference file holds no cases"
    for case in data["cases"]:
        assert case["loss"] in reference.LOSS_NAMES
        assert {f"after_{k}_steps" for k in STEPS} <= set(case["expected"])


def test_reference_loss_names_map_to_engine_losses():
    assert reference.engine_loss("ce") == "cross_entropy"
    assert reference.engine_loss("mse") == "mse"
    assert reference.engine_loss("bce") == "binary_cross_entropy"
    with pytest.raises(AssertionError):
        reference.engine_loss("hinge")


def test_missing_reference_file_fails_instead_of_skipping(tmp_path, monkeypatch):
    monkeypatch.setenv(reference.ENV_VAR, str(tmp_path / "nowhere.json"))
    with pytest.raises(reference.ReferenceMissing):
        reference.load_reference()
    # parametrization still yields a test, and that test fails through load_case
    assert reference.case_names() == ["<reference file missing>"]
    with pytest.raises(AssertionError):
        reference.load_case("two_points_softmax_ce")


def test_env_var_may_point_at_a_file_or_its_folder(tmp_path, monkeypatch):
    doc = {"cases": [{"name": "only_case"}]}
    (tmp_path / reference.FILE_NAME).write_text(json.dumps(doc))
    monkeypatch.setenv(reference.ENV_VAR, str(tmp_path))
    assert reference.case_names() == ["only_case"]
    monkeypatch.setenv(reference.ENV_VAR, str(tmp_path / reference.FILE_NAME))
    assert reference.case_names() == ["only_case"]


@pytest.mark.parametrize("name", case_names())
def test_network_built_from_reference_has_the_case_architecture(name):
    case = load_case(name)
    net = network_from_params(case)
    assert net.layer_sizes == case["layer_sizes"]
    assert net.output.activation == case["output_activation"]
    assert net.output.loss == reference.engine_loss(case["loss"])
    assert net.dtype == np.float64
    for l, W in enumerate(net.W):
        assert W.shape == (case["layer_sizes"][l + 1], case["layer_sizes"][l])


# --- the acceptance test ------------------------------------------------------------------------------


@pytest.mark.parametrize("steps", STEPS)
@pytest.mark.parametrize("name", case_names())
def test_engine_matches_pytorch_after_k_sgd_steps(name, steps):
    expected = load_case(name)["expected"][f"after_{steps}_steps"]
    got = _snapshots(name)[steps]
    for l in range(len(got["W"])):
        _close(got["W"][l], expected["params"]["W"][l], f"W[{l}] after {steps} steps")
        _close(got["b"][l], expected["params"]["b"][l], f"b[{l}] after {steps} steps")
        _close(got["grad_W"][l], expected["grad_W"][l], f"grad_W[{l}] after {steps} steps")
        _close(got["grad_b"][l], expected["grad_b"][l], f"grad_b[{l}] after {steps} steps")
    _close(got["outputs"], expected["outputs"], f"outputs after {steps} steps")
    _close(got["loss"], expected["loss"], f"loss after {steps} steps")


@pytest.mark.parametrize("name", case_names())
def test_step_result_reports_the_loss_before_the_update(name):
    case = load_case(name)
    X, Y = case_data(case)
    trainer = Trainer(network_from_params(case), X, Y, make_optimizer("sgd", case["learning_rate"]))
    first = trainer.step()
    _close(first.loss, case["expected"]["after_0_steps"]["loss"], "loss reported by the first step")
    _close(trainer.full_loss(), case["expected"]["after_1_steps"]["loss"], "full loss after one step")
    assert first.batch is None  # full batch


def _steps_until_within(name: str, tolerance: float = 0.1, limit: int = 2000) -> int | None:
    case = load_case(name)
    X, Y = case_data(case)
    net: Network = network_from_params(case)
    trainer = Trainer(net, X, Y, make_optimizer("sgd", case["learning_rate"]))
    for k in range(limit + 1):
        if np.abs(net.predict(X) - Y).max() < tolerance:
            return k
        trainer.step()
    return None


def test_two_points_plateau_lengths_match_the_reference_descriptions():
    # The descriptions in the reference file: sigmoid+mse reaches max|a-y| < 0.1 at step 448,
    # softmax+ce (same weights and data) at step 70.
    names = set(case_names())
    assert {"two_points_sigmoid_mse", "two_points_softmax_ce"} <= names
    mse = _steps_until_within("two_points_sigmoid_mse")
    ce = _steps_until_within("two_points_softmax_ce")
    assert mse == 448
    assert ce == 70
    # still on the [0.5, 0.5] plateau at step 100 with sigmoid + mse
    outputs = _snapshots("two_points_sigmoid_mse")[100]["outputs"]
    assert np.abs(outputs - 0.5).max() < 0.1
