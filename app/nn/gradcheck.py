"""Gradient check: compare backprop's gradients with central differences, layer by layer.

(C(θ + h) − C(θ − h)) / 2h needs no calculus, only the cost, so it catches a wrong δ
(such as softmax treated as elementwise) whatever the derivation said.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.nn.network import BackwardPass, Network


@dataclass(frozen=True)
class LayerCheck:
    layer: int
    relative_error: float  # ‖numeric − backprop‖ / (‖numeric‖ + ‖backprop‖) over W and b of the layer
    max_abs_difference: float


def _cost(net: Network, X: np.ndarray, Y: np.ndarray) -> float:
    return net.loss(net.forward(X), Y)


def numerical_gradients(net: Network, X: np.ndarray, Y: np.ndarray, h: float = 1e-6):
    """Central-difference ∂C/∂W and ∂C/∂b, one parameter at a time (slow; for checking only)."""
    net = net.copy(np.float64)
    grads = []
    for p in net.parameters:
        g = np.zeros_like(p)
        flat, gflat = p.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            saved = flat[i]
            flat[i] = saved + h
            up = _cost(net, X, Y)
            flat[i] = saved - h
            down = _cost(net, X, Y)
            flat[i] = saved
            gflat[i] = (up - down) / (2 * h)
        grads.append(g)
    return grads[0::2], grads[1::2]


def gradient_check(net: Network, X: np.ndarray, Y: np.ndarray, h: float = 1e-6,
                   backward: BackwardPass | None = None) -> list[LayerCheck]:
    """`backward`: the gradients to check (a learner's, under a mistake); by default the engine's backprop."""
    num_W, num_b = numerical_gradients(net, X, Y, h)
    bwd = backward or net.copy(np.float64).gradients(X, Y)[1]
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
