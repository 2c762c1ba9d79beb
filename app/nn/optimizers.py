"""Update rules. Each updates the network's arrays in place, so nothing is reallocated per step.

`params` and `grads` are lists of arrays; a Trainer passes a single pair, the network's flat θ and the
flat gradient, so each rule is a handful of NumPy calls whatever the number of layers.
"""

from __future__ import annotations

import numpy as np

OPTIMIZERS = {
    "sgd": "θ ← θ − η ∂C/∂θ: plain gradient descent",
    "momentum": "v ← μ v + ∂C/∂θ; θ ← θ − η v (μ = momentum, 0.9 by default)",
    "adam": "Adam: per-parameter steps from running means of the gradient and its square",
}


class SGD:
    name = "sgd"

    def __init__(self, learning_rate: float = 0.5):
        self.learning_rate = learning_rate
        self._scratch: list[np.ndarray] | None = None  # room for η ∂C/∂θ, so the step allocates nothing

    def update(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        if self._scratch is None or len(self._scratch) != len(params):
            self._scratch = [np.empty_like(p) for p in params]
        for p, g, step in zip(params, grads, self._scratch):
            p -= np.multiply(g, self.learning_rate, out=step)


class Momentum:
    name = "momentum"

    def __init__(self, learning_rate: float = 0.1, momentum: float = 0.9):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self._velocity: list[np.ndarray] | None = None

    def update(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        if self._velocity is None:
            self._velocity = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self._velocity):
            v *= self.momentum
            v += g
            p -= self.learning_rate * v


class Adam:
    name = "adam"

    def __init__(self, learning_rate: float = 0.01, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        self.learning_rate = learning_rate
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self._t = 0
        self._m: list[np.ndarray] | None = None
        self._v: list[np.ndarray] | None = None

    def update(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        if self._m is None:
            self._m = [np.zeros_like(p) for p in params]
            self._v = [np.zeros_like(p) for p in params]
        self._t += 1
        correction1 = 1.0 - self.beta1**self._t
        correction2 = 1.0 - self.beta2**self._t
        step = self.learning_rate / correction1
        root_correction2 = np.sqrt(correction2)
        for p, g, m, v in zip(params, grads, self._m, self._v):
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * g * g
            p -= step * m / (np.sqrt(v) / root_correction2 + self.eps)  # as torch.optim.Adam


Optimizer = SGD | Momentum | Adam


def make_optimizer(name: str, learning_rate: float, **options: float) -> Optimizer:
    classes = {"sgd": SGD, "momentum": Momentum, "adam": Adam}
    if name not in classes:
        raise ValueError(f"unknown optimizer {name!r}; allowed: {', '.join(classes)}")
    return classes[name](learning_rate, **options)
