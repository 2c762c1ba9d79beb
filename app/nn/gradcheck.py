"""Gradient check: compare backprop's gradients with central differences, layer by layer.

(C(θ + h) − C(θ − h)) / 2h needs no calculus, only the cost, so it catches a wrong δ
(such as softmax treated as elementwise) whatever the derivation said.

With a `regularization` ("l1" or "l2") and a rate, the cost is the total C + Ω (regularization.py) and the
gradients checked are ∂(C + Ω)/∂W and ∂C/∂b.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.nn.network import BackwardPass, Network
from app.nn.regularization import Regularization, make_regularization


@dataclass(frozen=True)
class LayerCheck:
    layer: int
    relative_error: float  # ‖numeric − backprop‖ / (‖numeric‖ + ‖backprop‖) over W and b of the layer
    max_abs_difference: float


def _cost(net: Network, X: np.ndarray, Y: np.ndarray, penalty: Regularization | None = None) -> float:
    cost = net.loss(net.forward(X), Y)
    return cost if penalty is None else cost + penalty.penalty(net.W)


def numerical_gradients(net: Network, X: np.ndarray, Y: np.ndarray, h: float = 1e-6,
                        penalty: Regularization | None = None):
    """Central-difference ∂C/∂W and ∂C/∂b (of C + Ω with a penalty), one parameter at a time (slow; for checking)."""
    net = net.copy(np.float64)
    flat = central_differences(net, X, Y, range(net.theta.size), h, penalty)
    # θ lists W[0], b[0], W[1], … one after another: cut it back into those shapes.
    ends = np.cumsum([p.size for p in net.parameters])[:-1]
    grads = [part.reshape(p.shape) for part, p in zip(np.split(flat, ends), net.parameters)]
    return grads[0::2], grads[1::2]


def central_differences(net: Network, X: np.ndarray, Y: np.ndarray, indices: range, h: float = 1e-6,
                        penalty: Regularization | None = None) -> np.ndarray:
    """Central differences of the parameters θ[indices] only (net.theta's order: W[0], b[0], W[1], …), each nudged
    and restored in place: a long check done in parts. `net` must be float64."""
    theta, found = net.theta, np.empty(len(indices))
    for k, i in enumerate(indices):
        saved = theta[i]
        theta[i] = saved + h
        up = _cost(net, X, Y, penalty)
        theta[i] = saved - h
        down = _cost(net, X, Y, penalty)
        theta[i] = saved
        found[k] = (up - down) / (2 * h)
    return found


def gradient_check(net: Network, X: np.ndarray, Y: np.ndarray, h: float = 1e-6,
                   backward: BackwardPass | None = None, regularization: str | None = None,
                   regularization_rate: float = 0.0, numeric: tuple[list, list] | None = None) -> list[LayerCheck]:
    """`backward`: the gradients to check as they are, penalty included (a learner's, under a mistake, as
    Trainer.passes gives them); by default the engine's backprop plus ∂Ω/∂W. `numeric`: the central differences
    (∂C/∂W, ∂C/∂b) when already computed, in parts (central_differences)."""
    penalty = make_regularization(regularization, regularization_rate)
    num_W, num_b = numeric or numerical_gradients(net, X, Y, h, penalty)
    bwd = backward
    if bwd is None:
        exact = net.copy(np.float64)
        bwd = exact.gradients(X, Y)[1]
        if penalty is not None:
            penalty.add_gradient(exact.W, bwd.grad_W)
    checks = []
    for l in range(len(net.W)):
        numeric = np.concatenate([num_W[l].ravel(), num_b[l].ravel()])
        analytic = np.concatenate([bwd.grad_W[l].ravel(), bwd.grad_b[l].ravel()])
        diff = np.linalg.norm(numeric - analytic)
        scale = np.linalg.norm(numeric) + np.linalg.norm(analytic)
        # 0/0 (both gradients zero) agrees perfectly; anything non-finite stays non-finite for the caller to refuse.
        relative = float(diff / scale) if scale != 0 else 0.0
        checks.append(LayerCheck(l, relative, float(np.abs(numeric - analytic).max())))
    return checks
