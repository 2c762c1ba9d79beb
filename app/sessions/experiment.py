"""Runs compared in lockstep: same data, same starting weights, different output layers.

Plain Python over the engine; the live session drives it in short chunks (on the event loop's turns when they
are cheap, else on the training thread: app/web/live/).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterator

import numpy as np

from app import datasets
from app.datasets import Data
from app.nn import (MISTAKES, RUN_KINDS, BackwardPass, ForwardPass, Mistake, Network, OutputLayer, Trainer,
                    gradient_check, make_optimizer, make_regularization)
from app.nn.diagnostics import Cause, divergence_suggestion, nearly_identical_inputs
from app.nn.gradcheck import central_differences
from app.nn.run_kinds import CLIMBS
from app.nn.training import largest_value
from app.sessions.config import ConfigError, ExperimentConfig, RunSpec, dataset_split, network_inputs
from app.sessions import collapse_checks, frame_builder
from app.sessions.collapse_checks import check_collapse, mistake_cause
from app.sessions.events import Event, GradcheckLayer, SwingWatch, with_last_finite
from app.sessions.frame_builder import finite_or_none
from app.sessions.frames import (Frame, LayerStats, RunFrame, boundary_extent, boundary_frame, boundary_points,
                                 neuron_maps_frame)
from app.sessions.history import DecimatedHistory
from app.nn.inference import classes_of
from app.sessions.split import Split
from app.sessions.stalled import line_fits_nothing

CONVERGED_ERROR = 0.1  # every output within this of its label
COLLAPSE_CHECK_EVERY = 50
COLLAPSE_CHECK_FROM = 50  # leave the first steps alone: the starting outputs mean nothing yet
MINIBATCH_CHECK_EVERY = 25
# Read from here by `hello` and the tests; they live where they are used.
COLLAPSE_LASTS, PLATEAU_NOTE_AFTER = collapse_checks.COLLAPSE_LASTS, collapse_checks.PLATEAU_NOTE_AFTER
LAYER_STATS_EVERY, CONFUSION_EVERY = frame_builder.LAYER_STATS_EVERY, frame_builder.CONFUSION_EVERY
# The loss history's test losses: one forward pass of the test part every this many steps (a power of two, so
# they stay on the steps the history keeps as it thins).
TEST_LOSS_EVERY = 8
BOUNDARY_SIZE = 40
GRADCHECK_MAX_EXAMPLES = 64
GRADCHECK_PART = 16  # parameters nudged between two looks at the clock
GRADCHECK_RELATIVE = 1e-5
GRADCHECK_ABSOLUTE = 1e-8  # central differences with h = 1e-6 are only this exact
LOSS_BLOWUP = 100.0  # a loss this many times its starting value (at least 0.1) is diverging, whatever the weights
BOUNDARY_FORMAT = "b'BLB1', u32 step, u16 run, u16 classes, u16 width, u16 height, float32 data"
# Weights in frames (issue 19): every frame sent on request, and every WEIGHTS_EVERY-th streamed frame (2 a
# second at 30 frames/s), for networks of at most MAX_WEIGHT_PARAMETERS (a larger one's links are not all drawn).
WEIGHTS_EVERY = 15
MAX_WEIGHT_PARAMETERS = 1_000
# Per-neuron maps of 2-D sets: every hidden unit over a NEURON_MAPS_SIZE² grid, at most NEURON_MAPS_PER_SECOND times
# a second, for networks of at most MAX_NEURON_MAP_UNITS hidden units (thumbnails, not a grid of hundreds).
NEURON_MAPS_SIZE = 20
NEURON_MAPS_PER_SECOND = 2.0
MAX_NEURON_MAP_UNITS = 16


class RunUnavailable(ValueError):
    """A command names a run that is not there, or whose weights are no longer numbers."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code  # "unknown_run" or "run_diverged"
        self.message = message


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
    start_loss: float = float("inf")
    start_sums: np.ndarray | None = field(default=None, repr=False)  # a mistake run's first-layer z at step 0
    last_frame: RunFrame | None = field(default=None, repr=False)
    # (step, forward, backward) of the last full-batch step: the trainer's buffers, valid until its next step.
    step_passes: tuple[int, ForwardPass, BackwardPass] | None = field(default=None, repr=False)
    step_loss: float = math.nan  # the loss that step measured on those passes
    # With a test part: the weights before the last full-batch update (the weights of step_passes' step), and the
    # test part's last forward pass (step, pass), so a streamed frame's test numbers cost one pass of the test part.
    weights_before: Network | None = field(default=None, repr=False)
    test_pass: tuple[int, ForwardPass] | None = field(default=None, repr=False)
    layer_stats: tuple[int, list[LayerStats]] | None = field(default=None, repr=False)  # (step, stats)
    confusion: tuple[int, list[list[int]] | None] | None = field(default=None, repr=False)  # (frames ago, matrix)
    swings: SwingWatch = field(default_factory=SwingWatch, repr=False)  # for an `oscillating` event

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def collapse_reported(self) -> bool:
        return self.collapsed_at is not None

    @property
    def mistake(self) -> Mistake | None:
        """The learner's mistake this run trains under, if it is a mistake kind."""
        mistake = RUN_KINDS[self.spec.kind].mistake
        return MISTAKES[mistake] if mistake else None


def _scale_hint(config: ExperimentConfig) -> str | None:
    """Where the dashboard scales this dataset's inputs: its "scaled" checkbox, when it has one that is off."""
    spec = datasets.DATASETS.get(config.dataset.name)
    if spec is not None and datasets.inputs_unscaled(spec, config.dataset.params):
        return "in the lab: tick “scaled” under the dataset"
    return None


def converged_event(run: Run, step: int) -> Event:
    """A run reached its labels; one reported collapsed before got out of that plateau after all, and says so."""
    detail = f"Every output is within {CONVERGED_ERROR} of its label at step {step}."
    if run.collapsed_at is not None:
        detail += (f" It got out of the plateau after all: the collapse reported at step {run.collapsed_at} "
                   "did not last.")
    return Event(event="converged", run=run.id, step=step, cause="converged", headline="Reached the labels",
                 detail=detail)


class Experiment:
    def __init__(self, config: ExperimentConfig, data: Data, start: Network | None = None, split: Split | None = None):
        """`start`: given starting weights (config.start, checked by start_network), else seeded ones. `split`: the
        one checked_data checked, else computed here."""
        self.config = config
        self.data = data
        self.start = start
        self.split = split or dataset_split(config.dataset, data)
        # Runs train on the training part only; the test part (None without one) is only ever measured.
        inputs = network_inputs(config.dataset, data.inputs)  # the input features, when chosen
        self.X = inputs[self.split.train].astype(config.network.dtype)
        self.Y = data.labels[self.split.train].astype(config.network.dtype)
        self.test = None
        if len(self.split.test):
            self.test = (inputs[self.split.test].astype(config.network.dtype),
                         data.labels[self.split.test].astype(config.network.dtype))
        sizes = [self.X.shape[1], *config.network.hidden_layers, self.Y.shape[1]]
        base = start or Network.create(sizes, config.network.hidden_activation, None, config.network.init,
                                       config.network.seed, np.dtype(config.network.dtype))
        self.runs = [self._make_run(base, spec) for spec in config.runs]
        self.step = 0
        self._step_losses: list[float | None] = []  # of the runs already updated in a step a chunk stopped in
        self._step_tests: list[float | None] = []  # the test losses of that step, measured before its updates
        # Each example's class, training part then test part: what accuracy and the confusion matrix compare with.
        self.classes = (classes_of(self.Y), classes_of(self.test[1]) if self.test is not None else None)
        self.history = DecimatedHistory()
        self.two_d = data.inputs.shape[1] == 2  # points in the plane, whatever features the network reads
        self.regression = data.task == "regression"  # continuous targets: no accuracy, no classes to confuse
        self.input_scale = largest_value(inputs)
        self.scale_hint = _scale_hint(config)
        self.extent = boundary_extent(data.inputs) if self.two_d else None
        # The grid's points go through the same features as the examples.
        self._grid = network_inputs(config.dataset, boundary_points(self.extent, BOUNDARY_SIZE)) if self.two_d else None
        self._neuron_grid = (network_inputs(config.dataset, boundary_points(self.extent, NEURON_MAPS_SIZE))
                             if self.two_d else None)
        self._neuron_maps_at = -math.inf  # when neuron maps were last built (time.monotonic)
        self._streamed_frames = 0

    def _make_run(self, base: Network, spec: RunSpec) -> Run:
        net = base.with_output(OutputLayer.from_kind(spec.kind))  # every run starts from the same numbers
        opt = spec.optimizer or self.config.optimizer
        learning_rate = spec.learning_rate or opt.learning_rate
        trainer = Trainer(net, self.X, self.Y, make_optimizer(opt.name, learning_rate, **opt.options()),
                          self.config.batch_size, seed=self.config.network.seed,
                          mistake=RUN_KINDS[spec.kind].trained_mistake,
                          regularization=self.config.regularization,
                          regularization_rate=self.config.regularization_rate)
        start_loss = trainer.full_loss()
        start_sums = net.forward(self.X).zs[0] if RUN_KINDS[spec.kind].mistake else None
        return Run(spec, net, trainer, loss_limit=LOSS_BLOWUP * max(start_loss, 0.1), start_loss=start_loss,
                   start_sums=start_sums)

    @property
    def finished(self) -> bool:
        """Every run has diverged: nothing is left to train."""
        return all(run.status == "diverged" for run in self.runs)

    @property
    def layer_sizes(self) -> list[int]:
        return self.runs[0].net.layer_sizes

    @property
    def run_ids(self) -> list[str]:
        return [run.id for run in self.runs]

    @property
    def example_count(self) -> int:
        return len(self.X)

    @property
    def parameter_count(self) -> int:
        return self.runs[0].net.parameter_count

    def restarted(self) -> Experiment:
        """The same experiment back at step 0, with the same starting weights (and any changed rates)."""
        return Experiment(self.config, self.data, self.start, self.split)

    @property
    def weights_in_frames(self) -> bool:
        return self.parameter_count <= MAX_WEIGHT_PARAMETERS

    @property
    def neuron_maps_shown(self) -> bool:
        hidden = self.layer_sizes[1:-1]
        return self.two_d and 0 < sum(hidden) <= MAX_NEURON_MAP_UNITS

    def set_weight(self, run_id: str, layer: int, j: int, k: int, value: float) -> None:
        """w_jk of weight layer `layer` of one run, from now on (training goes on from it). RunUnavailable for a run
        not there or stopped; ConfigError naming the index out of range."""
        run = self.run_with_numbers(run_id)
        if run.status != "training":
            raise RunUnavailable("run_diverged", f"run {run.id} diverged and stopped; reset it first")
        if layer >= len(run.net.W):
            raise ConfigError("layer", f"the network has {len(run.net.W)} weight layers; layer must be below that")
        n_out, n_in = run.net.W[layer].shape
        if j >= n_out:
            raise ConfigError("j", f"layer {layer} leads to {n_out} units; j must be below that")
        if k >= n_in:
            raise ConfigError("k", f"layer {layer} reads {n_in} units; k must be below that")
        run.net.W[layer][j, k] = value
        run.step_passes = run.test_pass = None  # they were of the weights before the edit
        self._neuron_maps_at = -math.inf  # the next grids show the edit

    def select_example(self, example: int) -> None:
        """The example whose numbers the frames' `output` shows; the next frame is built afresh."""
        self.config = self.config.model_copy(update={"example": example})
        for run in self.runs:
            run.last_frame = None

    def run_with_numbers(self, run_id: str) -> Run:
        """The run a `save` or `model` command names; RunUnavailable if it is not there or not finite."""
        run = next((run for run in self.runs if run.id == run_id), None)
        if run is None:
            raise RunUnavailable("unknown_run", f"there is no run {run_id!r}; runs: {', '.join(self.run_ids)}")
        if not all(np.isfinite(param).all() for param in run.net.parameters):
            raise RunUnavailable("run_diverged", f"run {run.id} diverged and its weights are no longer finite "
                                                 "numbers; reset it first")
        return run

    def default_model_name(self, run: Run) -> str:
        return f"{run.spec.kind} on {self.config.dataset.name}, step {self.step}"

    def loss_history(self) -> tuple[list[int], list[list[float | None]], list[list[float | None]] | None]:
        """The loss history (every step up to history.CAPACITY, then decimated), ending at the current step (the
        history holds steps taken), and the test losses at the same steps (None where not measured; no list at all
        without a test part)."""
        steps, values = self.history.rows()
        if not steps or steps[-1] < self.step:
            steps.append(self.step)
            values.append(self.current_losses() + self._test_losses())
        if self.test is None:
            return steps, values, None
        n = len(self.runs)
        return steps, [row[:n] for row in values], [row[n:] for row in values]

    @property
    def loss_measured_on(self) -> str:
        """What a step's loss in the history is of: the step's mini-batch (or one example), or the training set."""
        return "batch" if self.runs[0].trainer.batch_size is not None else "training_set"

    def _test_losses(self, due: bool = True) -> list[float | None]:
        """Each run's loss on the test part ([] without one; None for a diverged run, or when not `due`)."""
        if self.test is None:
            return []
        return [finite_or_none(run.net.loss(self.test_pass(run, self.step), self.test[1]))
                if due and run.status == "training" else None for run in self.runs]

    def test_pass(self, run: Run, step: int) -> ForwardPass:
        """The test part's forward pass at the weights of `step`: the current step's, or the one before (the
        weights kept before the last update); computed once per step, for the history and the frame alike."""
        if run.test_pass is None or run.test_pass[0] != step:
            net = run.net if step == self.step else run.weights_before
            run.test_pass = (step, net.forward(self.test[0]))
        return run.test_pass[1]

    def set_learning_rate(self, learning_rate: float, run_id: str | None = None) -> None:
        """Change the rate now, and in the config too, so a reset starts again with it."""
        specs = []
        for run in self.runs:
            if run_id in (None, run.id):
                run.trainer.optimizer.learning_rate = learning_rate
                run.spec = run.spec.model_copy(update={"learning_rate": learning_rate})
            specs.append(run.spec)
        self.config = self.config.model_copy(update={"runs": specs})

    def set_regularization_rate(self, rate: float) -> None:
        """Change every run's λ now, and in the config too, so a reset keeps it; ConfigError without a kind."""
        if rate > 0 and self.config.regularization is None:
            raise ConfigError("regularization_rate", "a rate above 0 needs a regularization: l1 or l2; choose one "
                                                     "(that starts training again)")
        for run in self.runs:
            run.trainer.regularization = make_regularization(self.config.regularization, rate)
        self.config = self.config.model_copy(update={"regularization_rate": rate})

    # --- training --------------------------------------------------------------------------------

    @property
    def mid_step(self) -> bool:
        """A chunk stopped between two runs' updates: the runs are not all at `step` (finish_step() mends it)."""
        return bool(self._step_losses)

    def advance(self, max_steps: int, seconds: float) -> list[Event]:
        """Up to max_steps lockstep steps, stopping early after `seconds`; the events they raised. Until the chunk
        has taken one whole step it may also stop between two runs (one step of a large experiment outlasts a
        chunk); the next chunk finishes that step first, so runs are never more than one update apart."""
        events: list[Event] = []
        deadline = time.perf_counter() + seconds
        whole = False  # a step begun and finished in this chunk
        for _ in range(max_steps):
            if self.finished and not self.mid_step:
                break
            begun_here = not self.mid_step
            if begun_here and self.test is not None:
                due = self.step % TEST_LOSS_EVERY == 0 and self.step % self.history.stride == 0  # a row it keeps
                self._step_tests = self._test_losses(due)
            for run in self.runs[len(self._step_losses):]:
                loss = None
                if run.status == "training":
                    loss, raised = self._step_run(run)
                    events.extend(raised)
                self._step_losses.append(loss)
                # Stopped runs left in the step cost nothing: finish it rather than leave every run stopped
                # at a half-done step, which a frame would then show.
                rest = self.runs[len(self._step_losses):]
                if not whole and any(r.status == "training" for r in rest) and time.perf_counter() > deadline:
                    return events
            self.history.record(self.step, self._step_losses + self._step_tests)
            self.step, self._step_losses = self.step + 1, []
            whole = whole or begun_here
            if time.perf_counter() > deadline:
                break
        return events

    def finish_step(self) -> list[Event]:
        """The rest of a step a chunk stopped in (nothing when every run is at `step`): its events."""
        return self.advance(1, math.inf) if self.mid_step else []

    def _step_run(self, run: Run) -> tuple[float | None, list[Event]]:
        """One update of one run; its loss before the update (None if it diverged) and any events."""
        step = self.step  # updates done so far: the forward pass of this step sees these weights
        if self.test is not None and run.trainer.batch_size is None:
            # A streamed frame of this step measures the test part at these weights (last_step_frame).
            if run.weights_before is None:
                run.weights_before = run.net.copy()
            else:
                np.copyto(run.weights_before.theta, run.net.theta)
        result = run.trainer.step()
        run.step_passes = (step, result.forward, result.backward) if result.batch is None else None
        run.step_loss = result.loss
        reason = run.trainer.divergence(result.loss)
        if reason is None and result.loss > run.loss_limit:
            reason = f"the loss rose to {result.loss:.3g}, over {LOSS_BLOWUP:g} times where it started"
        if reason:
            # The loss of this step was measured before the update that blew up: keep it in the history if finite.
            loss = result.loss if np.isfinite(result.loss) else None
            return loss, with_last_finite([self.stop_diverged(run, step + 1, f"At step {step + 1}, {reason}.")], step,
                                          loss)
        events = []
        if result.batch is None:  # a mini-batch's loss swings by itself
            run.swings.add(result.loss)
        if run.converged_at is None:
            outputs = None
            if result.batch is None:
                outputs, at = result.forward.output, step
            elif step % MINIBATCH_CHECK_EVERY == 0:
                outputs, at = run.net.predict(self.X), step + 1
            if outputs is not None and np.abs(outputs - self.Y).max() < CONVERGED_ERROR:
                run.converged_at = at
                events.append(converged_event(run, at))
        if run.converged_at is None and step % COLLAPSE_CHECK_EVERY == 0:
            events.extend(run.swings.check(run.id, step, run.trainer.optimizer.learning_rate))
        # A run that reached its labels is not stuck: no more checks (they cost a forward and backward pass).
        if (not run.collapse_reported and run.converged_at is None and step >= COLLAPSE_CHECK_FROM
                and step % COLLAPSE_CHECK_EVERY == 0):
            events.extend(with_last_finite(check_collapse(self, run), step, result.loss))
        return result.loss, events

    def stop_diverged(self, run: Run, step: int, what: str) -> Event:
        """Stop a run that blew up (or, under a mistake that climbs, went uphill), and say why."""
        run.status, run.diverged_at = "diverged", step
        mistake = run.mistake
        if mistake is not None and mistake.id in CLIMBS:
            return Event(event="diverged", run=run.id, step=step, cause=mistake.id,
                         headline=f"Climbing the cost: {mistake.title}", detail=f"{what} {mistake.sentence}",
                         suggestion=mistake.fix, causes=[mistake_cause(mistake)])
        lr = run.trainer.optimizer.learning_rate
        return Event(event="diverged", run=run.id, step=step, cause="diverged", headline="Training blew up and stopped",
                     detail=what, suggestion=divergence_suggestion(self.input_scale, lr, self.scale_hint))

    @cached_property
    def line_fits_nothing(self) -> bool:
        """Whether a straight line fits nothing of the labels; once, as the examples never change."""
        return line_fits_nothing(self.X, self.Y)

    @cached_property
    def nearly_identical(self) -> Cause | None:
        """Why a plateau is slow when the inputs say so; once, as the inputs never change."""
        return nearly_identical_inputs(self.X, self.Y)

    def current_losses(self) -> list[float | None]:
        """Each run's loss over all examples at the current step (None once it diverged)."""
        return [run.trainer.full_loss() if run.status == "training" else None for run in self.runs]

    def gradcheck(self, run_id: str | None = None) -> list[Event]:
        events = []
        for run in self.runs:
            if run_id in (None, run.id):
                *_, last = self.gradcheck_parts(run.id, math.inf)
                events += last
        return events

    def gradcheck_parts(self, run_id: str, seconds: float) -> Iterator[list[Event]]:
        """The gradient check of one run in parts of about `seconds` each, so that a large one does not hold the
        training threads: [] after each part but the last, which gives the run's `gradcheck` event."""
        X, Y = self.X[:GRADCHECK_MAX_EXAMPLES], self.Y[:GRADCHECK_MAX_EXAMPLES]
        run = next(run for run in self.runs if run.id == run_id)
        # The cost the run descends, C + Ω with its regularisation: what its passes' gradients are of.
        penalty = run.trainer.regularization
        kind, rate = (penalty.kind, penalty.rate) if penalty else (None, 0.0)
        nudged = run.net.copy(np.float64)
        numeric = nudged.copy()  # its θ gets the central differences: its W and b are then ∂C/∂W and ∂C/∂b
        done, size = 0, nudged.theta.size
        deadline = time.perf_counter() + seconds
        while done < size:
            part = range(done, min(done + GRADCHECK_PART, size))
            numeric.theta[part.start : part.stop] = central_differences(nudged, X, Y, part, penalty=penalty)
            done = part.stop
            if done < size and time.perf_counter() > deadline:
                yield []
                deadline = time.perf_counter() + seconds
        # A mistake run's backprop is the learner's: that is what the numbers check.
        checks = gradient_check(run.net, X, Y, backward=run.trainer.passes(X, Y)[1] if run.mistake else None,
                                regularization=kind, regularization_rate=rate, numeric=(numeric.W, numeric.b))
        layers = [GradcheckLayer(layer=c.layer, relative_error=c.relative_error,
                                 max_abs_difference=c.max_abs_difference,
                                 verdict=layer_verdict(c, run.status == "diverged")) for c in checks]
        worst = max(c.relative_error for c in checks)
        if run.status == "diverged":
            verdict, headline = "not_meaningful", "A gradient check is not meaningful here"
            detail = f"The run diverged at step {run.diverged_at}: its weights are no longer meaningful."
        else:
            wrong = any(layer.verdict == "wrong" for layer in layers)
            verdict = "wrong" if wrong else "agrees"
            headline = "Backprop is WRONG here" if wrong else "Backprop agrees with the numbers"
            detail = f"Largest relative error {worst:.1e}."
        yield [Event(event="gradcheck", run=run.id, step=self.step, cause=verdict, headline=headline, detail=detail,
                     layers=layers)]

    # --- what the browser sees ---------------------------------------------------------------------

    def frame(self) -> Frame:
        """The frame at the current weights: a forward and backward pass per run."""
        return frame_builder.frame(self, weights=self.weights_in_frames)

    def last_step_frame(self) -> Frame:
        """The frame of the last step taken, built from the passes that step computed before its update: the
        numbers frame() gave at that step, without another forward and backward pass. frame() when a run has no
        such passes (mini-batches, nothing trained yet). Its layers' saturation and activation sizes may be up to
        LAYER_STATS_EVERY steps old."""
        self._streamed_frames += 1  # the first frame, sent on request, had the weights: the Nth streamed one next
        weights = self.weights_in_frames and self._streamed_frames % WEIGHTS_EVERY == 0
        return frame_builder.last_step_frame(self, weights)

    def boundary_info(self) -> dict[str, Any] | None:
        """The boundary grid's size, extent and format, for 2-D data."""
        if not self.two_d:
            return None
        return {"size": BOUNDARY_SIZE, "extent": list(self.extent), "format": BOUNDARY_FORMAT}

    def boundary_frames(self) -> list[bytes]:
        if not self.two_d:
            return []
        frames = [boundary_frame(run.net, self._grid, BOUNDARY_SIZE, self.step, i)
                  for i, run in enumerate(self.runs) if run.status == "training"]
        now = time.monotonic()
        if self.neuron_maps_shown and now - self._neuron_maps_at >= 1 / NEURON_MAPS_PER_SECOND:
            self._neuron_maps_at = now
            frames += [neuron_maps_frame(run.net, self._neuron_grid, NEURON_MAPS_SIZE, self.step, i)
                       for i, run in enumerate(self.runs) if run.status == "training"]
        return frames
