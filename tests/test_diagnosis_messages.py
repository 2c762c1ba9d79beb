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


# --- diagnoses that tell the truth: a straight line, identical inputs, a rate that overshoots (issue 17) ---------

CAN_HELP = {  # for each cause, what can change the outcome
    "nonfinite_loss": {"lower_learning_rate", "scale_inputs"},
    "unscaled_inputs": {"scale_inputs"},
    "identical_inputs": {"differ_inputs"},
    "identical_representations": {"differ_inputs", "xavier_init", "scale_inputs"},
    "saturated_layer": {"xavier_init", "lower_learning_rate", "scale_inputs"},
    "dead_relus": {"he_init", "lower_learning_rate", "leaky_relu", "scale_inputs"},
    "not_linearly_separable": {"add_hidden_layer"},
    "no_plane_fits": {"add_hidden_layer"},
    "zero_gradient": {"xavier_init", "other_activation", "lower_learning_rate", "scale_inputs"},
    "nearly_identical_inputs": {"keep_training", "differ_inputs"},
    "oscillating": {"lower_learning_rate"},
}
NEEDS_A_HIDDEN_LAYER = {"xavier_init", "he_init", "leaky_relu", "other_activation"}


def config_of(dataset: dict, hidden: list[int], activation: str = "sigmoid", learning_rate: float = 0.5,
              init: str = "normal", kinds=("sigmoid_mse", "sigmoid_bce", "softmax_ce", "softmax_mse")):
    return ExperimentConfig.model_validate({
        "dataset": dataset,
        "network": {"hidden_layers": hidden, "hidden_activation": activation, "init": init, "seed": 0},
        "runs": [{"id": kind.replace("_", "-"), "kind": kind} for kind in kinds],
        "optimizer": {"name": "sgd", "learning_rate": learning_rate}})


MOONS_NO_HIDDEN = config_of({"name": "moons"}, [], learning_rate=5.0)
TWINS_IDENTICAL = config_of({"name": "near-twins", "params": {"eps": 0.0}}, [8])
TWINS_IDENTICAL_NO_HIDDEN = config_of({"name": "near-twins", "params": {"eps": 0.0}}, [])
SPIRAL_RELU_50 = config_of({"name": "spiral"}, [8], "relu", 50.0)


def collapsed_causes(config: ExperimentConfig, steps: int = 1000) -> dict[str, list[str]]:
    _, events = played(config.model_dump_json(), steps)
    return {e.run: [c.id for c in e.causes] for e in events if e.event == "collapsed"}


def test_moons_without_a_hidden_layer_stop_at_the_best_straight_line_and_are_told_to_add_one():
    found = collapsed_causes(MOONS_NO_HIDDEN, 2000)
    assert set(found) == {"sigmoid-bce", "softmax-ce", "softmax-mse"}  # their gradients vanish short of the labels
    assert all(causes == ["not_linearly_separable"] for causes in found.values()), found


def test_moons_with_the_hidden_layer_the_diagnosis_suggests_go_below_the_best_line():
    line, _ = played(MOONS_NO_HIDDEN.model_dump_json(), 2000)
    hidden, _ = played(config_of({"name": "moons"}, [16], "tanh", 0.5).model_dump_json(), 2000)
    by_id = {run.id: run.trainer.full_loss() for run in hidden.runs}
    for run in line.runs:
        assert by_id[run.id] < 0.7 * run.trainer.full_loss(), (run.id, by_id[run.id], run.trainer.full_loss())


@pytest.mark.parametrize("config", [TWINS_IDENTICAL, TWINS_IDENTICAL_NO_HIDDEN])
def test_identical_inputs_are_named_as_such_with_no_advice_about_weights(config):
    found = collapsed_causes(config, 400)
    assert set(found) == {"sigmoid-mse", "sigmoid-bce", "softmax-ce", "softmax-mse"}
    assert all(causes == ["identical_inputs"] for causes in found.values()), found


@pytest.mark.parametrize("init, activation", [("xavier", "sigmoid"), ("he", "relu"), ("uniform", "tanh")])
def test_identical_inputs_stay_at_the_mean_label_whatever_the_starting_weights(init, activation):
    """Why init advice would be false there: any network gives the same inputs the same outputs."""
    config = config_of({"name": "near-twins", "params": {"eps": 0.0}}, [8, 8], activation, init=init)
    exp, _ = played(config.model_dump_json(), 400)
    for run in exp.runs:
        np.testing.assert_allclose(run.net.predict(exp.X), 0.5, atol=0.05)
    found = collapsed_causes(config, 400)
    assert len(found) == len(exp.runs) and all(causes == ["identical_inputs"] for causes in found.values()), found


def test_a_loss_that_swings_at_rate_50_is_reported_oscillating_once_per_run_with_a_lower_rate():
    _, events = played(SPIRAL_RELU_50.model_dump_json(), 1000)
    swings = [e for e in events if e.event == "oscillating"]
    assert {e.run for e in swings} >= {"sigmoid-bce"}
    assert len(swings) == len({e.run for e in swings}), "once per run"
    for event in swings:
        assert event.cause == "oscillating" and [c.id for c in event.causes] == ["oscillating"]
        assert event.step <= 200


def test_the_tenfold_lower_rate_the_oscillation_suggests_stops_the_swings():
    fast, fast_events = played(SPIRAL_RELU_50.model_dump_json(), 1000)
    slow, events = played(config_of({"name": "spiral"}, [8], "relu", 5.0).model_dump_json(), 1000)
    swinging = {e.run for e in fast_events if e.event == "oscillating"}
    assert swinging and not swinging & {e.run for e in events if e.event == "oscillating"}
    fast_bce = next(run for run in fast.runs if run.id == "sigmoid-bce")
    slow_bce = next(run for run in slow.runs if run.id == "sigmoid-bce")
    assert slow_bce.trainer.full_loss() < min(fast_bce.swings.losses) / 4  # below the lowest of its swings


@pytest.mark.parametrize("dataset", [{"name": "two-points"}, {"name": "moons"}, {"name": "spiral"}])
def test_runs_that_learn_are_not_called_oscillating(dataset):
    _, events = played(config_of(dataset, [8], "tanh", 0.5).model_dump_json(), 1500)
    assert not [e for e in events if e.event == "oscillating"]


def test_every_cause_suggests_only_what_can_help():
    from app.nn.diagnostics import REMEDIES, oscillation

    seen: set[str] = set()
    for config, steps in [(MOONS_NO_HIDDEN, 2000), (TWINS_IDENTICAL, 400), (TWINS_IDENTICAL_NO_HIDDEN, 400),
                          (SPIRAL_RELU_50, 400), (config_of({"name": "xor"}, []), 400),
                          (dashboard_config(activation="relu", learning_rate=0.005), 1000),
                          (dashboard_config(activation="sigmoid", learning_rate=0.005, seed=2), 1000),
                          (config_of({"name": "near-twins", "params": {"eps": 0.01}}, [8]), 400)]:
        exp, _ = played(config.model_dump_json(), steps)
        hidden = bool(config.network.hidden_layers)
        for run in exp.runs:
            if run.status == "diverged":
                continue
            found = list(diagnose(run.net, exp.X, exp.Y).cause_list)
            found += [c for c in [oscillation(run.swings.losses, 1.0)] if c]
            for cause in found:
                seen.add(cause.code)
                assert cause.remedies and set(cause.remedies) <= set(REMEDIES), cause
                assert set(cause.remedies) <= CAN_HELP[cause.code], cause
                if not hidden:
                    assert not set(cause.remedies) & NEEDS_A_HIDDEN_LAYER, cause
    assert {"not_linearly_separable", "identical_inputs", "oscillating", "unscaled_inputs"} <= seen, seen
