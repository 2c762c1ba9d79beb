"""Whether a run is stuck: a collapse that lasts (with its causes, a mistake run's own mistake among them), or a long
plateau at the mean label with no cause, noted once. Experiment._step_run calls check_collapse every
COLLAPSE_CHECK_EVERY steps."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from app.nn import RUN_KINDS, Mistake, Network, OutputLayer, diagnose
from app.nn.diagnostics import Diagnosis, collapse_detail, vector_text
from app.nn.run_kinds import CLIMBS
from app.sessions.events import Event, EventCause
from app.sessions.stalled import (STALLED_SHARE, learner_share, mistake_collapse, same_first_sums, shared_causes,
                                  shared_stop)

if TYPE_CHECKING:
    from app.sessions.experiment import Experiment, Run

# A run passing through the mean label on its way to the labels looks collapsed at one check: report a collapse
# only once it has held at every check for this many steps, the loss falling by less than COLLAPSE_PROGRESS.
COLLAPSE_LASTS = 100
COLLAPSE_PROGRESS = 0.01  # of the loss where the stretch started; a plateau that is ending falls faster
# Outputs at the mean label this long with no cause of a collapse: a `plateau` note says so, once per run.
PLATEAU_NOTE_AFTER = 1000
# Causes in the data or the network's shape, which a mistake run shares with the right one: they stay the main cause.
SHARED_CAUSES = ("unscaled_inputs", "not_linearly_separable", "no_plane_fits")


def mistake_cause(mistake: Mistake) -> EventCause:
    return EventCause(id=mistake.id, headline=mistake.title, detail=mistake.sentence, suggestion=mistake.fix)


def check_collapse(exp: Experiment, run: Run) -> list[Event]:
    """The run's `collapsed` event once a collapse has lasted COLLAPSE_LASTS steps (a climbing mistake run is
    stopped as diverged instead), or its `plateau` note; [] otherwise."""
    mistake = run.mistake
    # A mistake run's gradients are the learner's: whether they vanished is judged on those.
    fwd, bwd = run.trainer.passes() if mistake else (None, None)
    diagnosis = diagnose(run.net, exp.X, exp.Y, fwd, bwd, scale_hint=exp.scale_hint)
    if mistake is not None and mistake.id in CLIMBS and diagnosis.loss > run.start_loss:
        return [exp.stop_diverged(run, exp.step, f"By step {exp.step} the loss rose from {run.start_loss:.3g} to "
                                                 f"{diagnosis.loss:.3g}: every step went uphill.")]
    found = diagnosis.cause_list
    # A mistake is blamed for a stop only where its own step has shrunk and the right one, from the same
    # weights, has not; outputs at the mean label with no cause found would hold the right run there too.
    share = learner_share(right_net(run), exp.X, exp.Y, bwd) if mistake else None
    stuck = bool(diagnosis.collapsed and found) or (share is not None and share < STALLED_SHARE)
    if not stuck:
        run.stuck_since = None  # a plateau on its way somewhere is not a collapse
        return _check_plateau(exp, run, diagnosis)
    if run.stuck_since is None or diagnosis.loss < run.stuck_loss * (1 - COLLAPSE_PROGRESS):
        run.stuck_since, run.stuck_loss = exp.step, diagnosis.loss  # still falling: it may be leaving
    if exp.step - run.stuck_since < COLLAPSE_LASTS:
        return []
    run.collapsed_at = exp.step
    if mistake is None:
        causes = [EventCause.of(c) for c in found]
        return [Event(event="collapsed", run=run.id, step=exp.step, cause=causes[0].id,
                      headline=diagnosis.headline, detail=collapse_detail(diagnosis),
                      suggestion=causes[0].suggestion, causes=causes)]
    # The data or the network's shape, which would stop the right run the same way, come before the mistake,
    # which is named first only where its own step has shrunk next to the right one.
    shared = shared_causes(diagnosis, exp.line_fits_nothing, exp.nearly_identical, exp.scale_hint)
    found = [*shared, *(c for c in found if c.code not in {s.code for s in shared})]
    blamed = not (shared or found and found[0].code in SHARED_CAUSES) and share is not None \
        and share < STALLED_SHARE
    causes = [EventCause.of(c) for c in found]
    causes.insert(0 if blamed else len(causes), mistake_cause(mistake))
    error = float(np.abs(fwd.output - exp.Y).max())
    steps = exp.step - run.stuck_since
    if blamed:
        headline, detail = mistake_collapse(mistake, diagnosis, error, share, steps,
                                            same_first_sums(run.start_sums, fwd.zs[0]))
    else:
        headline, detail = shared_stop(replace(diagnosis, cause_list=found), error, steps)
    return [Event(event="collapsed", run=run.id, step=exp.step, cause=causes[0].id, headline=headline,
                  detail=detail, suggestion=causes[0].suggestion, causes=causes)]


def right_net(run: Run) -> Network:
    """The network whose exact gradients are the right ones for this run: its own, unless its output layer
    itself computes the mistake (softmax treated as elementwise)."""
    kind = RUN_KINDS[run.spec.kind]
    return run.net.with_output(OutputLayer.from_kind(kind.right_kind)) if kind.elementwise else run.net


def _check_plateau(exp: Experiment, run: Run, diagnosis: Diagnosis) -> list[Event]:
    """A long stay at the mean label with no cause of a collapse: say that it is a plateau, and why it is slow
    when the inputs say so, rather than leave the learner wondering or call it stuck."""
    if not diagnosis.outputs_at_mean_label or diagnosis.cause_list:
        run.plateau_since = None
        return []
    if run.plateau_since is None:
        run.plateau_since = exp.step
    if run.plateau_noted or exp.step - run.plateau_since < PLATEAU_NOTE_AFTER:
        return []
    run.plateau_noted = True
    cause = exp.nearly_identical
    seen = (f"Every input has got about {vector_text(diagnosis.mean_label)}, the average of the labels, for "
            f"{exp.step - run.plateau_since:,} steps, but nothing that would make that permanent was found.")
    note = {"event": "plateau", "run": run.id, "step": exp.step, "headline": "A slow plateau"}
    if cause:
        return [Event(**note, cause=cause.code, detail=f"{seen} {cause.message}", suggestion=cause.suggestion,
                      causes=[EventCause.of(cause)])]
    other = "" if exp.regression else " or softmax + cross-entropy"  # a regression set has one fitting kind
    return [Event(**note, cause="plateau", detail=f"{seen} It may end by itself.",
                  suggestion=f"Keep training, or try a larger learning rate{other}.")]
