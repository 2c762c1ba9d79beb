"""A streamed frame is built from the passes the last training step computed (Experiment.last_step_frame): its
numbers must be those of a frame computed afresh at that step's weights, for every kind of run."""

from __future__ import annotations

import pytest

from app.nn import Network
from app.sessions.config import ExperimentConfig, check_limits
from app.sessions.experiment import LAYER_STATS_EVERY, TEST_LOSS_EVERY, Experiment
from lab_settings import make_settings

@pytest.fixture(autouse=True)
def no_weights_in_frames(monkeypatch):
    """Frames on request also carry the weights, streamed ones only some (tests/test_sessions_weights.py): these
    tests compare everything else."""
    monkeypatch.setattr("app.sessions.experiment.MAX_WEIGHT_PARAMETERS", 0)


RUNS = [
    [{"id": "mse", "kind": "sigmoid_mse"}, {"id": "ce", "kind": "softmax_ce"}],
    [{"id": "elementwise", "kind": "softmax_mse_elementwise"},
     {"id": "stale", "kind": "softmax_ce_stale_output_weights"}],
    [{"id": "mixed", "kind": "sigmoid_bce_examples_mixed"}, {"id": "flipped", "kind": "sigmoid_mse_sign_flipped"}],
]


def experiment(runs: list[dict], dataset: str = "moons", test_fraction: float = 0.0, **extra) -> Experiment:
    config = ExperimentConfig.model_validate({"dataset": {"name": dataset, "test_fraction": test_fraction},
                                              "network": {"hidden_layers": [5, 4]}, "runs": runs, **extra})
    return Experiment(config, check_limits(config, make_settings()))


def assert_same_numbers(new, old) -> None:
    """Equal to 1e-12 (relative), number by number; equal exactly where not a number."""
    if isinstance(old, dict):
        assert new.keys() == old.keys()
        for key in old:
            assert_same_numbers(new[key], old[key])
    elif isinstance(old, list):
        assert len(new) == len(old)
        for n, o in zip(new, old):
            assert_same_numbers(n, o)
    elif isinstance(old, float):
        assert new == pytest.approx(old, rel=1e-12, abs=1e-300)
    else:
        assert new == old


@pytest.mark.parametrize("test_fraction", [0.0, 0.3])
@pytest.mark.parametrize("runs", RUNS, ids=lambda runs: "+".join(r["id"] for r in runs))
def test_a_frame_from_the_last_steps_passes_equals_one_computed_afresh(runs, test_fraction):
    exp = experiment(runs, test_fraction=test_fraction)
    exp.advance(3, 1.0)
    for _ in range(4):
        exp.advance(LAYER_STATS_EVERY - 1, 1.0)  # so that the layer statistics are recomputed, not recent ones
        step = exp.step
        afresh = exp.frame().model_dump()
        exp.advance(1, 1.0)
        reused = exp.last_step_frame().model_dump()
        assert (reused["step"], afresh["step"]) == (step, step)
        assert [r["id"] for r in reused["runs"]] == [r["id"] for r in runs]
        assert reused["runs"][0]["layers"]  # a real frame, not an empty one
        assert (reused["runs"][0]["test_loss"] is None) == (test_fraction == 0)
        assert_same_numbers(reused, afresh)


def test_a_streamed_frame_with_a_test_part_adds_one_forward_pass_of_the_test_part_per_run(monkeypatch):
    """No pass over the training part (the step's own are reused), and none of the test part either on a step
    where the loss history measured it."""
    exp = experiment(RUNS[0], test_fraction=0.3)
    rows = []
    forward = Network.forward

    def counted(net, X, into=None):
        rows.append(len(X))
        return forward(net, X, into)

    monkeypatch.setattr(Network, "forward", counted)
    exp.advance(TEST_LOSS_EVERY + 2, 1.0)
    rows.clear()
    assert exp.last_step_frame().step == TEST_LOSS_EVERY + 1  # not a step of the history's test losses
    assert rows == [len(exp.test[0])] * len(RUNS[0])
    exp.advance(TEST_LOSS_EVERY - 1, 1.0)
    rows.clear()
    assert exp.last_step_frame().step == 2 * TEST_LOSS_EVERY  # one the history measured: its passes are reused
    assert rows == []


def test_without_full_batch_passes_the_frame_is_computed_at_the_current_step():
    exp = experiment(RUNS[0], batch_size=16)
    exp.advance(3, 1.0)
    assert exp.last_step_frame().model_dump() == exp.frame().model_dump()
    assert exp.last_step_frame().step == 3
    untrained = experiment(RUNS[0])
    assert untrained.last_step_frame().step == 0


def test_streamed_layer_statistics_are_recomputed_every_few_steps():
    exp = experiment(RUNS[0])
    exp.advance(1, 1.0)
    first = exp.last_step_frame().model_dump()  # step 0: statistics computed
    afresh = exp.frame().model_dump()  # step 1
    exp.advance(1, 1.0)
    recent = exp.last_step_frame().model_dump()  # step 1: statistics of step 0, everything else of step 1
    stats = ("saturated_fraction", "mean_abs_activation")
    for run_recent, run_first, run_afresh in zip(recent["runs"], first["runs"], afresh["runs"]):
        for layer_recent, layer_first, layer_afresh in zip(run_recent["layers"], run_first["layers"],
                                                            run_afresh["layers"]):
            assert {k: layer_recent[k] for k in stats} == {k: layer_first[k] for k in stats}
            assert_same_numbers({k: v for k, v in layer_recent.items() if k not in stats},
                                {k: v for k, v in layer_afresh.items() if k not in stats})
        assert run_recent["layers"][0]["mean_abs_activation"] != run_afresh["layers"][0]["mean_abs_activation"]
    exp.advance(LAYER_STATS_EVERY - 1, 1.0)
    afresh = exp.frame().model_dump()
    exp.advance(1, 1.0)
    assert_same_numbers(exp.last_step_frame().model_dump(), afresh)  # LAYER_STATS_EVERY steps on: recomputed
