"""L1/L2 regularisation in live sessions: each run trains exactly as a Trainer given the same arguments, the rate
changes live without a restart, and the session's gradient check checks the cost the run descends (C + Ω)."""

from __future__ import annotations

import numpy as np
import pytest

from app.nn import Network, OutputLayer, Trainer, make_optimizer
from app.sessions.config import ConfigError, ExperimentConfig, check_limits
from app.sessions.experiment import Experiment
from lab_settings import make_settings

RUNS = [{"id": "mse", "kind": "sigmoid_mse"}, {"id": "ce", "kind": "softmax_ce"}]


def experiment(**extra) -> Experiment:
    config = ExperimentConfig.model_validate({"dataset": {"name": "xor"}, "network": {"hidden_layers": [4]},
                                              "runs": RUNS, "optimizer": {"learning_rate": 0.5}, **extra})
    return Experiment(config, check_limits(config, make_settings()))


def trainer_like(exp: Experiment, run: int, kind: str | None, rate: float) -> Trainer:
    """A Trainer built from the engine alone, with the experiment's data, starting weights and settings."""
    spec = exp.config.runs[run]
    sizes = [exp.X.shape[1], *exp.config.network.hidden_layers, exp.Y.shape[1]]
    net = Network.create(sizes, "sigmoid", OutputLayer.from_kind(spec.kind), "normal", 0, np.dtype("float64"))
    return Trainer(net, exp.X, exp.Y, make_optimizer("sgd", 0.5), None, seed=0, regularization=kind,
                   regularization_rate=rate)


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_a_regularised_session_matches_a_trainer_with_the_same_arguments_step_by_step(kind):
    exp = experiment(regularization=kind, regularization_rate=0.05)
    twins = [trainer_like(exp, r, kind, 0.05) for r in range(len(RUNS))]
    for _ in range(30):
        exp.advance(1, 10.0)
        for twin in twins:
            twin.step()
    for run, twin in zip(exp.runs, twins):
        for mine, theirs in zip(run.net.parameters, twin.net.parameters):
            assert np.array_equal(mine, theirs)
        assert run.trainer.penalty() == twin.penalty() > 0


def test_regularisation_changes_the_weights_and_the_frame_loss_stays_the_data_loss():
    plain, l2 = experiment(), experiment(regularization="l2", regularization_rate=0.1)
    for exp in (plain, l2):
        exp.advance(50, 10.0)
    plain_norm = sum(float(np.sum(w * w)) for w in plain.runs[1].net.W)
    l2_norm = sum(float(np.sum(w * w)) for w in l2.runs[1].net.W)
    assert l2_norm < plain_norm
    run = l2.runs[1]
    assert l2.frame().runs[1].loss == pytest.approx(run.net.loss(run.net.forward(l2.X), l2.Y), rel=1e-12)


def test_a_rate_of_zero_with_a_kind_trains_as_no_regularisation():
    plain, zero = experiment(), experiment(regularization="l1", regularization_rate=0.0)
    for exp in (plain, zero):
        exp.advance(20, 10.0)
    assert all(np.array_equal(a, b) for a, b in zip(plain.runs[0].net.parameters, zero.runs[0].net.parameters))


def test_changing_the_rate_live_does_not_restart_and_applies_from_the_next_step():
    exp = experiment(regularization="l2", regularization_rate=0.01)
    exp.advance(10, 10.0)
    before = [w.copy() for w in exp.runs[0].net.W]
    exp.set_regularization_rate(0.5)
    assert exp.step == 10
    assert all(np.array_equal(a, b) for a, b in zip(before, exp.runs[0].net.W))  # the weights were kept
    twin = trainer_like(exp, 0, "l2", 0.5)
    for mine, theirs in zip(twin.net.parameters, exp.runs[0].net.parameters):
        mine[...] = theirs  # the twin takes over at step 10, with the new rate
    exp.advance(1, 10.0)
    twin.step()
    assert all(np.array_equal(a, b) for a, b in zip(exp.runs[0].net.parameters, twin.net.parameters))
    assert exp.config.regularization_rate == 0.5
    assert exp.restarted().runs[0].trainer.regularization.rate == 0.5  # a reset keeps the new rate


def test_a_rate_without_a_regularisation_is_refused_with_its_field():
    with pytest.raises(ConfigError) as refused:
        experiment(regularization_rate=0.1)
    assert refused.value.field == "regularization_rate"
    exp = experiment()
    with pytest.raises(ConfigError) as live:
        exp.set_regularization_rate(0.1)
    assert live.value.field == "regularization_rate"
    assert exp.runs[0].trainer.regularization is None


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_the_sessions_gradient_check_includes_the_penalty(kind):
    exp = experiment(regularization=kind, regularization_rate=0.5)
    exp.advance(5, 10.0)
    events = exp.gradcheck()
    assert [event.cause for event in events] == ["agrees", "agrees"]
    assert max(layer.relative_error for event in events for layer in event.layers) < 1e-6
