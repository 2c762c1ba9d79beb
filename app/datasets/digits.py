"""Handwritten digits: scikit-learn's bundled 8x8 images, an optional extra of the app."""

from __future__ import annotations

import importlib.util

import numpy as np

from .base import Data, DatasetError, DatasetSpec, Param, one_hot

FULL_SIZE = 1797  # images in scikit-learn's copy of the UCI digits
INSTALL_HINT = "install it with: pip install 'backprop-lab[digits]'"


def digits_available() -> bool:
    """True when scikit-learn (which ships the digit images) can be imported."""
    # find_spec looks the package up without paying for importing it.
    return importlib.util.find_spec("sklearn") is not None


def _load_all() -> tuple[np.ndarray, np.ndarray]:
    """All images as rows of 64 pixels in [0, 1], and their digit 0..9."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise DatasetError("name", f"The digits dataset needs scikit-learn; {INSTALL_HINT}") from None
    bunch = load_digits()
    # Pixels are ink counts from 0 to 16; dividing keeps sigmoid units out of saturation.
    return bunch.data.astype(np.float64) / 16.0, bunch.target.astype(np.int64)


def pick_balanced(target: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Choose n row numbers at random, taking the classes in turn so each gets a near-equal share.

    The chosen rows come back in their original order.
    """
    shuffled = rng.permutation(len(target))
    # rank = how many of the same digit came before this row in the shuffled order;
    # sorting by rank deals the rows out like cards: one of each digit, then a second of each, ...
    rank = np.empty(len(target), dtype=np.int64)
    seen: dict[int, int] = {}
    for position, row in enumerate(shuffled):
        digit = int(target[row])
        rank[position] = seen.get(digit, 0)
        seen[digit] = rank[position] + 1
    dealt = shuffled[np.argsort(rank, kind="stable")]
    return np.sort(dealt[:n])


def build_digits(seed: int = 0, n: int = FULL_SIZE) -> Data:
    """n handwritten digits (all 1797 by default), 64 inputs each, 10 classes."""
    inputs, target = _load_all()
    if n < len(target):
        rows = pick_balanced(target, n, np.random.default_rng(seed))
        inputs, target = inputs[rows], target[rows]
    return Data(inputs=inputs, labels=one_hot(target, 10), class_names=[str(d) for d in range(10)])


DIGITS = DatasetSpec(
    name="digits",
    title="Handwritten digits",
    description=(
        "Small 8x8 pictures of handwritten digits 0 to 9, 64 pixels each, scaled to lie between "
        "0 and 1. Ten classes instead of two: a good place to compare sigmoid outputs, which judge "
        "each digit on its own, with a softmax output, which shares one unit of belief among all ten."
    ),
    params=(
        Param("n", "int", FULL_SIZE, "How many images to use, picked at random with every digit equally represented.", 10, FULL_SIZE),
    ),
    build=build_digits,
    requires="digits",
    linearly_separable=None,
)
