"""A fully connected network and the four equations of backpropagation.

Examples are rows everywhere: X has shape (N, n_in), z and a of a layer have shape (N, n_units).
W[l] has shape (n_out, n_in) like w_jk in the learner's notation, so zˡ = aˡ⁻¹ Wᵀ + b.

    (BP1) δᴸ = ∂c/∂zᴸ                       -- decided by the output layer and loss together
    (BP2) δˡ = (δˡ⁺¹ Wˡ⁺¹) ⊙ σ'(zˡ)          -- hidden layers: elementwise, as the learner wrote it
    (BP3) ∂C/∂bˡ = mean over examples of δˡ
    (BP4) ∂C/∂Wˡ = mean over examples of δˡ (aˡ⁻¹)ᵀ

C is the mean of the per-example costs c, and δ is kept per example, so each example's own
gradient (δ (aˡ⁻¹)ᵀ) stays available: the [1,0] and [0,1] examples' gradients do not cancel.

Speed, without hiding the equations (docs/benchmarks.md has the numbers):
- All weights and biases live in one flat vector `theta`; W[l] and b[l] are views into it, and the
  gradients likewise fill one flat vector `BackwardPass.grad`. An optimizer then updates every parameter
  in one NumPy operation instead of one per array. Change W and b in place (W[l][...] = ...), never rebind.
- forward() and backward() can write into buffers allocated once (`workspace`); a Trainer does that, so a
  training step allocates no layer-sized arrays with sigmoid or tanh hidden layers (a 2-512-2 step on 1,024
  examples: ~65 KB of small temporaries, measured with tracemalloc). relu, leaky_relu and linear build σ'(z)
  as a new array before copying it into its buffer (there: ~4.7 MB per step). For tiny networks the cost of a
  step is the number of NumPy calls (about half a microsecond each), not the arithmetic, so each equation is a
  few calls with `out=`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from app.nn.activations import hidden_activation
from app.nn.init import initialize
from app.nn.output_layer import OutputLayer


@dataclass
class ForwardPass:
    zs: list[np.ndarray]  # zs[l]: weighted inputs of weight layer l, (N, n_out_l)
    activations: list[np.ndarray]  # activations[0] = X; activations[l + 1] = σ(zs[l])
    log_output: np.ndarray | None = None  # softmax outputs only: log aᴸ, which the cross-entropy needs

    @property
    def output(self) -> np.ndarray:
        return self.activations[-1]


@dataclass
class BackwardPass:
    deltas: list[np.ndarray]  # deltas[l] = ∂c/∂zs[l] per example, (N, n_out_l)
    grad_W: list[np.ndarray]  # ∂C/∂W[l], averaged over examples
    grad_b: list[np.ndarray]
    # Every grad_W[l] and grad_b[l] is a view into this one vector, in the order of Network.theta.
    grad: np.ndarray = field(default=None, repr=False)  # type: ignore[assignment]
    # Per layer, room for σ'(z) and for 1ᵀ (a row of ones, to sum δ over the examples with one BLAS call).
    _slopes: list[np.ndarray] = field(default=None, repr=False)  # type: ignore[assignment]
    _ones: np.ndarray = field(default=None, repr=False)  # type: ignore[assignment]


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
        # Copy the arrays into one flat vector θ and keep views of it: W[l] (n_out, n_in), then b[l].
        W = [np.asarray(w) for w in self.W]
        b = [np.asarray(v) for v in self.b]
        dtype = W[0].dtype if np.issubdtype(W[0].dtype, np.floating) else np.dtype(np.float64)
        self.theta = np.empty(sum(w.size + v.size for w, v in zip(W, b)), dtype=dtype)
        self.W, self.b = self._views(self.theta, [w.shape for w in W], [v.shape for v in b])
        for view, value in zip(self.W + self.b, W + b):
            view[...] = value

    @staticmethod
    def _views(flat: np.ndarray, W_shapes: list[tuple], b_shapes: list[tuple]):
        """Views of `flat` shaped like W[0], b[0], W[1], b[1], ... (the order of `parameters`)."""
        W, b, at = [], [], 0
        for W_shape, b_shape in zip(W_shapes, b_shapes):
            for shape, views in ((W_shape, W), (b_shape, b)):
                size = math.prod(shape)
                views.append(flat[at : at + size].reshape(shape))
                at += size
        return W, b

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
        return self.theta.size

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

    # --- buffers -------------------------------------------------------------------------------

    def workspace(self, n: int) -> tuple[ForwardPass, BackwardPass]:
        """Empty forward and backward passes for n examples, for forward(into=) and backward(into=)."""
        return self._forward_buffers(n), self._backward_buffers(n)

    def _forward_buffers(self, n: int) -> ForwardPass:
        units, dtype = [W.shape[0] for W in self.W], self.theta.dtype
        return ForwardPass([np.empty((n, k), dtype) for k in units],
                           [None] + [np.empty((n, k), dtype) for k in units],  # type: ignore[list-item]
                           np.empty((n, units[-1]), dtype) if self.output.activation == "softmax" else None)

    def _backward_buffers(self, n: int) -> BackwardPass:
        units, dtype = [W.shape[0] for W in self.W], self.theta.dtype
        grad = np.empty_like(self.theta)
        grad_W, grad_b = self._views(grad, [W.shape for W in self.W], [b.shape for b in self.b])
        return BackwardPass([np.empty((n, k), dtype) for k in units], grad_W, grad_b, grad,
                            [np.empty((n, k), dtype) for k in units], np.ones(n, dtype))

    # --- forward -------------------------------------------------------------------------------

    def forward(self, X: np.ndarray, into: ForwardPass | None = None) -> ForwardPass:
        """The forward pass; written into `into` (from workspace(len(X))) when given, else into new arrays."""
        a = np.asarray(X, dtype=self.theta.dtype)
        fwd = into or self._forward_buffers(len(a))
        fwd.activations[0] = a
        last = len(self.W) - 1
        for l, (W, b) in enumerate(zip(self.W, self.b)):
            z = np.dot(a, W.T, out=fwd.zs[l])  # zˡ = aˡ⁻¹ Wᵀ + b
            z += b
            out = fwd.activations[l + 1]
            a = self.output.activate(z, out, fwd.log_output) if l == last else self._hidden.fn(z, out)
        return fwd

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.forward(X).output

    def costs(self, fwd: ForwardPass, Y: np.ndarray) -> np.ndarray:
        return self.output.costs(fwd.zs[-1], fwd.output, Y, fwd.log_output)

    def loss(self, fwd: ForwardPass, Y: np.ndarray) -> float:
        return self.output.mean_cost(fwd.zs[-1], fwd.output, Y, fwd.log_output)

    # --- backward ------------------------------------------------------------------------------

    def backward(self, fwd: ForwardPass, Y: np.ndarray, into: BackwardPass | None = None,
                 label_sums: np.ndarray | None = None) -> BackwardPass:
        """The backward pass; written into `into` (from workspace(len(Y))) when given, else into new arrays.
        `label_sums` (Σⱼ yⱼ per example, (N, 1)) may come from a caller that computed it once for its labels."""
        Y = np.asarray(Y, dtype=self.theta.dtype)
        bwd = into or self._backward_buffers(len(Y))
        delta = self.output.delta(fwd.zs[-1], fwd.output, Y, bwd.deltas[-1], label_sums)  # BP1
        for l in range(len(self.W) - 1, -1, -1):
            # BP4 and BP3 as sums over the examples, δᵀ aˡ⁻¹ and 1ᵀ δ; the division by n comes below.
            np.dot(delta.T, fwd.activations[l], out=bwd.grad_W[l])  # BP4: Σₙ δ (aˡ⁻¹)ᵀ
            np.dot(bwd._ones, delta, out=bwd.grad_b[l])  # BP3: Σₙ δ
            if l:
                z, a = fwd.zs[l - 1], fwd.activations[l]
                slope = self._hidden.derivative(z, a, out=bwd._slopes[l - 1])
                delta = np.dot(delta, self.W[l], out=bwd.deltas[l - 1])  # BP2: (δˡ⁺¹ Wˡ⁺¹) ⊙ σ'(zˡ)
                delta *= slope
        bwd.grad /= len(Y)  # sums to means, for every ∂C/∂W and ∂C/∂b at once (they share one vector)
        return bwd

    def gradients(self, X: np.ndarray, Y: np.ndarray) -> tuple[ForwardPass, BackwardPass]:
        fwd = self.forward(X)
        return fwd, self.backward(fwd, Y)
