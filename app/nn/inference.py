"""Inference: a network's outputs for rows of inputs, and the class each row falls in."""

from __future__ import annotations

import numpy as np

from app.nn.network import Network


def classes_of(outputs: np.ndarray) -> np.ndarray:
    """The index of the largest output per row; with a single output unit, 1 when it is at least 0.5.
    The same rule reads a one-hot label row's class."""
    if outputs.shape[1] == 1:
        return (outputs[:, 0] >= 0.5).astype(np.intp)
    return outputs.argmax(axis=1)


def predict(net: Network, inputs: np.ndarray) -> tuple[np.ndarray, list[int] | None]:
    """The outputs and each row's class; no classes (None) for a linear output, whose outputs are the prediction
    (a regression model), not scores of classes."""
    with np.errstate(all="ignore"):  # overflow shows as a non-finite output, which callers check
        outputs = net.predict(np.asarray(inputs, dtype=np.float64))
    if net.output.activation == "linear":
        return outputs, None
    return outputs, classes_of(outputs).tolist() if np.isfinite(outputs).all() else []
