"""A mistake run stuck short of its labels: whether its own backprop stopped it, and what is true of it, measured.

A right run that stops early is not blamed on anything here; a mistake run is blamed on its mistake only where
the learner's step has shrunk while the right step, from the very same weights, has not.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from app.nn import Mistake, Network
from app.nn.diagnostics import MEAN_LABEL_TOLERANCE, Diagnosis, collapse_detail, vector_text
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
    seen = (f"The loss has stayed near {d.loss:.3g} for {steps:,} steps, with outputs still up to {error:.2g} from "
            f"their labels.{step_share}")
    return f"Stopped short of the labels: {mistake.title}", f"{seen} {mistake.sentence}"
