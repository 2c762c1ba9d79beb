"""The cases `backprop-lab check` runs a learner's backprop on: fixed, seeded weights and examples.

Hidden layers are sigmoid (as in Nielsen's network.py); labels are one-hot, so every output pairing
(sigmoid + MSE or BCE, softmax + cross-entropy or MSE) accepts them. Weights are drawn from N(0, 1), as a
first network draws them, and small enough that no unit saturates and every mistake changes the numbers.
The square case is there because `weights_not_transposed` only runs (and only shows) where Wᵀ has W's shape.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.nn import Network, OutputLayer


@dataclass(frozen=True)
class Case:
    name: str
    inputs: np.ndarray  # (N, n_in), one example per row
    labels: np.ndarray  # (N, n_out)
    W: tuple[np.ndarray, ...]  # W[l]: (n_out, n_in)
    b: tuple[np.ndarray, ...]  # b[l]: (n_out,)

    @property
    def layer_sizes(self) -> list[int]:
        return [self.W[0].shape[1]] + [W.shape[0] for W in self.W]

    def network(self, kind: str) -> Network:
        """The engine's network on this case's weights, with the output layer and loss of a run kind."""
        return Network([W.copy() for W in self.W], [b.copy() for b in self.b], "sigmoid",
                       OutputLayer.from_kind(kind))


def _seeded(name: str, sizes: list[int], inputs, labels, seed: int) -> Case:
    rng = np.random.default_rng(seed)
    W = tuple(rng.standard_normal((n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    b = tuple(rng.standard_normal(n_out) for n_out in sizes[1:])
    return Case(name, np.asarray(inputs, float), np.asarray(labels, float), W, b)


def _one_hot(classes, n: int) -> np.ndarray:
    return np.eye(n)[classes]


def _random_case(seed: int) -> Case:
    rng = np.random.default_rng(seed)
    inputs = rng.uniform(-1.0, 1.0, (4, 3))
    return _seeded("random-3-4-4-2", [3, 4, 4, 2], inputs, _one_hot([0, 1, 1, 0], 2), seed + 1)


CASES: tuple[Case, ...] = (
    _seeded("two-points", [2, 3, 2], [[1, 0], [0, 1]], [[1, 0], [0, 1]], seed=14),
    _seeded("xor", [2, 4, 2], [[0, 0], [0, 1], [1, 0], [1, 1]], _one_hot([0, 1, 1, 0], 2), seed=15),
    _random_case(seed=16),
    _seeded("square-2-2-2", [2, 2, 2], [[1, 0], [0, 1], [0.5, -1]], _one_hot([0, 1, 0], 2), seed=17),
)
