"""Runs compared in lockstep: same data, same starting weights, different output layers.

Plain Python over the engine; the live session drives it from a worker thread, in short chunks.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from app import datasets
from app.datasets import Data
from app.nn import Network, OutputLayer, Trainer, diagnose, divergence_reason, gradient_check, make_optimizer
from app.nn.diagnostics import (Cause, Diagnosis, collapse_message, divergence_suggestion, nearly_identical_inputs,
                                vector_text)
from app.sessions.config import ExperimentConfig, RunSpec
from app.sessions.frames import boundary_extent, boundary_frame, boundary_points, run_frame
from app.sessions.history import DecimatedHistory

CONVERGED_ERROR = 0.1  # every output within this of its label
COLLAPSE_CHECK_EVERY = 50
COLLAPSE_CHECK_FROM = 50  # leave the first steps alone: the starting outputs mean nothing yet
# A run passing through the mean label on its way to the labels looks collapsed at one check: report a collapse
# only once it has held at every check for this many steps, the loss falling by less than COLLAPSE_PROGRESS.
COLLAPSE_LASTS = 100
COLLAPSE_PROGRESS = 0.01  # of the loss where the stretch started; a plateau that is ending falls faster
# Outputs at the mean label this long with no cause of a collapse: a `plateau` note says so, once per run.
PLATEAU_NOTE_AFTER = 1000
MINIBATCH_CHECK_EVERY = 25
BOUNDARY_SIZE = 40
GRADCHECK_MAX_EXAMPLES = 64
GRADCHECK_RELATIVE = 1e-5
GRADCHECK_ABSOLUTE = 1e-8  # central differences with h = 1e-6 are only this exact
LOSS_BLOWUP = 100.0  # a loss this many times its starting value (at least 0.1) is diverging, whatever the weights
EMPTY_RUN_FRAME: dict[str, Any] = {"loss": None, "outputs": [], "max_error": None, "layers": [], "output": {}}


@dataclass
class Event:
    event: str  # "diverged", "collapsed", "plateau", "converged" or "gradcheck"
    run: str
    step: int
    message: str  # diverged, collapsed: what is seen in one short sentence (the banner's title), then why
    suggestion: str | None = None
    causes: list[dict[str, str]] | None = None
    layers: list[dict[str, Any]] | None = None  # gradcheck: layer, relative_error, max_abs_difference, verdict


def layer_verdict(check: Any, diverged: bool) -> str:
    """One layer of a gradient check: "agrees", "wrong", or "not_meaningful" for a run that diverged.
    Where both gradients are about zero (a saturated net) the relative error alone means nothing."""
    if diverged:
        return "not_meaningful"
    wrong = check.relative_error > GRADCHECK_RELATIVE and check.max_abs_difference > GRADCHECK_ABSOLUTE
    return "wrong" if wrong else "agrees"


@dataclass
class Run:
    spec: RunSpec
    net: Network
    trainer: Trainer
    status: str = "training"  # or "diverged": frozen at its last finite state
    diverged_at: int | None = None
    loss_limit: float = float("inf")
    converged_at: int | None = None
    stuck_since: int | None = None  # the check that started the current stretch of collapsed checks
    stuck_loss: float = float("inf")  # the loss at that check
    collapsed_at: int | None = None  # the step of the `collapsed` event, once reported
    plateau_since: int | None = None  # the first of the current run of checks at the mean label with no cause
    plateau_noted: bool = False
    last_frame: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def collapse_reported(self) -> bool:
        return self.collapsed_at is not None


def _scale_hint(config: ExperimentConfig) -> str | None:
    """Where the dashboard scales this dataset's inputs: its "scaled" checkbox, when it has one that is off."""
    spec = datasets.DATASETS.get(config.dataset.name)
    has_switch = spec is not None and any(p.name == "scaled" and p.kind == "bool" for p in spec.params)
    if has_switch and config.dataset.params.get("scaled") in (False, None, "false"):
        return "in the lab: tick “scaled” under the dataset"
    return None


def converged_message(run: Run, step: int) -> str:
    """A run reached its labels; one reported collapsed before got out of that plateau after all, and says so."""
    reached = f"Run {run.id}: every output is within {CONVERGED_ERROR} of its label at step {step}."
    if run.collapsed_at is None:
        return reached
    return (f"{reached} It got out of the plateau after all: the collapse reported at step {run.collapsed_at} "
            "did not last.")


class Experiment:
    def __init__(self, config: ExperimentConfig, data: Data):
        self.config = config
        self.data = data
        self.X = data.inputs.astype(config.network.dtype)
        self.Y = data.labels.astype(config.network.dtype)
        sizes = [self.X.shape[1], *config.network.hidden_layers, self.Y.shape[1]]
        base = Network.create(sizes, config.network.hidden_activation, None, config.network.init,
                              config.network.seed, np.dtype(config.network.dtype))
        self.runs = [self._make_run(base, spec) for spec in config.runs]
        self.step = 0
        self.history = DecimatedHistory()
        self.two_d = self.X.shape[1] == 2
        self.input_scale = float(np.abs(data.inputs).max()) if data.inputs.size else 0.0
        self.scale_hint = _scale_hint(config)
        self.extent = boundary_extent(data.inputs) if self.two_d else None
        self._grid = boundary_points(self.extent, BOUNDARY_SIZE) if self.two_d else None

    def _make_run(self, base: Network, spec: RunSpec) -> Run:
        net = base.with_output(OutputLayer.from_kind(spec.kind))  # every run starts from the same numbers
        opt = spec.optimizer or self.config.optimizer
        learning_rate = spec.learning_rate or opt.learning_rate
        trainer = Trainer(net, self.X, self.Y, make_optimizer(opt.name, learning_rate, **opt.options()),
                          self.config.batch_size, seed=self.config.network.seed)
        return Run(spec, net, trainer, loss_limit=LOSS_BLOWUP * max(trainer.full_loss(), 0.1))

    @property
    def finished(self) -> bool:
        """Every run has diverged: nothing is left to train."""
        return all(run.status == "diverged" for run in self.runs)

    @property
    def layer_sizes(self) -> list[int]:
        return self.runs[0].net.layer_sizes

    def set_learning_rate(self, learning_rate: float, run_id: str | None = None) -> None:
        """Change the rate now, and in the config too, so a reset starts again with it."""
        specs = []
        for run in self.runs:
            if run_id in (None, run.id):
                run.trainer.optimizer.learning_rate = learning_rate
                run.spec = run.spec.model_copy(update={"learning_rate": learning_rate})
            specs.append(run.spec)
        self.config = self.config.model_copy(update={"runs": specs})

    # --- training --------------------------------------------------------------------------------

    def advance(self, max_steps: int, seconds: float) -> list[Event]:
        """Up to max_steps lockstep steps, stopping early after `seconds`; the events they raised."""
        events: list[Event] = []
        deadline = time.perf_counter() + seconds
        for _ in range(max_steps):
            if self.finished:
                break
            losses: list[float | None] = []
            for run in self.runs:
                loss = None
                if run.status == "training":
                    loss, raised = self._step_run(run)
                    events.extend(raised)
                losses.append(loss)
            self.history.record(self.step, losses)
            self.step += 1
            if time.perf_counter() > deadline:
                break
        return events

    def _step_run(self, run: Run) -> tuple[float | None, list[Event]]:
        """One update of one run; its loss before the update (None if it diverged) and any events."""
        step = self.step  # updates done so far: the forward pass of this step sees these weights
        result = run.trainer.step()
        reason = divergence_reason(run.net, result.loss)
        if reason is None and result.loss > run.loss_limit:
            reason = f"the loss rose to {result.loss:.3g}, over {LOSS_BLOWUP:g} times where it started"
        if reason:
            run.status, run.diverged_at = "diverged", step + 1
            lr = run.trainer.optimizer.learning_rate
            # The loss of this step was measured before the update that blew up: keep it in the history if finite.
            loss = result.loss if np.isfinite(result.loss) else None
            return loss, [Event("diverged", run.id, step + 1,
                                f"Training blew up and stopped. At step {step + 1}, {reason}.",
                                suggestion=divergence_suggestion(self.input_scale, lr, self.scale_hint))]
        events = []
        if run.converged_at is None:
            outputs = None
            if result.batch is None:
                outputs, at = result.forward.output, step
            elif step % MINIBATCH_CHECK_EVERY == 0:
                outputs, at = run.net.predict(self.X), step + 1
            if outputs is not None and np.abs(outputs - self.Y).max() < CONVERGED_ERROR:
                run.converged_at = at
                events.append(Event("converged", run.id, at, converged_message(run, at)))
        # A run that reached its labels is not stuck: no more checks (they cost a forward and backward pass).
        if (not run.collapse_reported and run.converged_at is None and step >= COLLAPSE_CHECK_FROM
                and step % COLLAPSE_CHECK_EVERY == 0):
            events.extend(self._check_collapse(run))
        return result.loss, events

    def _check_collapse(self, run: Run) -> list[Event]:
        diagnosis = diagnose(run.net, self.X, self.Y, scale_hint=self.scale_hint)
        if not diagnosis.collapsed or not diagnosis.cause_list:
            run.stuck_since = None  # a plateau on its way somewhere is not a collapse
            return self._check_plateau(run, diagnosis)
        if run.stuck_since is None or diagnosis.loss < run.stuck_loss * (1 - COLLAPSE_PROGRESS):
            run.stuck_since, run.stuck_loss = self.step, diagnosis.loss  # still falling: it may be leaving
        if self.step - run.stuck_since < COLLAPSE_LASTS:
            return []
        run.collapsed_at = self.step
        causes = [c.__dict__ for c in diagnosis.cause_list]
        return [Event("collapsed", run.id, self.step, collapse_message(diagnosis),
                      suggestion=diagnosis.cause_list[0].suggestion, causes=causes)]

    @cached_property
    def nearly_identical(self) -> Cause | None:
        """Why a plateau is slow when the inputs say so; once, as the inputs never change."""
        return nearly_identical_inputs(self.X, self.Y)

    def _check_plateau(self, run: Run, diagnosis: Diagnosis) -> list[Event]:
        """A long stay at the mean label with no cause of a collapse: say that it is a plateau, and why it is slow
        when the inputs say so, rather than leave the learner wondering or call it stuck."""
        if not diagnosis.outputs_at_mean_label or diagnosis.cause_list:
            run.plateau_since = None
            return []
        if run.plateau_since is None:
            run.plateau_since = self.step
        if run.plateau_noted or self.step - run.plateau_since < PLATEAU_NOTE_AFTER:
            return []
        run.plateau_noted = True
        cause = self.nearly_identical
        seen = (f"A slow plateau. Every input has got about {vector_text(diagnosis.mean_label)}, the average of the "
                f"labels, for {self.step - run.plateau_since:,} steps, but nothing that would make that permanent "
                "was found.")
        if cause:
            return [Event("plateau", run.id, self.step, f"{seen} {cause.message}", suggestion=cause.suggestion,
                          causes=[cause.__dict__])]
        return [Event("plateau", run.id, self.step, f"{seen} It may end by itself.",
                      suggestion="Keep training, or try a larger learning rate or softmax + cross-entropy.")]

    def current_losses(self) -> list[float | None]:
        """Each run's loss over all examples at the current step (None once it diverged)."""
        return [run.trainer.full_loss() if run.status == "training" else None for run in self.runs]

    def gradcheck(self, run_id: str | None = None) -> list[Event]:
        X, Y = self.X[:GRADCHECK_MAX_EXAMPLES], self.Y[:GRADCHECK_MAX_EXAMPLES]
        events = []
        for run in self.runs:
            if run_id in (None, run.id):
                checks = gradient_check(run.net, X, Y)
                layers = [{**c.__dict__, "verdict": layer_verdict(c, run.status == "diverged")} for c in checks]
                worst = max(c.relative_error for c in checks)
                if run.status == "diverged":
                    message = (f"Run {run.id} diverged at step {run.diverged_at}: a gradient check of its weights "
                               "is not meaningful.")
                elif any(layer["verdict"] == "wrong" for layer in layers):
                    message = f"Run {run.id}: largest relative error {worst:.1e}: backprop is WRONG here."
                else:
                    message = f"Run {run.id}: largest relative error {worst:.1e}: backprop agrees with the numbers."
                events.append(Event("gradcheck", run.id, self.step, message, layers=layers))
        return events

    # --- what the browser sees ---------------------------------------------------------------------

    def frame(self) -> dict[str, Any]:
        runs = []
        for run in self.runs:
            if run.status == "training" or run.last_frame is None:
                body = run_frame(run.net, self.X, self.Y, self.config.example)
                if body is None:
                    # never send a non-finite number: keep the last finite frame
                    run.status, run.diverged_at = "diverged", run.diverged_at or self.step
                    body = run.last_frame or EMPTY_RUN_FRAME
                run.last_frame = body
            runs.append({"id": run.id, "kind": run.spec.kind, "status": run.status,
                         "converged_at": run.converged_at, **run.last_frame})
        return {"type": "frame", "step": self.step, "runs": runs}

    def boundary_frames(self) -> list[bytes]:
        if not self.two_d:
            return []
        return [boundary_frame(run.net, self._grid, BOUNDARY_SIZE, self.step, i)
                for i, run in enumerate(self.runs) if run.status == "training"]
