"""Hidden-layer activations: each is a function σ and its elementwise derivative σ'(z).

Hidden layers only need the elementwise derivative. The output layer is different
(softmax mixes every z of the layer); see output_layer.py.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

LEAKY_SLOPE = 0.01


def sigmoid(z: np.ndarray) -> np.ndarray:
    # exp(-|z|) never overflows, so z = ±1000 gives exactly 1 and 0, with no warning.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _sigmoid_prime(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return a * (1.0 - a)


def _tanh_prime(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return 1.0 - a * a


def relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def _relu_prime(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return (z > 0).astype(z.dtype)  # derivative at 0 taken as 0, as PyTorch does


def leaky_relu(z: np.ndarray) -> np.ndarray:
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def _leaky_relu_prime(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.where(z > 0, 1.0, LEAKY_SLOPE).astype(z.dtype)


def linear(z: np.ndarray) -> np.ndarray:
    return z


def _linear_prime(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.ones_like(z)


class Activation(NamedTuple):
    name: str
    fn: Callable[[np.ndarray], np.ndarray]
    # derivative(z, a) with a = fn(z) already computed: sigmoid and tanh reuse a.
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]


HIDDEN_ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", sigmoid, _sigmoid_prime),
    "tanh": Activation("tanh", np.tanh, _tanh_prime),
    "relu": Activation("relu", relu, _relu_prime),
    "leaky_relu": Activation("leaky_relu", leaky_relu, _leaky_relu_prime),
    "linear": Activation("linear", linear, _linear_prime),
}


def hidden_activation(name: str) -> Activation:
    try:
        return HIDDEN_ACTIVATIONS[name]
    except KeyError:
        allowed = ", ".join(HIDDEN_ACTIVATIONS)
        raise ValueError(f"unknown hidden activation {name!r}; allowed: {allowed}") from None
