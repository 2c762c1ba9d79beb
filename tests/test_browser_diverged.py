"""A run that diverged is drawn as stopped: the loss chart's data for it ends at its last finite step and a ✕ marks
the step where it blew up, the same at every speed (frames skip steps at high speed; the `diverged` event does not).

XOR with linear hidden units at rate 2: softmax + CE blows up at step 8 while sigmoid + MSE trains on.
"""

from __future__ import annotations

import pytest

from app.sessions.config import ExperimentConfig, check_limits
from app.sessions.experiment import Experiment
from lab_settings import make_settings

pytestmark = pytest.mark.browser

LINK = "#dataset=xor&activation=linear&lr=2&runs=sigmoid_mse,softmax_ce"
MARK = "#loss-chart .diverged-mark"


def expected_stop(config: dict) -> tuple[int, int, float]:
    """The engine's own answer for the config the page sent: (step it blew up, last finite step, its loss)."""
    fields = ExperimentConfig.model_fields
    cfg = ExperimentConfig.model_validate({k: v for k, v in config.items() if k in fields})  # not type, speed
    exp = Experiment(cfg, check_limits(cfg, make_settings()))
    while exp.step < 200:
        for event in exp.advance(50, 60.0):
            if event.event == "diverged":
                return event.step, event.last_finite_step, event.last_finite_loss
    raise AssertionError("the run did not diverge")


def drawn_stop(dashboard, speed: str) -> dict:
    page = dashboard.open(f"{LINK}&speed={speed}").page
    page.click("#play")
    dashboard.wait_for(f"document.querySelector('{MARK}') !== null")
    dashboard.wait_for("backpropLab.step > 40")  # frames after the blow-up have come and been drawn
    page.click("#play")  # pause
    dashboard.wait_for("!backpropLab.playing")
    marks = page.eval_on_selector_all(MARK, "marks => marks.map((m) => ({...m.dataset, hidden: m.hidden}))")
    assert dashboard.console_errors == []
    return {"marks": marks, "config": dashboard.lab("config"), "diagnoses": dashboard.lab("diagnoses")}


@pytest.mark.parametrize("speed", ["5", "max"])
def test_a_diverged_run_ends_at_its_last_finite_loss_with_a_mark_at_the_step_it_blew_up(dashboard, speed):
    drawn = drawn_stop(dashboard, speed)
    step, last_step, last_loss = expected_stop(drawn["config"])
    assert (step, last_step) == (8, 7)  # the case this test is about: a run that trains a few steps, then blows up
    (mark,) = drawn["marks"]
    assert mark["run"] == "softmax-ce" and not mark["hidden"]
    assert int(mark["step"]) == step
    assert int(mark["lastStep"]) == last_step  # not a flat line on to the latest step
    assert float(mark["lastLoss"]) == pytest.approx(last_loss, rel=1e-9)
    (event,) = [d for d in drawn["diagnoses"] if d["event"] == "diverged"]
    assert (event["run"], event["step"], event["last_finite_step"]) == ("softmax-ce", step, last_step)


def test_the_run_that_did_not_diverge_gets_no_mark_and_keeps_its_line(dashboard):
    drawn = drawn_stop(dashboard, "max")
    assert [m["run"] for m in drawn["marks"]] == ["softmax-ce"]
    page = dashboard.page
    # The legend shows each run's latest value: a number for sigmoid + MSE, none for the stopped run.
    values = page.eval_on_selector_all("#loss-chart .u-legend .u-series .u-value",
                                       "cells => cells.map((c) => c.textContent)")
    assert values[1] not in ("–", "") and values[2] == "–"
