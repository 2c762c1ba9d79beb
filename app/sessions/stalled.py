"""A mistake run stuck short of its labels: whether its own backprop stopped it, and what is true of it, measured.

A right run that stops early is not blamed on anything here; a mistake run is blamed on its mistake only where
the learner's step has shrunk while the right step, from the very same weights, has not, and nothing in the data
or the network's shape would stop the right run the same way.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from app.nn import Mistake, Network
from app.nn.diagnostics import (IDENTICAL_INPUTS, INDISTINGUISHABLE_SHARE, MEAN_LABEL_TOLERANCE, Cause, Diagnosis,
                                collapse_detail, large_inputs, no_line_fits, vector_text)
from app.nn.network import BackwardPass

# The learner's step under this share of the right step at the same weights: the mistake, not the data, stops it.
STALLED_SHARE = 0.25


def _norm(bwd: BackwardPass) -> float:
    return float(np.sqrt(sum(float(np.square(g).sum()) for g in bwd.grad_W + bwd.grad_b)))


def learner_share(net: Network, X: np.ndarray, Y: np.ndarray, learner: BackwardPass) -> float | None:
    """The size of the learner's gradient as a share of the right one's at these weights (None where the right
    one is zero: nothing to compare)."""
    right = _norm(net.gradients(X, Y)[1])
    return _norm(learner) / right if right > 0.0 and np.isfinite(right) else None


def same_first_sums(start: np.ndarray | None, now: np.ndarray) -> bool:
    """Whether the first layer's weighted inputs z still differ between examples exactly as they did at step 0."""
    if start is None:
        return False
    scale = max(float(np.abs(start).max()), 1.0)
    return bool(np.abs((now - now[:1]) - (start - start[:1])).max() < 1e-9 * scale)


def line_fits_nothing(X: np.ndarray, Y: np.ndarray) -> bool:
    """Whether the best straight-line fit of the labels (least squares) answers about the mean label for every
    input: then a network with no hidden layer, trained right, stops at the mean label too (XOR)."""
    X, Y = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    centred = X - X.mean(axis=0)
    fit = centred @ np.linalg.lstsq(centred, Y - Y.mean(axis=0), rcond=None)[0]
    return bool(np.abs(fit).max() < MEAN_LABEL_TOLERANCE)


def shared_causes(d: Diagnosis, fits_nothing: bool, nearly_identical: Cause | None,
                  scale_hint: str | None) -> list[Cause]:
    """Causes in the data or the network's shape, whatever the outputs do yet: the right run from the same weights
    meets them too, so they come before a mistake. `fits_nothing`: line_fits_nothing of the examples."""
    found = [large_inputs(d, scale_hint)] if d.inputs_too_large else []
    if d.identical_input_fraction >= INDISTINGUISHABLE_SHARE:
        found.append(IDENTICAL_INPUTS)
    if not d.has_hidden_layer and fits_nothing:
        found.append(no_line_fits(d))
    return found + ([nearly_identical] if nearly_identical else [])


def _stopped_short(d: Diagnosis, error: float, steps: int, share: float | None) -> str:
    step_share = f" Here its step is {share:.1%} of the right one's." if share is not None else ""
    return (f"The loss has stayed near {d.loss:.3g} for {steps:,} steps, with outputs still up to {error:.2g} from "
            f"their labels.{step_share}")


def shared_stop(d: Diagnosis, error: float, steps: int) -> tuple[str, str]:
    """The headline and detail of a mistake run stopped by what would stop the right run too (d.cause_list[0])."""
    if d.collapsed:
        return d.headline, collapse_detail(d)
    return "Stopped short of the labels", f"{_stopped_short(d, error, steps, None)} {d.cause_list[0].message}"


def mistake_collapse(mistake: Mistake, d: Diagnosis, error: float, share: float | None, steps: int,
                     first_sums_unchanged: bool) -> tuple[str, str]:
    """The headline and detail of a run stuck by its mistake: what is seen, then why, with its numbers."""
    on_average = bool(d.mean_output) and max(abs(o - y) for o, y in zip(d.mean_output, d.mean_label)) \
        < MEAN_LABEL_TOLERANCE
    step_share = f" Here its step is {share:.1%} of the right one's." if share is not None else ""
    if mistake.id == "examples_mixed" and on_average:
        headline = ("Stuck at the mean label" if d.outputs_at_mean_label else "Stuck at the mean label on average")
        seen = (f"Averaged over the examples, the outputs are {vector_text(d.mean_output)}, about the average of "
                f"the labels, {vector_text(d.mean_label)}, while single outputs are still up to {error:.2g} from their labels.")
        if first_sums_unchanged:
            seen += (" The first layer's weighted inputs z still differ between the examples exactly as they did at "
                     "step 0: it has not learned to tell them apart.")
        why = ("∂C/∂W was computed as (mean δ) ⊗ (mean activation), averaging before the multiplication: that step "
               "is zero wherever the examples' errors δ cancel on average, though each example's own δ ⊗ a is not, "
               f"and this run has come close to such a point.{step_share}")
        return f"{headline}: {mistake.title}", f"{seen} {why}"
    if d.collapsed:  # the other mistakes' words when the outputs themselves are stuck, as for any run
        seen = collapse_detail(replace(d, cause_list=[]))
        return f"{d.headline}: {mistake.title}", f"{seen} {mistake.sentence}".strip()
    seen = _stopped_short(d, error, steps, share)
    return f"Stopped short of the labels: {mistake.title}", f"{seen} {mistake.sentence}"
