"""Honest claims: every sentence a lesson says about what will happen, checked by running its preset.

Each claim in app/lessons has a test here named test_lesson_<number>_<claim id>; the first test makes sure
none is left out. The presets run through the engine exactly as a live session runs them (Experiment).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pytest

from app.lessons import LESSONS, RUN_IDS, lesson
from app.nn import RUN_KINDS
from app.sessions.config import ExperimentConfig, check_limits
from app.sessions.experiment import Experiment
from app.settings import Settings
from lab_settings import make_settings

DASHBOARD_SPEEDS = {1, 5, 20, 60, 200, 1000, 10000, "max"}  # the speed menu of templates/index.html
TWO_POINTS = np.array([[1.0, 0.0], [0.0, 1.0]])


def laptop_settings() -> Settings:
    return make_settings()


def experiment(config: ExperimentConfig) -> Experiment:
    return Experiment(config, check_limits(config, laptop_settings()))


@dataclass
class Run:
    """One preset run step by step, as a learner watching it would see it."""

    exp: Experiment
    frames: list[dict] = field(default_factory=list)  # the frame at every step, when kept
    hidden: list[np.ndarray] = field(default_factory=list)  # first run's last hidden layer, per step
    losses: list[list[float | None]] = field(default_factory=list)
    converged: dict[str, int] = field(default_factory=dict)
    collapsed: dict[str, list[str]] = field(default_factory=dict)  # run id -> cause codes
    diverged: set[str] = field(default_factory=set)

    def outputs(self, run_id: str) -> np.ndarray:
        return next(r for r in self.exp.runs if r.id == run_id).net.predict(self.exp.X)


def play(config: ExperimentConfig, steps: int, *, keep_frames: bool = False, until_converged: bool = False) -> Run:
    run = Run(experiment(config))
    exp = run.exp
    while exp.step < steps:
        if keep_frames:
            run.frames.append(exp.frame().model_dump())
            first = exp.runs[0].net
            run.hidden.append(first.forward(exp.X).activations[-2].copy())
        run.losses.append(exp.current_losses())
        for event in exp.advance(1 if keep_frames else min(100, steps - exp.step), 60.0):
            if event.event == "converged":
                run.converged.setdefault(event.run, event.step)
            elif event.event == "collapsed":
                run.collapsed[event.run] = [cause.id for cause in event.causes]
            elif event.event == "diverged":
                run.diverged.add(event.run)
        if until_converged and len(run.converged) == len(exp.runs):
            break
    return run


@cache
def played(number: int, steps: int, keep_frames: bool = False, try_this: bool = False) -> Run:
    """A lesson's preset (or the preset after "Try this"), played once per test session."""
    item = lesson(number)
    config = item.try_this.config(item.preset) if try_this else item.preset
    return play(config, steps, keep_frames=keep_frames, until_converged=not keep_frames)


def run_frame(frame: dict, run_id: str) -> dict:
    return next(run for run in frame["runs"] if run["id"] == run_id)


def longest_stretch(flags: list[bool]) -> tuple[int, int]:
    """(first, last) step of the longest run of True; (-1, -2) when there is none."""
    best, start = (-1, -2), None
    for i, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start > best[1] - best[0] + 1:
                best = (start, i - 1)
            start = None
    return best


def cosine(u: np.ndarray, v: np.ndarray) -> float:
    u, v = np.ravel(u), np.ravel(v)
    return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))


# --- the lessons as data ---------------------------------------------------------------------------------

def test_every_claim_has_a_test_of_its_own():
    module = sys.modules[__name__]
    missing = [f"test_lesson_{item.number}_{claim.id}" for item in LESSONS for claim in item.claims
               if not callable(getattr(module, f"test_lesson_{item.number}_{claim.id}", None))]
    assert missing == []


def test_lessons_are_numbered_one_to_seven_with_the_issues_titles():
    assert [item.number for item in LESSONS] == [1, 2, 3, 4, 5, 6, 7]
    assert [item.title for item in LESSONS] == [
        "Your network", "The bug that gives [0.5, 0.5]", "The softmax layer", "What replaces σ′(z)", "The tempting mistake",
        "When softmax does not help", "Why XOR needs a hidden layer"]


@pytest.mark.parametrize("item", LESSONS, ids=lambda item: f"lesson{item.number}")
def test_preset_and_try_this_are_within_the_servers_limits(item):
    check_limits(item.preset, laptop_settings())
    check_limits(item.try_this.config(item.preset), laptop_settings())


@pytest.mark.parametrize("item", LESSONS, ids=lambda item: f"lesson{item.number}")
def test_preset_is_what_the_dashboard_sends(item):
    """The page names runs by RUN_IDS and sends them in its menu order, with full-batch SGD and float64."""
    kinds = [run.kind for run in item.preset.runs]
    assert kinds == [kind for kind in RUN_KINDS if kind in kinds]
    assert [run.id for run in item.preset.runs] == [RUN_IDS[kind] for kind in kinds]
    assert all(run.learning_rate is None and run.optimizer is None for run in item.preset.runs)
    assert item.preset.optimizer.name == "sgd" and item.preset.batch_size is None
    assert item.preset.network.dtype == "float64"
    assert item.preset.example == 0 or item.try_this.command == "next-example"  # the Jacobian lesson picks its own
    assert item.speed in DASHBOARD_SPEEDS


def test_lessons_in_the_learners_setting_use_sigmoid_hidden_layers_and_normal_init():
    for item in LESSONS:
        assert item.preset.network.hidden_activation == "sigmoid"
        assert item.preset.network.init == "normal"
    first = lesson(1).preset
    assert first.dataset.name == "two-points" and [run.kind for run in first.runs] == ["sigmoid_mse"]


# --- 1. Your network -----------------------------------------------------------------------------------------

LESSON_1_STEPS = 420


def lesson_1() -> Run:
    return played(1, LESSON_1_STEPS, keep_frames=True)


def near_half(frame: dict) -> bool:
    """Both examples' outputs within 0.1 of 0.5."""
    return bool(np.abs(np.array(frame["runs"][0]["outputs"]) - 0.5).max() < 0.1)


def lesson_1_until_converged() -> list[dict]:
    run = lesson_1()
    return run.frames[: run.converged["sigmoid-mse"] + 1]


def test_lesson_1_plateau():
    first, last = longest_stretch([near_half(frame) for frame in lesson_1().frames])
    assert 5 <= first <= 25, "the outputs reach [0.5, 0.5] after a few steps (about step 15)"
    assert 60 <= last <= 80, "and leave it around step 70"
    assert last - first >= 40


def test_lesson_1_leaves_the_plateau():
    run = lesson_1()
    assert 300 <= run.converged["sigmoid-mse"] <= 400  # "by about step 350"
    outputs = np.array(run.frames[run.converged["sigmoid-mse"]]["runs"][0]["outputs"])
    assert np.abs(outputs - run.exp.Y).max() < 0.1


def test_lesson_1_gradients_point_opposite_ways():
    for frame in lesson_1_until_converged():
        output = frame["runs"][0]["output"]
        delta_a, delta_b = np.array(output["delta"])
        # A (label [1, 0]) pulls output 1 up and output 2 down: δ₁ < 0 < δ₂; B the reverse.
        assert delta_a[0] < 0 < delta_a[1] and delta_b[1] < 0 < delta_b[0]
        grad_a, grad_b = np.array(output["per_example_grad_W"])
        assert cosine(grad_a, grad_b) < -0.4


def test_lesson_1_hidden_activations_differ():
    run = lesson_1()
    for hidden in run.hidden[: run.converged["sigmoid-mse"] + 1]:
        assert np.abs(hidden[0] - hidden[1]).max() > 0.2


def test_lesson_1_gradients_do_not_cancel():
    run = lesson_1()
    for frame, hidden in zip(lesson_1_until_converged(), run.hidden):
        output = frame["runs"][0]["output"]
        grads, deltas = np.array(output["per_example_grad_W"]), np.array(output["delta"])
        for e in (0, 1):  # each row is δⱼ times that example's own hidden activations
            np.testing.assert_allclose(grads[e], np.outer(deltas[e], hidden[e]), rtol=2e-6, atol=1e-15)  # 7 digits
        grad_a, grad_b = grads
        # The step uses their mean; it is far from zero compared with either of them.
        assert np.linalg.norm(grad_a + grad_b) >= 0.15 * (np.linalg.norm(grad_a) + np.linalg.norm(grad_b))


# --- 2. The bug that gives [0.5, 0.5] ------------------------------------------------------------------------

LESSON_2_STEPS = 2000


@cache
def lesson_2_by_step() -> list[dict]:
    """At every step: both runs' outputs, per-example output-layer gradients, the step each takes (its trainer's
    ∂C/∂W of the output layer) and the bug's first-layer weighted inputs."""
    exp = experiment(lesson(2).preset)
    seen = []
    while exp.step < LESSON_2_STEPS:
        moment = {}
        for r in exp.runs:
            fwd, bwd = r.trainer.passes()
            hidden, delta = fwd.activations[1], bwd.deltas[1]
            moment[r.id] = {"outputs": fwd.output, "first_sums": fwd.zs[0],
                            "own": [np.linalg.norm(np.outer(delta[e], hidden[e])) for e in (0, 1)],
                            "step": np.linalg.norm(bwd.grad_W[1])}
        seen.append(moment)
        exp.advance(1, 60.0)
    return seen


def test_lesson_2_same_starting_weights():
    exp = experiment(lesson(2).preset)
    right, bug = exp.runs
    assert (right.spec.kind, bug.spec.kind) == ("sigmoid_mse", "sigmoid_mse_examples_mixed")
    first = experiment(lesson(1).preset).runs[0].net
    np.testing.assert_array_equal(right.net.theta, first.theta)
    np.testing.assert_array_equal(bug.net.theta, first.theta)


def test_lesson_2_right_run_reaches_the_labels():
    run = played(2, LESSON_2_STEPS)
    assert 300 <= run.converged["sigmoid-mse"] <= 400  # "by about step 350"


def test_lesson_2_bug_stays_at_half():
    by_step = lesson_2_by_step()
    farthest = max(np.abs(moment["sig-mse-mixed"]["outputs"] - 0.5).max() for moment in by_step[40:])
    assert farthest < 0.03
    assert "sig-mse-mixed" not in played(2, LESSON_2_STEPS).converged


def test_lesson_2_bug_stays_at_half_for_twenty_thousand_steps_and_never_reaches_the_labels():
    """"Never", measured far beyond the lesson: its rest point is the average label, not the labels."""
    bug = experiment(lesson(2).preset).runs[1].trainer
    for step in range(1, 20_001):  # updates done
        bug.step()
        if step >= 40 and step % 100 == 0:
            outputs = bug.net.predict(TWO_POINTS)
            assert np.abs(outputs - 0.5).max() < 0.03, step
    np.testing.assert_allclose(bug.net.predict(TWO_POINTS).mean(axis=0), [0.5, 0.5], atol=1e-3)


def test_lesson_2_bugs_step_vanishes():
    by_step = lesson_2_by_step()
    start = by_step[0]["sig-mse-mixed"]["own"]
    converged = played(2, LESSON_2_STEPS).converged["sigmoid-mse"]
    for step, moment in enumerate(by_step):
        bug, right = moment["sig-mse-mixed"], moment["sigmoid-mse"]
        assert min(bug["own"]) > 0.8 * min(start), step  # each example's own ∂c/∂w stays about as large
        if step >= 50:
            assert bug["step"] < 0.01 * np.mean(bug["own"]), step
        if step <= converged:
            assert right["step"] > 0.1 * np.mean(right["own"]), step


def test_lesson_2_first_layer_cannot_tell_them_apart():
    by_step = lesson_2_by_step()
    gap = [moment["sig-mse-mixed"]["first_sums"][0] - moment["sig-mse-mixed"]["first_sums"][1] for moment in by_step]
    for step, now in enumerate(gap):
        np.testing.assert_allclose(now, gap[0], rtol=0, atol=1e-12, err_msg=f"step {step}")
    right = by_step[-1]["sigmoid-mse"]["first_sums"]
    assert np.abs((right[0] - right[1]) - gap[0]).max() > 0.1  # the right run's first layer does learn


def test_lesson_2_diagnosis_names_the_mistake():
    run = played(2, LESSON_2_STEPS)
    assert run.collapsed == {"sig-mse-mixed": ["examples_mixed"]}
    assert run.diverged == set()


# --- 3. The softmax layer --------------------------------------------------------------------------------

def lesson_3_frames(example: int | None = None) -> list[dict]:
    """Frames at steps 0, 40, 80 and 120, showing `example` (the preset's by default)."""
    preset = lesson(3).preset
    exp = experiment(preset.model_copy(update={"example": preset.example if example is None else example}))
    frames = [exp.frame().model_dump()]
    for _ in range(3):
        exp.advance(40, 60.0)
        frames.append(exp.frame().model_dump())
    return frames


def test_lesson_3_outputs_add_up_to_one():
    for frame in lesson_3_frames():
        softmax = np.array(run_frame(frame, "softmax-ce")["outputs"])
        np.testing.assert_allclose(softmax.sum(axis=1), 1.0, atol=1e-12)
        sigmoid = np.array(run_frame(frame, "sigmoid-mse")["outputs"])
        assert np.abs(sigmoid.sum(axis=1) - 1.0).max() > 0.05  # nothing makes them


def test_lesson_3_jacobian_is_full():
    for step, frame in enumerate(lesson_3_frames()):
        for run_id in ("softmax-ce", "sigmoid-mse"):
            run = run_frame(frame, run_id)
            a = np.array(run["outputs"][run["output"]["example"]])
            jacobian = np.array(run["output"]["jacobian"])
            assert jacobian.shape == (3, 3)
            np.testing.assert_allclose(np.diag(jacobian), a * (1 - a), rtol=2e-6)  # frames: 7 digits
            off = ~np.eye(3, dtype=bool)
            if run_id == "softmax-ce":
                np.testing.assert_allclose(jacobian[off], -np.outer(a, a)[off], rtol=2e-6)
                assert (jacobian[off] < 0).all()  # never zero: each output depends on every z
                if step == 0:
                    assert np.abs(jacobian[off]).min() > 1e-2  # before training, clearly so
            else:
                assert (jacobian[off] == 0).all()


def test_lesson_3_jacobian_rows_add_up_to_zero():
    for frame in lesson_3_frames():
        jacobian = np.array(run_frame(frame, "softmax-ce")["output"]["jacobian"])
        np.testing.assert_allclose(jacobian.sum(axis=1), 0.0, atol=1e-6)  # 7 digits


def test_lesson_3_each_example_has_its_own_jacobian():
    """The next example is of another class, and its J differs where the panel shows it (2 decimals for 3 classes),
    at every moment the lesson is likely to be looked at."""
    assert lesson(3).try_this.command == "next-example"
    shown = lesson(3).preset.example
    labels = experiment(lesson(3).preset).Y.argmax(axis=1)
    assert labels[shown] != labels[shown + 1]
    for first, second in zip(lesson_3_frames(), lesson_3_frames(shown + 1)):
        for run_id in ("softmax-ce", "sigmoid-mse"):
            assert run_frame(second, run_id)["output"]["example"] == shown + 1
            j0, j1 = (np.array(run_frame(f, run_id)["output"]["jacobian"]) for f in (first, second))
            assert np.abs(j0 - j1).max() > 0.02  # several hundredths
            assert (np.round(j0, 2) != np.round(j1, 2)).sum() >= 2  # entries that read differently on screen


def test_lesson_3_code_gives_the_lab_numbers():
    code = lesson(3).code
    assert "z.max(axis=0, keepdims=True)" in code and "log_softmax(z)" in code and "delta = a - y" in code
    exp = experiment(lesson(3).preset)
    exp.advance(40, 60.0)  # trained a little: the numbers are not the starting ones
    net = next(run.net for run in exp.runs if run.spec.kind == "softmax_ce")
    fwd, bwd = net.gradients(exp.X, exp.Y)
    names = {"np": np, "z": fwd.zs[-1].T, "y": exp.Y.T}  # the code's conventions: one example per column
    exec(code, names)
    np.testing.assert_allclose(names["a"].T, fwd.output, rtol=1e-12)
    np.testing.assert_allclose(names["C"], net.loss(fwd, exp.Y), rtol=1e-12)
    np.testing.assert_allclose(names["delta"].T, bwd.deltas[-1], rtol=1e-12, atol=1e-15)


# --- 4. What replaces σ′(z) ------------------------------------------------------------------------------

def test_lesson_4_same_starting_weights():
    exp = experiment(lesson(4).preset)
    sigmoid, softmax = (run.net for run in exp.runs)
    for w1, w2 in zip(sigmoid.W + sigmoid.b, softmax.W + softmax.b):
        np.testing.assert_array_equal(w1, w2)
    # …and they are lesson 1's network.
    first = experiment(lesson(1).preset).runs[0].net
    np.testing.assert_array_equal(first.theta, sigmoid.theta)


def test_lesson_4_softmax_reaches_the_labels_first():
    converged = played(4, 600).converged
    assert converged["softmax-ce"] < 60
    assert 300 <= converged["sigmoid-mse"] <= 400  # "about 350 steps"


def test_lesson_4_softmax_reaches_the_labels_first_from_other_starting_weights_too():
    for seed in range(10):
        config = lesson(4).preset.model_copy(
            update={"network": lesson(4).preset.network.model_copy(update={"seed": seed})})
        converged = play(config, 600, until_converged=True).converged
        assert converged["softmax-ce"] * 4 < converged["sigmoid-mse"], seed


def test_lesson_4_sigmoid_shrinks_the_error():
    exp = experiment(lesson(4).preset)
    Y = exp.Y
    for _ in range(8):
        frame = exp.frame().model_dump()
        sigmoid, softmax = run_frame(frame, "sigmoid-mse"), run_frame(frame, "softmax-ce")
        error = np.array(sigmoid["outputs"]) - Y
        assert (np.abs(np.array(sigmoid["output"]["delta"])) <= 0.25 * np.abs(error) + 1e-15).all()
        np.testing.assert_allclose(softmax["output"]["delta"], np.array(softmax["outputs"]) - Y, atol=1e-7)  # 7 digits
        exp.advance(50, 60.0)


def test_lesson_4_other_three_equations_unchanged():
    """BP2, BP3 and BP4, written out once, hold for both runs: only δᴸ (BP1) differs between them."""
    exp = experiment(lesson(4).preset)
    exp.advance(30, 60.0)
    for run in exp.runs:
        net = run.net
        fwd, bwd = net.gradients(exp.X, exp.Y)
        hidden_z, hidden_a = fwd.zs[0], fwd.activations[1]
        delta_out = bwd.deltas[1]
        delta_hidden = (delta_out @ net.W[1]) * hidden_a * (1 - hidden_a)  # BP2 with σ′(z) = σ(z)(1 − σ(z))
        np.testing.assert_allclose(bwd.deltas[0], delta_hidden, rtol=1e-12)
        assert hidden_z.shape == delta_hidden.shape
        n = len(exp.X)
        for layer, delta in enumerate(bwd.deltas):
            np.testing.assert_allclose(bwd.grad_b[layer], delta.mean(axis=0), rtol=1e-12)  # BP3
            np.testing.assert_allclose(bwd.grad_W[layer], delta.T @ fwd.activations[layer] / n, rtol=1e-12)  # BP4


# --- 5. The tempting mistake ---------------------------------------------------------------------------------

def test_lesson_5_gradient_check_finds_the_mistake():
    assert lesson(5).try_this.command == "gradcheck"
    exp = experiment(lesson(5).preset)
    for moment in (0, 200):  # at the start, and during training
        exp.advance(moment - exp.step, 60.0)
        checks = {event.run: max(layer.relative_error for layer in event.layers) for event in exp.gradcheck()}
        assert 0.2 <= checks["mistake"] <= 0.5, "about a third"
        assert checks["softmax-mse"] < 1e-6


def test_lesson_5_mistake_points_elsewhere():
    frame = experiment(lesson(5).preset).frame().model_dump()
    mistake = run_frame(frame, "mistake")["output"]
    cosines = [cosine(wrong, right) for wrong, right in zip(mistake["delta"], mistake["delta_correct"])]
    assert min(cosines) < 0.8


def test_lesson_5_mistake_loss_stays_above():
    run = played(5, 1000)
    right, wrong = np.array(run.losses, dtype=float).T
    assert right[0] == wrong[0]  # same weights, same cost
    last = run.converged["mistake"]
    assert (wrong[1:last] > right[1:last]).all()


def test_lesson_5_mistake_loss_stays_above_by_a_gap_its_log_scale_shows():
    """About twice the right loss at every step from 50 until the mistake converges: one fixed gap on the log scale
    the lesson switches on (on a linear scale both lines sit on the axis after step ~200)."""
    assert lesson(5).loss_scale == "log"
    exp = experiment(lesson(5).preset)
    losses = []
    while exp.step < played(5, 1000).converged["mistake"]:
        losses.append(exp.current_losses())
        exp.advance(1, 60.0)
    right, wrong = np.array(losses[50:], dtype=float).T
    ratio = wrong / right
    assert ratio.min() > 1.7 and ratio.max() < 2.5


def test_lesson_5_mistake_reaches_the_labels_later():
    converged = played(5, 1000).converged
    assert converged["mistake"] >= 1.5 * converged["softmax-mse"]


def test_lesson_5_mistake_reaches_the_labels_later_from_other_starting_weights_too():
    preset = lesson(5).preset
    for seed in range(1, 5):
        config = preset.model_copy(update={"network": preset.network.model_copy(update={"seed": seed})})
        converged = play(config, 1500, until_converged=True).converged
        assert converged["mistake"] >= 1.5 * converged["softmax-mse"], seed


def test_lesson_5_two_classes_half():
    two = lesson(5).preset.model_copy(update={"dataset": lesson(4).preset.dataset})
    exp = experiment(two)
    for _ in range(5):
        mistake = run_frame(exp.frame().model_dump(), "mistake")["output"]
        np.testing.assert_allclose(mistake["delta"], 0.5 * np.array(mistake["delta_correct"]), rtol=2e-6,
                                   atol=1e-15)  # frames: 7 digits
        exp.advance(40, 60.0)


def test_lesson_5_with_two_classes_the_mistake_only_slows_training_down():
    two = lesson(5).preset.model_copy(update={"dataset": lesson(4).preset.dataset})
    converged = play(two, 2000, until_converged=True).converged
    assert converged["softmax-mse"] < converged["mistake"]  # it learns, later (here exactly twice as many steps)


# --- 6. When softmax does not help ----------------------------------------------------------------------

def test_lesson_6_first_layer_sums_run_into_the_hundreds_and_saturate():
    """The text: the sums w₁x₁ + … + b run into the hundreds, so every hidden σ sits at 0 or 1, σ′(z) ≈ 0."""
    exp = experiment(lesson(6).preset)
    fwd = exp.runs[0].net.forward(exp.X)
    z, a = fwd.zs[0], fwd.activations[1]
    assert np.median(np.abs(z)) > 100 and np.abs(z).min() > 50
    assert (a * (1 - a)).max() < 1e-20


def test_lesson_6_both_pictures_get_the_same_hidden_numbers():
    run = played(6, 1000)
    for r in run.exp.runs:
        hidden = r.net.forward(run.exp.X).activations[1]
        assert np.abs(hidden[0] - hidden[1]).max() < 1e-12, r.id


def test_lesson_6_every_output_layer_is_stuck():
    run = played(6, 1000)
    kinds = {r.spec.kind for r in run.exp.runs}
    assert {"softmax_ce", "softmax_mse", "sigmoid_mse", "sigmoid_bce"} <= kinds
    assert run.converged == {} and run.diverged == set()
    assert set(run.collapsed) == {r.id for r in run.exp.runs}
    for r in run.exp.runs:
        np.testing.assert_allclose(run.outputs(r.id), 0.5, atol=0.05)


def test_lesson_6_every_output_layer_stays_stuck_from_step_100():
    exp = experiment(lesson(6).preset)
    exp.advance(100, 60.0)
    while exp.step < 1000:
        for r in exp.runs:
            assert np.abs(r.net.predict(exp.X) - 0.5).max() < 0.05, (r.id, exp.step)
        exp.advance(100, 60.0)


def test_lesson_6_diagnosis_names_the_cause():
    collapsed = played(6, 1000).collapsed
    # The inputs' scale first (the lesson's own explanation), then what it does: same hidden numbers, saturation.
    assert collapsed and all(codes == ["unscaled_inputs", "identical_representations", "saturated_layer"]
                             for codes in collapsed.values())


def test_lesson_6_scaled_inputs_learn():
    item = lesson(6)
    scaled = item.try_this.config(item.preset)
    assert scaled.dataset.params == {"scaled": True} and item.try_this.command == "play"
    assert scaled.network == item.preset.network  # the same network, from the same weights
    run = played(6, 1000, try_this=True)
    assert set(run.converged) == {r.id for r in run.exp.runs}
    assert run.collapsed == {}


# --- 7. Why XOR needs a hidden layer ---------------------------------------------------------------------

def test_lesson_7_every_output_layer_is_stuck():
    run = played(7, 1000)
    assert len(run.exp.runs[0].net.W) == 1  # no hidden layer
    assert run.converged == {} and run.diverged == set()
    assert set(run.collapsed) == {r.id for r in run.exp.runs}
    for r in run.exp.runs:
        np.testing.assert_allclose(run.outputs(r.id), 0.5, atol=0.05)


def test_lesson_7_diagnosis_names_the_cause():
    collapsed = played(7, 1000).collapsed
    assert collapsed and all(codes == ["not_linearly_separable"] for codes in collapsed.values())


def test_lesson_7_hidden_layer_learns():
    item = lesson(7)
    assert item.try_this.config(item.preset).network.hidden_layers == [8]
    run = played(7, 3500, try_this=True)
    assert set(run.converged) == {r.id for r in run.exp.runs}
    assert run.converged["softmax-ce"] <= 400  # "within about 350 steps"
    assert 2000 <= run.converged["sigmoid-mse"] <= 3000  # "about 2,500"
    assert run.converged["softmax-ce"] == min(run.converged.values())
