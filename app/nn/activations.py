"""Hidden-layer activations: each is a function σ and its elementwise derivative σ'(z).

Hidden layers only need the elementwise derivative. The output layer is different
(softmax mixes every z of the layer); see output_layer.py.

Every function takes an optional `out` array to write into and returns its result; without `out` a new array
is made. Training passes buffers it allocated once (see Trainer). sigmoid and tanh (and relu's σ) compute in
them; leaky_relu, and σ'(z) of relu, leaky_relu and linear, build a new array and copy it in (`_into`), so a
step with those allocates layer-sized temporaries (network.py gives the measured sizes).
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

LEAKY_SLOPE = 0.01


def _into(result: np.ndarray, out: np.ndarray | None) -> np.ndarray:
    """`result`, copied into `out` when the caller gave one (for the activations that cannot write in place)."""
    if out is None:
        return result
    np.copyto(out, result)
    return out


def sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """σ(z) = 1 / (1 + e⁻ᶻ), written in place in four NumPy calls.

    This form is accurate on both sides of 0. For z below about −709 (−88 in float32) e⁻ᶻ overflows to
    inf, and 1 / (1 + inf) is exactly 0, the right answer: that one overflow is expected, so it is silenced
    here rather than reported (z = ±1000 gives exactly 1 and 0, with no warning).
    """
    with np.errstate(over="ignore"):
        out = np.negative(z, out=out)
        np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


def _sigmoid_prime(z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    out = np.subtract(1.0, a, out=out)  # σ'(z) = σ(z)(1 − σ(z)) = a(1 − a): reuses a, no exp
    out *= a
    return out


def _tanh(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.tanh(z, out=out)


def _tanh_prime(z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    out = np.multiply(a, a, out=out)  # 1 − tanh²(z) = 1 − a²
    return np.subtract(1.0, out, out=out)


def relu(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.maximum(z, 0.0, out=out)


def _relu_prime(z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return _into((z > 0).astype(z.dtype), out)  # derivative at 0 taken as 0, as PyTorch does


def leaky_relu(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return _into(np.where(z > 0, z, LEAKY_SLOPE * z), out)


def _leaky_relu_prime(z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return _into(np.where(z > 0, 1.0, LEAKY_SLOPE).astype(z.dtype), out)


def linear(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return _into(z, out)


def _linear_prime(z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return _into(np.ones_like(z), out)


class Activation(NamedTuple):
    name: str
    fn: Callable[..., np.ndarray]  # fn(z, out=None)
    # derivative(z, a, out=None) with a = fn(z) already computed: sigmoid and tanh reuse a.
    derivative: Callable[..., np.ndarray]


HIDDEN_ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", sigmoid, _sigmoid_prime),
    "tanh": Activation("tanh", _tanh, _tanh_prime),
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
