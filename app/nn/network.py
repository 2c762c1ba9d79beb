"""A fully connected network and the four equations of backpropagation.

Examples are rows everywhere: X has shape (N, n_in), z and a of a layer have shape (N, n_units).
W[l] has shape (n_out, n_in) like w_jk in the learner's notation, so zˡ = aˡ⁻¹ Wᵀ + b.

    (BP1) δᴸ = ∂c/∂zᴸ                       -- decided by the output layer and loss together
    (BP2) δˡ = (δˡ⁺¹ Wˡ⁺¹) ⊙ σ'(zˡ)          -- hidden layers: elementwise, as the learner wrote it
    (BP3) ∂C/∂bˡ = mean over examples of δˡ
    (BP4) ∂C/∂Wˡ = mean over examples of δˡ (aˡ⁻¹)ᵀ

C is the mean of the per-example costs c, and δ is kept per example, so each example's own
gradient (δ (aˡ⁻¹)ᵀ) stays available: the [1,0] and [0,1] examples' gradients do not cancel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.nn.activations import hidden_activation
from app.nn.init import initialize
from app.nn.output_layer import OutputLayer


@dataclass
class ForwardPass:
    zs: list[np.ndarray]  # zs[l]: weighted inputs of weight layer l, (N, n_out_l)
    activations: list[np.ndarray]  # activations[0] = X; activations[l + 1] = σ(zs[l])

    @property
    def output(self) -> np.ndarray:
        return self.activations[-1]


@dataclass
class BackwardPass:
    deltas: list[np.ndarray]  # deltas[l] = ∂c/∂zs[l] per example, (N, n_out_l)
    grad_W: list[np.ndarray]  # ∂C/∂W[l], averaged over examples
    grad_b: list[np.ndarray]


@dataclass
class Network:
    W: list[np.ndarray]
    b: list[np.ndarray]
    hidden_activation: str | None
    output: OutputLayer

    def __post_init__(self) -> None:
        if len(self.W) != len(self.b) or not self.W:
            raise ValueError("a network needs one bias vector per weight matrix, and at least one layer")
        if len(self.W) > 1 and self.hidden_activation is None:
            raise ValueError("a network with hidden layers needs a hidden_activation")
        self._hidden = hidden_activation(self.hidden_activation) if len(self.W) > 1 else None

    @classmethod
    def create(
        cls,
        layer_sizes: list[int],
        hidden_activation: str | None = "sigmoid",
        output: OutputLayer | None = None,
        init: str = "normal",
        seed: int = 0,
        dtype: np.dtype = np.float64,
    ) -> "Network":
        W, b = initialize(layer_sizes, init, seed, dtype)
        hidden = hidden_activation if len(layer_sizes) > 2 else None
        return cls(W, b, hidden, output or OutputLayer())

    @property
    def layer_sizes(self) -> list[int]:
        return [self.W[0].shape[1]] + [W.shape[0] for W in self.W]

    @property
    def dtype(self) -> np.dtype:
        return self.W[0].dtype

    @property
    def parameters(self) -> list[np.ndarray]:
        """W[0], b[0], W[1], b[1], ...: the arrays an optimizer updates in place."""
        return [p for pair in zip(self.W, self.b) for p in pair]

    @property
    def parameter_count(self) -> int:
        return sum(p.size for p in self.parameters)

    def copy(self, dtype: np.dtype | None = None) -> "Network":
        dtype = dtype or self.dtype
        return Network(
            [W.astype(dtype, copy=True) for W in self.W],
            [b.astype(dtype, copy=True) for b in self.b],
            self.hidden_activation,
            self.output,
        )

    def with_output(self, output: OutputLayer) -> "Network":
        """The same weights (copied) under another output layer and loss."""
        net = self.copy()
        net.output = output
        return net

    # --- forward -------------------------------------------------------------------------------

    def forward(self, X: np.ndarray) -> ForwardPass:
        a = np.asarray(X, dtype=self.dtype)
        zs, activations = [], [a]
        last = len(self.W) - 1
        for l, (W, b) in enumerate(zip(self.W, self.b)):
            z = a @ W.T + b
            a = self.output.activate(z) if l == last else self._hidden.fn(z)
            zs.append(z)
            activations.append(a)
        return ForwardPass(zs, activations)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.forward(X).output

    def costs(self, fwd: ForwardPass, Y: np.ndarray) -> np.ndarray:
        return self.output.costs(fwd.zs[-1], fwd.output, Y)

    def loss(self, fwd: ForwardPass, Y: np.ndarray) -> float:
        return float(self.costs(fwd, Y).mean())

    # --- backward ------------------------------------------------------------------------------

    def backward(self, fwd: ForwardPass, Y: np.ndarray) -> BackwardPass:
        Y = np.asarray(Y, dtype=self.dtype)
        n = Y.shape[0]
        L = len(self.W)
        deltas: list[np.ndarray] = [None] * L  # type: ignore[list-item]
        grad_W: list[np.ndarray] = [None] * L  # type: ignore[list-item]
        grad_b: list[np.ndarray] = [None] * L  # type: ignore[list-item]
        delta = self.output.delta(fwd.zs[-1], fwd.output, Y)  # BP1
        for l in range(L - 1, -1, -1):
            deltas[l] = delta
            grad_W[l] = delta.T @ fwd.activations[l] / n  # BP4
            grad_b[l] = delta.mean(axis=0)  # BP3
            if l:
                z, a = fwd.zs[l - 1], fwd.activations[l]
                delta = (delta @ self.W[l]) * self._hidden.derivative(z, a)  # BP2
        return BackwardPass(deltas, grad_W, grad_b)

    def gradients(self, X: np.ndarray, Y: np.ndarray) -> tuple[ForwardPass, BackwardPass]:
        fwd = self.forward(X)
        return fwd, self.backward(fwd, Y)

    @staticmethod
    def per_example_grad_W(fwd: ForwardPass, bwd: BackwardPass, layer: int) -> np.ndarray:
        """Each example's own ∂c/∂W for one layer, shape (N, n_out, n_in); their mean is ∂C/∂W."""
        return np.einsum("ni,nj->nij", bwd.deltas[layer], fwd.activations[layer])
