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


TIE_TOLERANCE = 1e-6  # outputs this close pick no class: a stuck [0.5, 0.5] is not an answer


def ties(outputs: np.ndarray) -> np.ndarray:
    """Rows whose two largest outputs are equal (with one output unit: it is at 0.5), so no class is chosen."""
    if outputs.shape[1] == 1:
        return np.abs(outputs[:, 0] - 0.5) <= TIE_TOLERANCE
    top = np.sort(outputs, axis=1)[:, -2:]
    return top[:, 1] - top[:, 0] <= TIE_TOLERANCE


def named_correctly(outputs: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Per row, whether the outputs name the class `truth` gives (classes_of of the labels); a tie names none, so a
    collapsed run's [0.5, 0.5] is right for no example, not for every example of class 0."""
    return (classes_of(outputs) == truth) & ~ties(outputs)


def predict(net: Network, inputs: np.ndarray) -> tuple[np.ndarray, list[int | None] | None]:
    """The outputs and each row's class, None for a row whose outputs tie (a collapsed network answers [0.5, 0.5]
    for everything: that names no class); no classes at all (None) for a linear output, whose outputs are the
    prediction (a regression model), not scores of classes."""
    with np.errstate(all="ignore"):  # overflow shows as a non-finite output, which callers check
        outputs = net.predict(np.asarray(inputs, dtype=np.float64))
    if net.output.activation == "linear":
        return outputs, None
    if not np.isfinite(outputs).all():
        return outputs, []
    return outputs, [None if tie else int(c) for c, tie in zip(classes_of(outputs), ties(outputs))]
