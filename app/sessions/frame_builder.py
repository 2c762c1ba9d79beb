"""An experiment's frames: each run's numbers (app/sessions/frames.py) with its scores, at the current weights or
from the passes the last training step already computed."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Callable

import numpy as np

from app.nn import BackwardPass, ForwardPass, Network
from app.nn.inference import named_correctly
from app.sessions.frames import Frame, LayerStats, RunPasses, empty_run_frame, layer_stats, run_frames
from app.sessions.split import confusion_matrix

if TYPE_CHECKING:
    from app.sessions.experiment import Experiment, Run

# A streamed frame's saturation and activation sizes are at most this many steps old: they move slowly, and
# computing them was a fifth of a frame's cost.
LAYER_STATS_EVERY = 10
# A streamed frame's confusion matrix is at most this many of the run's frames old (about 3 a second at 30
# frames/s); frames sent on request (step, pause, configure) compute it afresh.
CONFUSION_EVERY = 10

Passes = Callable[["Run"], tuple[ForwardPass, BackwardPass]]


def finite_or_none(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _current_passes(run: Run) -> tuple[ForwardPass, BackwardPass]:
    return run.trainer.passes()


def frame(exp: Experiment, weights: bool) -> Frame:
    """The frame at the current weights: a forward and backward pass per run."""
    return _frame(exp, exp.step, _current_passes, weights=weights)


def last_step_frame(exp: Experiment, weights: bool) -> Frame:
    """The frame of the last step taken, from the passes that step computed before its update (Experiment's
    last_step_frame says more); `weights`: this one carries them, at the current weights."""
    at = exp.step - 1
    if weights:
        # The weights and their ∂C/∂W are those the frame shows, which the update after the passes changed.
        return _frame(exp, exp.step, _current_passes, recent_stats=True, weights=True)
    if any(run.step_passes is None or run.step_passes[0] != at for run in exp.runs if run.status == "training"):
        return _frame(exp, exp.step, _current_passes)  # frame(), without the weights
    return _frame(exp, at, lambda run: run.step_passes[1:] if run.status == "training" else run.trainer.passes(),
                  recent_stats=True)


def _frame(exp: Experiment, step: int, passes: Passes, recent_stats: bool = False, weights: bool = False) -> Frame:
    # Runs that are training (or stopped before their first frame) get numbers; one stopped shows its last ones.
    fresh = [run for run in exp.runs if run.status == "training" or run.last_frame is None]
    inputs = [_run_passes(run, passes(run), step, recent_stats) for run in fresh]
    bodies = dict(zip((run.id for run in fresh), run_frames(inputs, exp.X, exp.Y, exp.config.example, weights)))
    for run, numbers in zip(fresh, inputs):
        if bodies[run.id] is not None:
            # The passes are at `step`'s weights, but those a stopped run's frame computes afresh.
            at = step if run.status == "training" else exp.step
            _score(exp, run, bodies[run.id], numbers.passes[0].output, at, fresh=not recent_stats)
        else:
            # never send a non-finite number: keep the last finite frame
            run.status, run.diverged_at = "diverged", run.diverged_at or exp.step
    runs = []
    for run in exp.runs:
        body = bodies.get(run.id)
        if body is None:
            last = run.last_frame or empty_run_frame(run.id, run.spec.kind)
            body = last.model_copy(update={"status": run.status, "converged_at": run.converged_at})
        else:
            body["status"], body["converged_at"] = run.status, run.converged_at
        runs.append(body)
    # Validated once, from plain numbers: half the cost of building each part as a model.
    frame = Frame.model_validate({"step": step, "runs": runs})
    for run, shown in zip(exp.runs, frame.runs):
        run.last_frame = shown
    return frame


def _run_passes(run: Run, passes: tuple[ForwardPass, BackwardPass], step: int, recent_stats: bool) -> RunPasses:
    stats = functools.partial(_recent_layer_stats, run, step) if recent_stats else layer_stats
    # The loss the training step measured on these very passes, when they are its own.
    loss = run.step_loss if run.step_passes is not None and passes[0] is run.step_passes[1] else None
    return RunPasses(run.id, run.spec.kind, run.net, passes, stats, loss)


@functools.lru_cache(maxsize=1024)
def _share(count: int, total: int) -> float:
    """count / total rounded to 6 digits; remembered, as round() costs a microsecond and the shares repeat."""
    return round(count / total, 6)


def _accuracy(outputs: np.ndarray, truth: np.ndarray) -> float | None:
    """split.accuracy rounded to 6 digits, the same number: the share of examples whose outputs name their class."""
    return _share(int(np.count_nonzero(named_correctly(outputs, truth))), len(truth)) if len(truth) else None


def _score(exp: Experiment, run: Run, body: dict, outputs: np.ndarray, step: int, fresh: bool) -> None:
    """Accuracy on each part, the test loss, and the confusion matrix at the weights of `step`: of the test part
    when there is one, else of the training part; afresh when `fresh`, else every CONFUSION_EVERY of the run's
    frames. A regression set has no classes: only its test loss."""
    fwd = exp.test_pass(run, step) if exp.test is not None else None
    if fwd is not None:
        body["test_loss"] = finite_or_none(run.net.loss(fwd, exp.test[1]))
    if exp.regression:
        return
    train_classes, test_classes = exp.classes
    body["accuracy"] = _accuracy(outputs, train_classes)
    scored = outputs, train_classes
    if fwd is not None:
        body["test_accuracy"] = _accuracy(fwd.output, test_classes)
        scored = fwd.output, test_classes
    age = CONFUSION_EVERY if fresh or run.confusion is None else run.confusion[0] + 1
    run.confusion = (0, confusion_matrix(*scored)) if age >= CONFUSION_EVERY else (age, run.confusion[1])
    body["confusion"] = run.confusion[1]


def _recent_layer_stats(run: Run, step: int, net: Network, fwd: ForwardPass) -> list[LayerStats]:
    """The run's layer statistics, computed afresh only every LAYER_STATS_EVERY steps."""
    if run.layer_stats is None or not 0 <= step - run.layer_stats[0] < LAYER_STATS_EVERY:
        run.layer_stats = (step, layer_stats(net, fwd))
    return run.layer_stats[1]
