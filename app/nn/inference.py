"""Inference: a network's outputs for rows of inputs, and the class each row falls in."""

from __future__ import annotations

import numpy as np

from app.nn.network import Network


def classes_of(outputs: np.ndarray) -> list[int]:
    """The index of the largest output per row; with a single output unit, 1 when it is at least 0.5."""
    if outputs.shape[1] == 1:
        return (outputs[:, 0] >= 0.5).astype(int).tolist()
    return outputs.argmax(axis=1).tolist()


def predict(net: Network, inputs: np.ndarray) -> tuple[np.ndarray, list[int]]:
    with np.errstate(all="ignore"):  # overflow shows as a non-finite output, which callers check
        outputs = net.predict(np.asarray(inputs, dtype=np.float64))
    return outputs, classes_of(outputs) if np.isfinite(outputs).all() else []
