"""Starting weights, seeded so a shared link (or a second run) starts from the same numbers.

Weights and biases are drawn layer by layer, W then b, from one generator: networks with the
same layer sizes and seed get identical numbers, whatever their output layer or loss.
"""

from __future__ import annotations

import numpy as np

INITS = {
    "normal": "W and b from N(0, 1): the naive choice in most first networks",
    "uniform": "W and b from U(−1, 1)",
    "xavier": "W from U(±√(6 / (n_in + n_out))), b = 0 (Glorot): keeps sigmoid/tanh out of saturation",
    "he": "W from N(0, 2 / n_in), b = 0: suited to ReLU layers",
}


def initialize(
    layer_sizes: list[int], init: str = "normal", seed: int = 0, dtype: np.dtype = np.float64
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; allowed: {', '.join(INITS)}")
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        if init == "normal":
            W, b = rng.standard_normal((n_out, n_in)), rng.standard_normal(n_out)
        elif init == "uniform":
            W, b = rng.uniform(-1.0, 1.0, (n_out, n_in)), rng.uniform(-1.0, 1.0, n_out)
        elif init == "xavier":
            limit = np.sqrt(6.0 / (n_in + n_out))
            W, b = rng.uniform(-limit, limit, (n_out, n_in)), np.zeros(n_out)
        else:
            W, b = rng.normal(0.0, np.sqrt(2.0 / n_in), (n_out, n_in)), np.zeros(n_out)
        weights.append(W.astype(dtype))
        biases.append(b.astype(dtype))
    return weights, biases
