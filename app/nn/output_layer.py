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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.nn.activations import sigmoid

OUTPUT_ACTIVATIONS = ("sigmoid", "softmax", "linear")
LOSSES = ("mse", "binary_cross_entropy", "cross_entropy")
ALLOWED_LOSSES = {
    "sigmoid": ("mse", "binary_cross_entropy"),
    "softmax": ("mse", "cross_entropy"),
    "linear": ("mse",),
}

# The output layers a session compares, by the names the dashboard uses.
RUN_KINDS = {
    "sigmoid_mse": ("sigmoid", "mse", False),
    "sigmoid_bce": ("sigmoid", "binary_cross_entropy", False),
    "softmax_ce": ("softmax", "cross_entropy", False),
    "softmax_mse": ("softmax", "mse", False),
    "softmax_mse_elementwise": ("softmax", "mse", True),
}


def softmax(z: np.ndarray) -> np.ndarray:
    # Subtracting the row max changes nothing mathematically and keeps exp() from overflowing.
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


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
        try:
            activation, loss, mistake = RUN_KINDS[kind]
        except KeyError:
            raise ValueError(f"unknown run kind {kind!r}; allowed: {', '.join(RUN_KINDS)}") from None
        return cls(activation, loss, mistake)

    @property
    def kind(self) -> str | None:
        key = (self.activation, self.loss, self.elementwise_mistake)
        return next((k for k, v in RUN_KINDS.items() if v == key), None)

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

    def activate(self, z: np.ndarray) -> np.ndarray:
        if self.activation == "sigmoid":
            return sigmoid(z)
        if self.activation == "softmax":
            return softmax(z)
        return z

    def costs(self, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Per-example cost c_n. Cross-entropies are computed from z, so they stay finite."""
        if self.loss == "mse":
            d = a - y
            return 0.5 * np.einsum("ni,ni->n", d, d)
        if self.loss == "binary_cross_entropy":
            # -[y log σ(z) + (1-y) log(1-σ(z))] = max(z,0) - y z + log(1 + e^{-|z|})
            per_unit = np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z)))
            return per_unit.sum(axis=1)
        return -(y * log_softmax(z)).sum(axis=1)

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

    def delta(self, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """δᴸ as training uses it: the exact simplification for each pairing."""
        error = a - y
        if self.elementwise_mistake:
            return error * a * (1.0 - a)
        if self.loss == "cross_entropy":
            # δᴸ = a Σy − y, which is a − y whenever a label row sums to 1 (one-hot labels always do).
            return a * y.sum(axis=1, keepdims=True) - y
        if self.loss == "binary_cross_entropy" or self.activation == "linear":
            return error  # sigmoid+BCE and linear+MSE: δᴸ = a − y exactly
        if self.activation == "sigmoid":
            return error * a * (1.0 - a)
        # softmax + mse: Jᵀ(a − y) without building J, since J = diag(a) − a aᵀ is symmetric:
        # (diag(a) − a aᵀ) g = a ⊙ g − a (a · g)
        return a * (error - np.einsum("ni,ni->n", a, error)[:, None])
