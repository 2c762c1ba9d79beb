"""What the diagnosis says about a stuck or diverged run: what is seen, then the real cause, then one fix.

The experiments are the dashboard's own (its default network and runs, from a link such as
`#dataset=raw-pixels&data.scaled=false&activation=relu`), run through the engine as a live session runs them;
the banner that shows these fields is tested with Node (tests/js/diagnosis-banner.test.mjs).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from app.nn import Network, OutputLayer, diagnose
from app.nn.diagnostics import collapse_detail, collapse_message, divergence_suggestion
from app.sessions.config import ExperimentConfig, check_limits
from app.sessions.experiment import Event, Experiment
from lab_settings import make_settings
from reference import XOR_X, XOR_Y

DASHBOARD_RUNS = [{"id": "sigmoid-mse", "kind": "sigmoid_mse"}, {"id": "softmax-ce", "kind": "softmax_ce"}]


def dashboard_config(dataset: str = "raw-pixels", scaled: bool | None = False, activation: str = "sigmoid",
                     learning_rate: float = 0.5, seed: int = 0) -> ExperimentConfig:
    """What the page sends for a link: hidden 8, normal init, sigmoid + MSE and softmax + CE, full-batch SGD."""
    params = {} if scaled is None else {"scaled": scaled}
    return ExperimentConfig.model_validate({
        "dataset": {"name": dataset, "params": params, "seed": 0},
        "network": {"hidden_layers": [8], "hidden_activation": activation, "init": "normal", "seed": seed},
        "runs": DASHBOARD_RUNS,
        "optimizer": {"name": "sgd", "learning_rate": learning_rate},
    })


def experiment(config: ExperimentConfig) -> Experiment:
    return Experiment(config, check_limits(config, make_settings()))


@cache
def played(config_json: str, steps: int = 1000) -> tuple[Experiment, tuple[Event, ...]]:
    exp = experiment(ExperimentConfig.model_validate_json(config_json))
    events: list[Event] = []
    while exp.step < steps and not exp.finished:
        events += exp.advance(100, 60.0)
    return exp, tuple(events)


def events_of(config: ExperimentConfig, steps: int = 1000) -> dict[tuple[str, str], Event]:
    """(event, run) -> the event, for diverged and collapsed."""
    _, events = played(config.model_dump_json(), steps)
    return {(e.event, e.run): e for e in events if e.event in ("diverged", "collapsed")}


# --- raw pixels, unscaled, ReLU hidden layer: the review's link ---------------------------------------------

def test_unscaled_pixels_with_relus_collapse_to_zero_outputs_and_are_not_called_stuck_at_the_mean_label():
    exp, _ = played(dashboard_config(activation="relu").model_dump_json())
    found = events_of(dashboard_config(activation="relu"))
    event = found["collapsed", "sigmoid-mse"]
    outputs = next(r for r in exp.runs if r.id == "sigmoid-mse").net.predict(exp.X)
    np.testing.assert_allclose(outputs, 0.0, atol=1e-6)  # what the learner sees: [0, 0] for both pictures
    assert event.headline == diagnose(exp.runs[0].net, exp.X, exp.Y).headline == "The same output for every input"
    assert event.detail.startswith("Every input gets [0, 0]")


def test_unscaled_pixels_with_relus_name_the_inputs_scale_not_zero_gradients():
    event = events_of(dashboard_config(activation="relu"))["collapsed", "sigmoid-mse"]
    assert event.cause == [c.id for c in event.causes][0] == "unscaled_inputs"
    assert "(up to 255)" in event.detail and event.causes[0].detail in event.detail
    assert "zero_gradient" not in [c.id for c in event.causes]
    assert "Check the saturation" not in event.suggestion
    assert "divide by 255" in event.suggestion and "tick “scaled”" in event.suggestion


def test_unscaled_pixels_with_relus_that_die_say_so_and_still_name_the_inputs_first():
    # At a small rate the softmax run does not blow up: its ReLUs die and it sits at the mean label.
    event = events_of(dashboard_config(activation="relu", learning_rate=0.005))["collapsed", "softmax-ce"]
    assert event.headline == "Stuck at the mean label"
    assert event.detail.startswith("Every input gets about [0.5, 0.5]")
    codes = [c.id for c in event.causes]
    assert codes[0] == event.cause == "unscaled_inputs" and "dead_relus" in codes
    assert "ReLUs die" in event.causes[0].detail
    assert {c.suggestion for c in event.causes} == {event.suggestion}  # one fix, not three wordings of it


@pytest.mark.parametrize("activation, learning_rate", [("sigmoid", 0.005), ("tanh", 0.005)])
def test_unscaled_pixels_with_saturating_units_name_the_inputs_scale(activation, learning_rate):
    # Weight seed 2: both pictures get the same hidden numbers, a real collapse (from seed 0 these runs learn).
    config = dashboard_config(activation=activation, learning_rate=learning_rate, seed=2)
    event = events_of(config)["collapsed", "softmax-ce"]
    assert event.cause == event.causes[0].id == "unscaled_inputs"
    assert f"its {activation} units sit at" in event.detail and "(saturated)" in event.detail
    assert "divide by 255" in event.suggestion


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_unscaled_pixels_from_weight_seed_0_learn_slowly_and_are_not_called_collapsed(activation):
    # Saturated, but the two pictures' hidden numbers differ: softmax + CE gets there, slowly.
    exp, events = played(dashboard_config(activation=activation, learning_rate=0.005).model_dump_json(), 3000)
    assert not [e for e in events if e.event == "collapsed"]
    softmax = next(run for run in exp.runs if run.id == "softmax-ce")
    assert softmax.trainer.full_loss() < 0.2  # from 0.69 at [0.5, 0.5]: it was never stuck there


def test_the_unscaled_relu_run_that_blows_up_is_told_to_scale_the_inputs_first():
    event = events_of(dashboard_config(activation="relu"))["diverged", "softmax-ce"]
    assert (event.cause, event.headline) == ("diverged", "Training blew up and stopped")
    assert event.detail.startswith(f"At step {event.step}, ")
    assert event.suggestion.startswith("Scale the inputs to about 0–1 (for pixels, divide by 255)")
    assert "only hide" in event.suggestion
    assert "values from" not in event.suggestion and "suit these networks" not in event.suggestion


@pytest.mark.parametrize("learning_rate", [0.5, 0.05])
def test_a_smaller_learning_rate_on_unscaled_pixels_gets_the_same_advice_not_another_tenfold_cut(learning_rate):
    event = events_of(dashboard_config(activation="linear", learning_rate=learning_rate))["diverged", "softmax-ce"]
    assert event.suggestion.startswith("Scale the inputs")
    assert f"{learning_rate / 10:g}" not in event.suggestion


def test_events_do_not_name_runs_by_their_internal_ids():
    found = events_of(dashboard_config(activation="relu"))
    for event in found.values():
        assert event.run not in event.headline + event.detail


# --- the same data scaled, or other data: no blame on the inputs ----------------------------------------------

def test_the_scaled_relu_twin_learns_without_any_diagnosis():
    assert events_of(dashboard_config(activation="relu", scaled=True)) == {}


def test_divergence_with_small_inputs_suggests_a_tenfold_smaller_rate_and_no_range():
    config = dashboard_config("two-points", scaled=None, learning_rate=1e6)
    found = events_of(config, 50)
    assert {run for _, run in found} == {"sigmoid-mse", "softmax-ce"}
    for event in found.values():
        assert event.suggestion.startswith("Lower the learning rate 10×, from 1e+06 to 1e+05")
        assert "suit" not in event.suggestion and "Scale" not in event.suggestion


def test_divergence_suggestion_never_claims_a_range_that_holds_the_current_rate():
    for lr in (0.5, 0.05, 2.0):
        text = divergence_suggestion(1.0, lr)
        assert f"from {lr:g} to {lr / 10:g}" in text and "values from" not in text
    assert divergence_suggestion(255.0, 0.5, "in the lab: tick “scaled”").startswith(
        "Scale the inputs to about 0–1 (for pixels, divide by 255); in the lab: tick “scaled”.")


def test_xor_without_a_hidden_layer_is_stuck_at_the_mean_label_and_not_blamed_on_its_inputs():
    net = Network.create([2, 2], None, OutputLayer.from_kind("softmax_ce"), "normal", seed=0)
    from app.nn import Trainer, make_optimizer

    trainer = Trainer(net, XOR_X, XOR_Y, make_optimizer("sgd", 0.5))
    for _ in range(2000):
        trainer.step()
    d = diagnose(net, XOR_X, XOR_Y)
    assert d.headline == "Stuck at the mean label"
    assert [c.code for c in d.cause_list] == ["not_linearly_separable"]
    assert collapse_detail(d).startswith("Every input gets about [0.5, 0.5]")
    assert collapse_message(d) == f"{d.headline}. {collapse_detail(d)}"  # the terminal's one text


def test_dead_relus_with_small_inputs_give_the_same_output_for_every_input_off_the_mean_label():
    net = Network.create([2, 8, 2], "relu", OutputLayer.from_kind("sigmoid_mse"), "he", seed=0)
    net.b[0][:] = -100.0
    net.b[1][:] = [3.0, -3.0]  # every input gets σ(b): about [0.95, 0.05], far from the mean label [0.5, 0.5]
    d = diagnose(net, XOR_X, XOR_Y)
    assert d.same_output_for_every_input and not d.outputs_at_mean_label
    assert d.headline == "The same output for every input"
    assert "unscaled_inputs" not in [c.code for c in d.cause_list]
    assert d.cause_list[0].code in ("identical_representations", "dead_relus")
    assert "255" not in d.cause_list[0].suggestion


# --- every cause has an id, a headline and a detail ------------------------------------------------------------

def test_every_cause_the_diagnosis_reports_has_a_headline_and_a_detail():
    found = events_of(dashboard_config(activation="relu", learning_rate=0.005))
    for event in found.values():
        assert event.headline and event.detail and event.cause
        for cause in event.causes or []:
            assert cause.id and cause.headline and cause.detail and cause.suggestion


def test_lesson_6s_collapsed_runs_share_one_cause_and_one_suggestion():
    """What lets the banner show them as one entry with its suggestion once (tests/js/diagnosis-banner.test.mjs)."""
    from app.lessons import lesson

    _, events = played(lesson(6).preset.model_dump_json())
    collapsed = [e for e in events if e.event == "collapsed"]
    assert len(collapsed) == 4
    assert {(e.cause, e.headline, e.suggestion, tuple(c.id for c in e.causes)) for e in collapsed} == {
        ("unscaled_inputs", "Stuck at the mean label", collapsed[0].suggestion,
         tuple(c.id for c in collapsed[0].causes))}
    assert "saturated_layer" in [c.id for c in collapsed[0].causes]


def test_every_kind_of_event_carries_an_id_a_headline_and_a_detail():
    def config(dataset: dict, hidden: list[int], learning_rate: float) -> ExperimentConfig:
        return ExperimentConfig.model_validate({"dataset": dataset, "network": {"hidden_layers": hidden},
                                                "runs": DASHBOARD_RUNS,
                                                "optimizer": {"name": "sgd", "learning_rate": learning_rate}})

    seen: dict[str, set[str]] = {}
    for cfg, steps in [(config({"name": "two-points"}, [8], 0.5), 1000),  # converged
                       (config({"name": "xor"}, [], 0.5), 400),  # collapsed
                       (config({"name": "two-points"}, [8], 1e6), 20),  # diverged
                       (config({"name": "near-twins", "params": {"eps": 0.01}}, [8], 0.5), 1200)]:  # plateau
        exp, events = played(cfg.model_dump_json(), steps)
        for event in [*events, *exp.gradcheck()]:
            assert event.cause and event.headline and event.detail, event
            assert event.run not in event.headline + event.detail
            seen.setdefault(event.event, set()).add(event.cause)
    assert seen == {"converged": {"converged"}, "collapsed": {"not_linearly_separable"}, "diverged": {"diverged"},
                    "plateau": {"nearly_identical_inputs"}, "gradcheck": {"agrees", "not_meaningful"}}
