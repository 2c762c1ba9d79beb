"""A long stay at the mean label with no cause of a collapse gets a `plateau` note, not silence and not
"stuck": near-twins with eps 0.01 sits at [0.5, 0.5] for tens of thousands of steps, and learns in the end."""

from __future__ import annotations

import numpy as np
import pytest

from app.nn.diagnostics import nearly_identical_inputs
from app.sessions.experiment import PLATEAU_NOTE_AFTER
from test_collapse_truth import config, events

NEAR_TWINS = {"name": "near-twins", "params": {"eps": 0.01}}
KINDS = ("sigmoid_mse", "softmax_ce")


def by_kind(found, kind):
    return {e.run: e for e in found if e.event == kind}


def test_nearly_identical_twins_get_one_plateau_note_per_run_naming_the_inputs():
    found = events(config(NEAR_TWINS, 0.5, 0, kinds=KINDS), 3000)
    notes = by_kind(found, "plateau")
    assert set(notes) == {"sigmoid-mse", "softmax-ce"}
    assert len([e for e in found if e.event == "plateau"]) == 2, "once per run"
    assert not [e for e in found if e.event == "collapsed"], "it is not a collapse"
    for note in notes.values():
        assert PLATEAU_NOTE_AFTER <= note.step <= PLATEAU_NOTE_AFTER + 100
        assert note.headline == "A slow plateau" and note.detail.startswith("Every input has got about [0.5, 0.5]")
        assert note.cause == "nearly_identical_inputs" and [c.id for c in note.causes] == [note.cause]
        assert "0.01" in note.causes[0].detail and note.causes[0].detail in note.detail


def test_a_plateau_without_a_known_reason_says_it_may_end_by_itself_and_it_does():
    found = events(config({"name": "near-twins"}, 0.5, 0, kinds=("sigmoid_mse",), hidden=[8]), 8000)
    note = by_kind(found, "plateau")["sigmoid-mse"]
    assert note.causes is None and note.cause == "plateau"
    assert by_kind(found, "converged")["sigmoid-mse"].step > note.step


@pytest.mark.parametrize("dataset", [{"name": "two-points"}, {"name": "xor"}, {"name": "moons"}])
def test_sets_that_learn_get_no_plateau_note(dataset):
    assert not [e for e in events(config(dataset, 0.5, 0, kinds=KINDS), 3000) if e.event == "plateau"]


def test_nearly_identical_means_typically_close_not_close_at_one_noisy_border():
    twins = np.array([[0.5, 0.5], [0.51, 0.5]])
    one_hot = np.eye(2)
    assert nearly_identical_inputs(twins, one_hot) is not None
    assert nearly_identical_inputs(twins * [1, 1] + [[0, 0], [0.5, 0]], one_hot) is None  # far apart
    assert nearly_identical_inputs(np.array([[0.5, 0.5], [0.5, 0.5]]), one_hot) is None  # identical: a collapse
    # Many points far from the other class and one pair at the border: not "nearly identical".
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(-2, 0.3, (50, 2)), rng.normal(2, 0.3, (50, 2)), [[0, 0], [0.01, 0]]])
    Y = np.repeat(np.eye(2), [50, 50], axis=0)
    Y = np.vstack([Y, np.eye(2)])
    assert nearly_identical_inputs(X, Y) is None
