"""L1 and L2 regularisation: a penalty Ω on the weights, added to the cost, and its gradient.

Weights only, never biases, as Nielsen's network2 does. With a rate λ:

    l2:  Ω = (λ/2) Σ w²      ∂Ω/∂w = λ w
    l1:  Ω = λ Σ |w|         ∂Ω/∂w = λ sign(w)   (0 at w = 0, as np.sign)

Ω is not divided by the number of examples: TensorFlow Playground's convention, so a rate means the same
whatever the batch size. (Nielsen writes (λ/2n) Σ w², so his λ is n times ours.) Playground also clips an
L1 weight that crosses 0 to exactly 0; here the gradient is the exact one, applied by every optimizer.

The total cost is C + Ω. The loss the engine reports (StepResult.loss, loss histories) stays the data's C;
Ω is reported beside it (StepResult.penalty, Trainer.penalty()).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

REGULARIZATIONS = {
    "l1": "λ Σ|w|: pushes every weight toward 0 by the same amount, so useless ones reach 0",
    "l2": "(λ/2) Σw²: shrinks every weight in proportion to its size (weight decay)",
}
MAX_REGULARIZATION_RATE = 10.0  # Playground's largest choice; λ w past this outweighs any data gradient


@dataclass(frozen=True)
class Regularization:
    kind: str  # a key of REGULARIZATIONS
    rate: float  # λ ≥ 0

    def __post_init__(self) -> None:
        if self.kind not in REGULARIZATIONS:
            raise ValueError(f"unknown regularization {self.kind!r}; allowed: {', '.join(REGULARIZATIONS)}")
        if not (np.isfinite(self.rate) and self.rate >= 0):
            raise ValueError(f"the regularization rate must be a finite number, 0 or more; got {self.rate!r}")

    def penalty(self, W: list[np.ndarray]) -> float:
        """Ω for the weight matrices W."""
        if self.kind == "l2":
            return 0.5 * self.rate * sum(float(np.vdot(w, w)) for w in W)
        return self.rate * sum(float(np.abs(w).sum()) for w in W)

    def add_gradient(self, W: list[np.ndarray], grad_W: list[np.ndarray]) -> None:
        """grad_W[l] += ∂Ω/∂W[l], in place: ∂C/∂W becomes ∂(C + Ω)/∂W."""
        for w, g in zip(W, grad_W):
            g += self.rate * (w if self.kind == "l2" else np.sign(w))


def make_regularization(kind: str | None, rate: float) -> Regularization | None:
    """The penalty to apply, or None when there is none: no kind, or a rate of 0 (then nothing is computed)."""
    if kind is None:
        return None
    found = Regularization(kind, float(rate))  # checks both, even when the rate is 0
    return found if found.rate > 0 else None
