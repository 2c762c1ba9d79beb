"""TensorFlow Playground's input features for points in the plane: which functions of (X₁, X₂) feed the network.

With X₁² and X₂² as inputs the circles need no hidden layer: X₁² + X₂² < r² is a straight line in those inputs.

    expand(inputs (N, 2), ["x1_squared", "x2_squared"]) -> (N, 2): one column per feature, in the order given.

FEATURES lists (id, label, description) in Playground's order, for a menu (the socket's `hello`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Callable, NamedTuple

import numpy as np

from .base import DatasetError


class Feature(NamedTuple):
    id: str
    label: str
    description: str


FEATURES: tuple[Feature, ...] = (
    Feature("x1", "X₁", "the first coordinate"),
    Feature("x2", "X₂", "the second coordinate"),
    Feature("x1_squared", "X₁²", "the first coordinate squared"),
    Feature("x2_squared", "X₂²", "the second coordinate squared"),
    Feature("x1_x2", "X₁X₂", "the product of the coordinates"),
    Feature("sin_x1", "sin(X₁)", "the sine of the first coordinate (radians)"),
    Feature("sin_x2", "sin(X₂)", "the sine of the second coordinate (radians)"),
)

_VALUES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1_squared": lambda x1, x2: x1 * x1,
    "x2_squared": lambda x1, x2: x2 * x2,
    "x1_x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: np.sin(x1),
    "sin_x2": lambda x1, x2: np.sin(x2),
}


def expand(inputs: np.ndarray, feature_ids: Sequence[str]) -> np.ndarray:
    """The chosen features of every point, (N, len(feature_ids)), or a DatasetError at "features"."""
    check_features(feature_ids)
    inputs = np.asarray(inputs, dtype=np.float64)
    if inputs.ndim != 2 or inputs.shape[1] != 2:
        shape = "×".join(map(str, inputs.shape))
        raise DatasetError("features", f"input features need points in the plane (2 inputs per example); "
                                       f"these inputs have shape {shape}")
    x1, x2 = inputs[:, 0], inputs[:, 1]
    return np.column_stack([_VALUES[f](x1, x2) for f in feature_ids])


def check_features(feature_ids: Sequence[str]) -> None:
    """A DatasetError at "features" unless the ids are known, distinct, and at least one."""
    if isinstance(feature_ids, str):  # a lone id would otherwise be read letter by letter
        raise DatasetError("features", f"features is a list of ids, such as [{feature_ids!r}]")
    if len(feature_ids) == 0:
        raise DatasetError("features", f"choose at least one feature: {', '.join(_VALUES)}")
    for f in feature_ids:
        if not isinstance(f, str) or f not in _VALUES:
            raise DatasetError("features", f"there is no feature {f!r}; choose from: {', '.join(_VALUES)}")
    repeated = sorted({f for f in feature_ids if list(feature_ids).count(f) > 1})
    if repeated:
        raise DatasetError("features", f"each feature may be chosen once; repeated: {', '.join(repeated)}")
