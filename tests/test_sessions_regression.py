"""Regression sets in live sessions: linear + MSE trains on "plane" and "gaussian", kinds that cannot output a
continuous target are refused by field (in the config and over the socket), and nothing that assumes classes fires."""

from __future__ import annotations

import numpy as np
import pytest

from app.nn import MISTAKES, RUN_KINDS, Network, OutputLayer, diagnose
from app.nn.diagnostics import identical_input_fraction
from app.nn.mistakes import backward_under, mistake_applies
from app.sessions.config import ConfigError, ExperimentConfig, check_limits
from app.sessions.experiment import CONVERGED_ERROR, Experiment
from app.web.app import create_app
from app.web.live.hello import run_kinds
from lab_settings import make_settings
from live_server import Transport


def config(dataset: str = "plane", hidden=(), kinds=("linear_mse",), learning_rate: float = 0.5, **dataset_extra):
    return ExperimentConfig.model_validate({
        "dataset": {"name": dataset, **dataset_extra},
        "network": {"hidden_layers": list(hidden), "hidden_activation": "tanh", "seed": 0},
        "runs": [{"id": f"r{i}", "kind": kind} for i, kind in enumerate(kinds)],
        "optimizer": {"name": "sgd", "learning_rate": learning_rate}})


def trained(cfg: ExperimentConfig, steps: int) -> tuple[Experiment, list]:
    exp = Experiment(cfg, check_limits(cfg, make_settings()))
    return exp, exp.advance(steps, 60.0)


def test_linear_mse_on_the_plane_with_no_hidden_layer_reaches_every_target():
    exp, events = trained(config(), 300)
    frame = exp.frame().runs[0]
    assert exp.layer_sizes == [2, 1]
    assert frame.loss < 1e-6 and frame.max_error < CONVERGED_ERROR
    assert [(e.event, e.cause, e.run) for e in events] == [("converged", "converged", "r0")]
    # "Reached the labels" means what it says for a target: every output within CONVERGED_ERROR of it.
    converged = exp.runs[0].converged_at
    assert converged is not None and converged <= 300


def test_linear_mse_on_noisy_gaussian_bumps_with_hidden_layers_learns_and_no_collapse_is_reported():
    exp, events = trained(config("gaussian", hidden=[8, 8], learning_rate=0.1, params={"noise": 0.1}), 3000)
    start = exp.runs[0].start_loss
    frame = exp.frame().runs[0]
    assert frame.loss < start / 3
    assert [e.event for e in events if e.event in ("collapsed", "plateau", "diverged")] == []


def test_a_regression_frame_has_no_accuracy_or_confusion_but_a_test_loss():
    exp, _ = trained(config(params={"noise": 0.2}, test_fraction=0.25), 20)
    frame = exp.frame().runs[0]
    assert frame.accuracy is None and frame.test_accuracy is None and frame.confusion is None
    assert frame.test_loss is not None and np.isfinite(frame.test_loss)
    assert len(exp.X) + len(exp.test[0]) == 200


def test_gaussian_bumps_with_no_hidden_layer_collapse_because_no_plane_fits():
    exp, events = trained(config("gaussian", hidden=[]), 2000)
    collapsed = [e for e in events if e.event == "collapsed"]
    assert [e.cause for e in collapsed] == ["no_plane_fits"]
    assert collapsed[0].causes[0].id == "no_plane_fits"


@pytest.mark.parametrize("kind", ["sigmoid_mse", "sigmoid_bce", "softmax_ce", "softmax_mse", "softmax_mse_elementwise",
                                  "sigmoid_mse_examples_mixed"])
def test_a_kind_without_a_linear_output_is_refused_on_a_regression_set_by_field(kind):
    with pytest.raises(ConfigError) as refused:
        check_limits(config(kinds=("linear_mse", kind)), make_settings())
    assert refused.value.field == "runs.1.kind"
    assert "linear_mse" in refused.value.message  # names the kind that fits


def test_linear_mse_is_allowed_on_a_classification_set_as_in_playground():
    exp, _ = trained(config("moons", hidden=[4], kinds=("linear_mse", "softmax_ce")), 50)
    assert [run.net.output.activation for run in exp.runs] == ["linear", "softmax"]
    assert exp.frame().runs[0].accuracy is not None  # the classes are still there to count


def test_a_regression_set_without_runs_gets_linear_mse_only():
    cfg = ExperimentConfig.model_validate({"dataset": {"name": "gaussian"}})
    assert [run.kind for run in cfg.runs] == ["linear_mse"]
    assert [run.kind for run in ExperimentConfig().runs] == ["sigmoid_mse", "softmax_ce"]


LINEAR_MISTAKES = sorted(kind for kind in RUN_KINDS if kind.startswith("linear_mse_"))


def test_linear_mse_runs_under_the_mistakes_of_any_pairing_only():
    assert [RUN_KINDS[k].mistake for k in LINEAR_MISTAKES] == sorted(
        ["examples_mixed", "hidden_derivative_missing", "sign_flipped", "stale_output_weights", "sum_not_mean",
         "bias_gradient_missing"], key=lambda m: f"linear_mse_{m}")
    assert "linear_mse_sigmoid_prime_kept" not in RUN_KINDS and "linear_mse_derivative_of_output" not in RUN_KINDS


@pytest.mark.parametrize("kind", LINEAR_MISTAKES)
def test_each_linear_mse_mistake_applies_and_changes_the_gradients(kind):
    net = Network.create([2, 3, 1], "tanh", OutputLayer("linear", "mse"), "normal", 1)
    X = np.array([[0.5, -1.0], [1.0, 0.2], [-0.3, 0.8]])
    Y = np.array([[0.4], [-0.7], [0.1]])
    mistake = RUN_KINDS[kind].mistake
    assert mistake_applies(mistake, net)
    _, right_W, right_b = backward_under(net, net.forward(X), Y, None)
    _, wrong_W, wrong_b = backward_under(net, net.forward(X), Y, mistake, learning_rate=0.5)
    assert any(not np.allclose(r, w) for r, w in zip(right_W + right_b, wrong_W + wrong_b)), MISTAKES[mistake].id


def test_hello_offers_linear_mse_with_its_label_and_delta():
    info = run_kinds()["linear_mse"]
    assert (info.output_activation, info.loss, info.mistake, info.right_kind) == ("linear", "mse", None, "linear_mse")
    assert info.delta_formula == "a − y" and info.short_id == "linear-mse"
    assert run_kinds()["linear_mse_sign_flipped"].short_id == "lin-mse-sign"


def test_diagnose_compares_continuous_targets_by_value_not_by_a_class_threshold():
    # Two inputs the network cannot tell apart, targets 0.6 and 0.9: both "class 1" by a 0.5 threshold, yet different.
    net = Network.create([2, 1], None, OutputLayer("linear", "mse"), "normal", 0)
    X = np.array([[0.3, 0.3], [0.3, 0.3], [1.0, -1.0]])
    Y = np.array([[0.6], [0.9], [-0.5]])
    assert diagnose(net, X, Y).continuous_targets is True
    assert identical_input_fraction(X, Y) == 1 / 3  # of the three pairs with different targets, one is identical
    assert identical_input_fraction(X, np.array([[0.0], [1.0], [1.0]])) == 1 / 2  # 0/1 labels: classes, as before


# --- over the socket --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def transport():
    t = Transport("testclient", create_app(make_settings()))
    yield t
    t.close()


def test_a_sigmoid_run_on_a_regression_set_gets_an_error_at_its_kind_and_the_socket_stays_open(transport):
    conn = transport.open()
    hello = conn.recv_type("hello")
    assert {d["name"]: d["task"] for d in hello["datasets"]}["plane"] == "regression"
    conn.send_json({"type": "configure", "dataset": {"name": "plane"},
                    "runs": [{"id": "a", "kind": "linear_mse"}, {"id": "b", "kind": "sigmoid_mse"}]})
    error = conn.recv_type("error")
    assert (error["field"], error["code"], error["in_reply_to"]) == ("runs.1.kind", "invalid_value",
                                                                     {"type": "configure", "run": None})
    conn.send_json({"type": "configure", "dataset": {"name": "plane"}, "runs": [{"id": "a", "kind": "linear_mse"}]})
    frame = conn.recv_type("frame")
    assert [(run["kind"], run["accuracy"], run["confusion"]) for run in frame["runs"]] == [("linear_mse", None, None)]
    conn.close()


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_under_examples_mixed_a_linear_output_keeps_the_first_layer_sums_apart_as_they_started(activation):
    """examples_mixed's sentence, measured for linear + MSE on [1, 0] and [0, 1]: both columns of W0 get the same
    update, so the first-layer sums keep their starting gap; with sigmoid hidden units it stops short of the labels
    (tanh units can still reach them, as under softmax + CE)."""
    from app.nn import Trainer, make_optimizer

    X, Y = np.eye(2), np.eye(2)
    for seed in range(3):
        net = Network.create([2, 8, 2], activation, OutputLayer("linear", "mse"), "normal", seed=seed)
        mixed = Trainer(net, X, Y, make_optimizer("sgd", 0.1), mistake="examples_mixed")
        W0, start = net.W[0].copy(), net.forward(X).zs[0]
        for _ in range(2000):
            mixed.step()
        moved, now = mixed.net.W[0] - W0, mixed.net.forward(X).zs[0]
        np.testing.assert_allclose(moved[:, 0], moved[:, 1], rtol=0, atol=1e-12)
        np.testing.assert_allclose(now[0] - now[1], start[0] - start[1], rtol=0, atol=1e-12)
        reached = np.abs(mixed.net.predict(X) - Y).max() < CONVERGED_ERROR
        assert not reached or activation == "tanh"
