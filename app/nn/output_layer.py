"""The output layer and its loss, together: they decide δᴸ = ∂c/∂zᴸ.

This is the learner's question made into code. With sigmoid in every layer and the quadratic
cost, δᴸ = (a − y) ⊙ σ'(z). Softmax has no σ'(z): each aᵢ depends on every zⱼ, so its
derivative is a matrix, the Jacobian J = diag(a) − a aᵀ, and the general rule is

    δᴸ = Jᵀ ∂c/∂a.

Two pairings simplify exactly: softmax + cross-entropy and sigmoid + binary cross-entropy both
give δᴸ = a − y. Softmax + quadratic cost keeps the whole Jacobian. Treating softmax as if it
were elementwise, (a − y) ⊙ a(1 − a), is a mistake; it is kept here, by name, only so the
dashboard can show it beside the right answer.

Examples are rows: z, a and y have shape (N, k); costs are per example, shape (N,).
Functions with an `out` argument write their result there when given one (training's reused buffers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.nn.activations import sigmoid
from app.nn.run_kinds import RUN_KINDS, run_kind

OUTPUT_ACTIVATIONS = ("sigmoid", "softmax", "linear")
LOSSES = ("mse", "binary_cross_entropy", "cross_entropy")
ALLOWED_LOSSES = {
    "sigmoid": ("mse", "binary_cross_entropy"),
    "softmax": ("mse", "cross_entropy"),
    "linear": ("mse",),
}


def softmax(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    # Subtracting the row max changes nothing mathematically and keeps exp() from overflowing.
    e = np.subtract(z, z.max(axis=1, keepdims=True), out=out)
    np.exp(e, out=e)  # in place: training passes `out`, a buffer it reuses every step
    e /= e.sum(axis=1, keepdims=True)
    return e


def log_softmax(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """log aⱼ = zⱼ − log Σₖ e^zₖ, computed from z: finite even where aⱼ itself underflows to 0."""
    shifted = np.subtract(z, np.maximum.reduce(z, axis=1, keepdims=True), out=out)
    log_sum = np.add.reduce(np.exp(shifted), axis=1, keepdims=True)
    shifted -= np.log(log_sum, out=log_sum)
    return shifted


def softmax_jacobian(a: np.ndarray) -> np.ndarray:
    """J[n, i, j] = ∂aᵢ/∂zⱼ = aᵢ(δᵢⱼ − aⱼ) for each example n: shape (N, k, k)."""
    return np.einsum("ni,ij->nij", a, np.eye(a.shape[1], dtype=a.dtype)) - np.einsum("ni,nj->nij", a, a)


def loss_mismatch_message(activation: str, loss: str) -> str | None:
    """None when the pairing is allowed, else a sentence a learner can act on."""
    if activation not in ALLOWED_LOSSES:
        return f"unknown output activation {activation!r}; allowed: {', '.join(OUTPUT_ACTIVATIONS)}"
    if loss not in LOSSES:
        return f"unknown loss {loss!r}; allowed: {', '.join(LOSSES)}"
    if loss in ALLOWED_LOSSES[activation]:
        return None
    if loss == "cross_entropy":
        return (
            "cross_entropy needs a softmax output layer; with a sigmoid output use "
            "binary_cross_entropy or mse, with a linear output use mse"
        )
    if loss == "binary_cross_entropy":
        return (
            "binary_cross_entropy needs a sigmoid output layer; with a softmax output use "
            "cross_entropy or mse, with a linear output use mse"
        )
    return f"{loss} does not fit a {activation} output layer; allowed: {', '.join(ALLOWED_LOSSES[activation])}"


def _bce_per_unit(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    # -[y log σ(z) + (1-y) log(1-σ(z))] = max(z,0) - y z + log(1 + e^{-|z|})
    return np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z)))


@dataclass(frozen=True)
class OutputLayer:
    activation: str = "softmax"
    loss: str = "cross_entropy"
    elementwise_mistake: bool = False  # softmax with σ'-style derivative: wrong on purpose

    def __post_init__(self) -> None:
        problem = loss_mismatch_message(self.activation, self.loss)
        if problem:
            raise ValueError(problem)
        if self.elementwise_mistake and (self.activation, self.loss) != ("softmax", "mse"):
            raise ValueError("the elementwise mistake exists only for softmax with mse")

    @classmethod
    def from_kind(cls, kind: str) -> "OutputLayer":
        """The output layer of a run kind; a mistake the trainer applies (RunKind.trained_mistake) is not in it."""
        spec = run_kind(kind)
        return cls(spec.activation, spec.loss, spec.elementwise)

    @property
    def kind(self) -> str | None:
        """The run kind this output layer trains on its own: the right one, or the elementwise mistake."""
        return next((k for k, v in RUN_KINDS.items() if (v.activation, v.loss) == (self.activation, self.loss)
                     and v.trained_mistake is None and v.elementwise == self.elementwise_mistake), None)

    @property
    def delta_formula(self) -> str:
        """δᴸ as the learner would write it for this pairing."""
        if self.elementwise_mistake:
            return "(a − y) ⊙ a(1 − a)   ✗ wrong for softmax"
        return {
            ("sigmoid", "mse"): "(a − y) ⊙ σ'(z)",
            ("sigmoid", "binary_cross_entropy"): "a − y",
            ("softmax", "cross_entropy"): "a − y",
            ("softmax", "mse"): "Jᵀ (a − y),  J = diag(a) − a aᵀ",
            ("linear", "mse"): "a − y",
        }[(self.activation, self.loss)]

    # --- forward ---------------------------------------------------------------------------

    def activate(self, z: np.ndarray, out: np.ndarray | None = None, log_out: np.ndarray | None = None) -> np.ndarray:
        """aᴸ from zᴸ. Given `log_out`, softmax also leaves log aᴸ there (for the cross-entropy, which then
        costs one dot product) and takes a = e^(log a): one exp instead of a division, the same numbers."""
        if self.activation == "sigmoid":
            return sigmoid(z, out)
        if self.activation == "softmax":
            if log_out is None:
                return softmax(z, out)
            return np.exp(log_softmax(z, log_out), out=out)
        if out is None:
            return z
        np.copyto(out, z)
        return out

    def costs(self, z: np.ndarray, a: np.ndarray, y: np.ndarray, log_a: np.ndarray | None = None) -> np.ndarray:
        """Per-example cost c_n. Cross-entropies are computed from z (or from log_a = log_softmax(z), when the
        forward pass kept it), so they stay finite."""
        if self.loss == "mse":
            d = a - y
            return 0.5 * np.einsum("ni,ni->n", d, d)
        if self.loss == "binary_cross_entropy":
            return _bce_per_unit(z, y).sum(axis=1)
        return -(y * (log_softmax(z) if log_a is None else log_a)).sum(axis=1)

    def mean_cost(self, z: np.ndarray, a: np.ndarray, y: np.ndarray, log_a: np.ndarray | None = None) -> float:
        """C, the mean of costs(): the same sums done as one dot product over every example at once."""
        n = len(y)
        if self.loss == "mse":
            d = (a - y).ravel()
            return 0.5 * float(np.dot(d, d)) / n
        if self.loss == "binary_cross_entropy":
            return float(_bce_per_unit(z, y).sum()) / n
        log_a = log_softmax(z) if log_a is None else log_a
        return -float(np.vdot(y, log_a)) / n

    # --- δᴸ ------------------------------------------------------------------------------------

    def cost_gradient(self, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """∂c/∂a per example (infinite where a cross-entropy meets a saturated output)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.loss == "mse":
                return a - y
            if self.loss == "binary_cross_entropy":
                return (a - y) / (a * (1.0 - a))
            return -y / a

    def activation_jacobian(self, a: np.ndarray) -> np.ndarray:
        """∂a/∂z per example, shape (N, k, k): diagonal except for softmax."""
        if self.activation == "softmax":
            return softmax_jacobian(a)
        diagonal = a * (1.0 - a) if self.activation == "sigmoid" else np.ones_like(a)
        return np.einsum("ni,ij->nij", diagonal, np.eye(a.shape[1], dtype=a.dtype))

    def delta_general(self, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The textbook rule δᴸ = Jᵀ ∂c/∂a, with the Jacobian built in full. For checking and teaching."""
        return np.einsum("nij,ni->nj", self.activation_jacobian(a), self.cost_gradient(a, y))

    def delta(self, z: np.ndarray, a: np.ndarray, y: np.ndarray, out: np.ndarray | None = None,
              label_sums: np.ndarray | None = None) -> np.ndarray:
        """δᴸ as training uses it: the exact simplification for each pairing (written into `out` if given).
        `label_sums`, Σⱼ yⱼ per example with shape (N, 1), saves the cross-entropy recomputing it every step."""
        if self.loss == "cross_entropy":
            # δᴸ = a Σy − y, which is a − y whenever a label row sums to 1 (one-hot labels always do).
            if label_sums is None:
                label_sums = y.sum(axis=1, keepdims=True)
            delta = np.multiply(a, label_sums, out=out)
            delta -= y
            return delta
        error = np.subtract(a, y, out=out)
        if self.loss == "binary_cross_entropy" or self.activation == "linear":
            return error  # sigmoid+BCE and linear+MSE: δᴸ = a − y exactly
        if self.activation == "sigmoid" or self.elementwise_mistake:
            error *= a  # (a − y) ⊙ σ'(z), σ'(z) = a(1 − a); the mistake applies the same formula to softmax
            error *= 1.0 - a
            return error
        # softmax + mse: Jᵀ(a − y) without building J, since J = diag(a) − a aᵀ is symmetric:
        # (diag(a) − a aᵀ) g = a ⊙ g − a (a · g)
        error -= np.einsum("ni,ni->n", a, error)[:, None]
        error *= a
        return error
