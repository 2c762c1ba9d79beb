"""A collapse is reported only when it is real, and a run reported collapsed that converges later says so.

The review's case: raw pixels fed in unscaled, sigmoid hidden units, learning rate 0.05. Its outputs pass
through [0.5, 0.5] on the way to the labels (softmax + CE there at step 50, converged at step 492): one check
that sees the mean label is not a collapse. The real collapses (the same pixels from weight seed 2, XOR
without a hidden layer) are still reported, about 100 steps after they start.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.sessions import experiment as experiment_module
from app.sessions.config import ExperimentConfig, check_limits
from app.sessions.experiment import COLLAPSE_CHECK_FROM, COLLAPSE_LASTS, Event, Experiment
from app.settings import Settings
from node_harness import run_in_node

KINDS = ("sigmoid_mse", "sigmoid_bce", "softmax_ce", "softmax_mse", "softmax_mse_elementwise")


def config(dataset: dict, learning_rate: float, seed: int, hidden: list[int] | None = None,
           kinds: tuple[str, ...] = KINDS) -> ExperimentConfig:
    return ExperimentConfig.model_validate({
        "dataset": dataset,
        "network": {"hidden_layers": [8] if hidden is None else hidden, "hidden_activation": "sigmoid",
                    "init": "normal", "seed": seed},
        "optimizer": {"name": "sgd", "learning_rate": learning_rate},
        "runs": [{"id": kind.replace("_", "-")[:16], "kind": kind} for kind in kinds]})


UNSCALED_PIXELS = {"name": "raw-pixels", "params": {"scaled": False}}
XOR = {"name": "xor"}


def events(cfg: ExperimentConfig, steps: int) -> list[Event]:
    settings = Settings(**{name: f.default for name, f in Settings.model_fields.items()})
    exp = Experiment(cfg, check_limits(cfg, settings))
    found: list[Event] = []
    while exp.step < steps and not exp.finished:
        found += exp.advance(min(500, steps - exp.step), 60.0)
    return found


def first(found: list[Event], kind: str) -> dict[str, int]:
    steps: dict[str, int] = {}
    for event in found:
        if event.event == kind:
            steps.setdefault(event.run, event.step)
    return steps


# --- a plateau that ends by itself is not a collapse -----------------------------------------------------------

def test_the_reviews_run_is_not_called_collapsed_on_its_way_to_the_labels():
    found = events(config(UNSCALED_PIXELS, 0.05, 0, kinds=("softmax_ce",)), 600)
    assert first(found, "converged") == {"softmax-ce": 492}
    assert first(found, "collapsed") == {}  # it was reported at step 50


@pytest.mark.parametrize("learning_rate,seed", [(0.05, 0), (0.01, 0), (0.05, 3)])
def test_no_run_reported_collapsed_on_unscaled_pixels_converges_later(learning_rate, seed):
    """Part of the measured grid (docs/protocol.md): where the old one-check rule called 2-3 runs collapsed."""
    found = events(config(UNSCALED_PIXELS, learning_rate, seed), 3000)
    collapsed, converged = first(found, "collapsed"), first(found, "converged")
    assert not set(collapsed) & set(converged), (collapsed, converged)


# --- real collapses are still reported, soon after they start --------------------------------------------------

@pytest.mark.parametrize("learning_rate", [0.05, 0.5])
def test_unscaled_pixels_from_weight_seed_2_collapse_in_every_run(learning_rate):
    found = events(config(UNSCALED_PIXELS, learning_rate, 2), 1000)
    collapsed = first(found, "collapsed")
    assert set(collapsed) == {kind.replace("_", "-")[:16] for kind in KINDS}
    assert first(found, "converged") == {}
    if learning_rate == 0.5:
        assert set(collapsed.values()) == {COLLAPSE_CHECK_FROM + COLLAPSE_LASTS}  # no later than the rule allows


def test_xor_without_a_hidden_layer_collapses_in_every_run():
    found = events(config(XOR, 0.5, 0, hidden=[]), 1000)
    assert len(first(found, "collapsed")) == len(KINDS)
    assert max(first(found, "collapsed").values()) <= 300
    assert first(found, "converged") == {}


def test_a_collapse_is_reported_only_after_it_held_for_the_whole_stretch():
    found = events(config(XOR, 0.5, 0, hidden=[], kinds=("softmax_ce",)), 1000)
    (event,) = [e for e in found if e.event == "collapsed"]
    assert event.step >= COLLAPSE_CHECK_FROM + COLLAPSE_LASTS


# --- a run reported collapsed that converges says so -------------------------------------------------------------

def test_a_converged_event_after_a_collapse_says_the_run_got_out_of_the_plateau_after_all(monkeypatch):
    # The old rule (one check is enough) reports the review's run collapsed at step 50; it converges at 492.
    monkeypatch.setattr(experiment_module, "COLLAPSE_LASTS", 0)
    monkeypatch.setattr(experiment_module, "COLLAPSE_PROGRESS", 1.0)
    found = events(config(UNSCALED_PIXELS, 0.05, 0, kinds=("softmax_ce",)), 600)
    (collapsed,) = [e for e in found if e.event == "collapsed"]
    (converged,) = [e for e in found if e.event == "converged"]
    assert (collapsed.step, converged.step) == (50, 492)
    assert "got out of the plateau after all" in converged.message
    assert "the collapse reported at step 50 did not last" in converged.message


def test_a_converged_event_without_a_collapse_does_not_mention_one():
    found = events(config(UNSCALED_PIXELS, 0.05, 0, kinds=("softmax_ce",)), 600)
    (converged,) = [e for e in found if e.event == "converged"]
    assert converged.message == "Run softmax-ce: every output is within 0.1 of its label at step 492."


# --- the dashboard drops the claim: the store marks the collapse resolved, the banner says it ended -------------

STORE_HARNESS = r"""
const { createStore } = await import('./static/js/store.js');
const { applyMessage } = await import('./static/js/messages.js');
const { createDiagnosisBanner } = await import('./static/js/views/diagnosis-banner.js');
const { runs, messages } = JSON.parse(process.argv[2]);
const store = createStore();
store.state.configured = { config: { runs } };
const section = new Node('section');
const banner = createDiagnosisBanner({ section });
for (const message of messages) applyMessage(store, message);
banner.draw(store.state);
console.log(JSON.stringify({
  diagnoses: store.state.diagnoses,
  converged: store.state.converged,
  entries: section.findAll('article').map((a) => ({ className: a.className, title: a.findAll('h2')[0].textContent,
                                                    text: a.textContent })),
}));
"""


def dashboard(tmp_path: Path, runs: list[dict], messages: list[dict]) -> dict:
    return run_in_node(tmp_path, STORE_HARNESS, {"runs": runs, "messages": messages})


def as_message(event: Event) -> dict:
    return {"type": "event", **{k: v for k, v in event.__dict__.items() if v is not None}}


RUNS = [{"id": "sigmoid-mse", "kind": "sigmoid_mse"}, {"id": "softmax-ce", "kind": "softmax_ce"}]


def test_the_banner_no_longer_claims_a_run_is_stuck_once_it_converged(tmp_path, monkeypatch):
    monkeypatch.setattr(experiment_module, "COLLAPSE_LASTS", 0)  # the old rule, to get a collapse that ends
    monkeypatch.setattr(experiment_module, "COLLAPSE_PROGRESS", 1.0)
    found = events(config(UNSCALED_PIXELS, 0.05, 0, kinds=("softmax_ce",)), 600)
    stuck = events(config(UNSCALED_PIXELS, 0.5, 2, kinds=("sigmoid_mse",)), 200)  # a real one, for contrast
    messages = [as_message(e) for e in stuck + found if e.event in ("collapsed", "converged")]
    seen = dashboard(tmp_path, RUNS, messages)
    resolved = [d for d in seen["diagnoses"] if d["run"] == "softmax-ce"]
    assert resolved[0]["resolved"]["step"] == 492 and "resolved" not in seen["diagnoses"][0]
    assert seen["converged"] == {"softmax-ce": 492}
    stuck_entry, ended = seen["entries"]
    assert stuck_entry["title"].startswith("Stuck at the mean label: sigmoid + MSE")
    assert ended["className"] == "diagnosis-item resolved"
    assert ended["title"] == "Out of the plateau after all: softmax + CE (step 492)"
    assert "Stuck at the mean label" not in ended["title"]
    assert "it reached its labels at step 492: that plateau ended by itself" in ended["text"]


def test_a_converged_run_that_was_never_reported_collapsed_leaves_the_banner_alone(tmp_path):
    stuck = events(config(UNSCALED_PIXELS, 0.5, 2, kinds=("sigmoid_mse",)), 200)
    converged = {"type": "event", "event": "converged", "run": "softmax-ce", "step": 40,
                 "message": "Run softmax-ce: every output is within 0.1 of its label at step 40."}
    seen = dashboard(tmp_path, RUNS, [*map(as_message, stuck), converged])
    assert [e["className"] for e in seen["entries"]] == ["diagnosis-item collapsed"]
    assert "resolved" not in seen["diagnoses"][0]
